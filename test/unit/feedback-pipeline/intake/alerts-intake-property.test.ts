/**
 * A property test of POST /api/v1/alerts (issue 10): 400 generated inputs from a seeded generator (the same inputs
 * every run), valid notifications and broken ones (mutated fields, impossible dates, prototype-named labels, wrong
 * content types and encodings, truncated and random bytes). For every input:
 *   - the answer is 202 or a 4xx with an error (and the field issues for a payload problem), never a 5xx;
 *   - a 202 hands over every alert, its labels exactly as sent (names, values, order), its dates exactly;
 *   - an impossible date is a 400 naming its field.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { listen, openFeedbackServer, RecordingSink, webhookPayload } from './fixtures.js';

const CASES = 400;
const SEED = 0x5eed_0010;

/** mulberry32: a tiny seeded generator, so a failure names the case that reproduces it. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Random = ReturnType<typeof generator>;

const LABEL_NAMES = ['alertname', 'namespace', 'deployment', 'slo', 'slo_severity', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__name__', 'a', 'UTF8_ключ', 'emoji_🔥', 'with space', 'dotted.name', ''];
const STRINGS = ['', 'checkout', 'shop', 'page', 'ticket', '__proto__', '{"a":1}', 'line\nbreak', 'tab\t', 'ключ', '🔥', '\u0000nul', 'x'.repeat(300), '"quoted"', '\\'];

interface GeneratedDate {
  text: string;
  /** The instant it names, or undefined when no such date and time exists. */
  instant: number | undefined;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** A timestamp in RFC 3339 shape whose fields may be out of range; `instant` is computed independently of the code under test. */
function date(random: Random): GeneratedDate {
  const year = random.pick([1, 1999, 2024, 2026, 2027, 2100, 9999]);
  // Usually a real date and time; one date in ten has one field out of range.
  const spoil = random.chance(0.1) ? random.pick(['month', 'day', 'hour', 'minute', 'second', 'offset'] as const) : undefined;
  const month = spoil === 'month' ? random.pick([0, 13]) : random.int(1, 12);
  // Day 0 of the next month is the last of this one.
  const daysInMonth = month >= 1 && month <= 12 ? new Date(new Date(0).setUTCFullYear(year, month, 0)).getUTCDate() : 31;
  const day = spoil === 'day' ? random.pick([0, daysInMonth + 1, 32]) : random.int(1, daysInMonth);
  const hour = spoil === 'hour' ? random.pick([24, 25, 99]) : random.int(0, 23);
  const minute = spoil === 'minute' ? 60 : random.int(0, 59);
  const second = spoil === 'second' ? random.pick([60, 61]) : random.int(0, 59);
  const fraction = random.pick(['', '.5', '.123', '.123456789']);
  const offsetMinutes = spoil === 'offset' ? 24 * 60 : random.pick([0, 0, 60, -330, 14 * 60]);
  const zone = offsetMinutes === 0 && random.chance(0.7) ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}${zone}`;
  const valid =
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && Math.abs(offsetMinutes) < 24 * 60;
  if (!valid) return { text, instant: undefined };
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Number(fraction.slice(1, 4).padEnd(3, '0') || 0));
  return { text, instant: utc.getTime() - offsetMinutes * 60_000 };
}

interface GeneratedAlert {
  json: Record<string, unknown>;
  /** The labels as sent, in order (the JSON text keeps them so). */
  labels: Array<[string, string]>;
  startsAt: GeneratedDate;
  endsAt: GeneratedDate;
}

function labelsJson(entries: Array<[string, unknown]>): string {
  return `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',')}}`;
}

function alert(random: Random, index: number): GeneratedAlert {
  const names = [...new Set(Array.from({ length: random.int(0, 6) }, () => random.pick(LABEL_NAMES)))];
  const labels = names.map((name): [string, string] => [name, random.pick(STRINGS)]);
  const startsAt = date(random);
  const endsAt = random.chance(0.5) ? { text: '0001-01-01T00:00:00Z', instant: new Date(0).setUTCFullYear(1, 0, 1) } : date(random);
  return {
    json: {
      status: random.pick(['firing', 'resolved']),
      labels: `__LABELS_${index}__`,
      annotations: { summary: random.pick(STRINGS) },
      startsAt: startsAt.text,
      endsAt: endsAt.text,
      generatorURL: random.pick(['', 'http://prometheus/graph']),
      fingerprint: `fp${index}`,
    },
    labels,
    startsAt,
    endsAt,
  };
}

/** One way to break a valid payload: what must come back is a 4xx (the checks below tell which fields). */
const MUTATIONS: ReadonlyArray<(payload: Record<string, unknown>, random: Random) => void> = [
  (payload) => void delete payload[Object.keys(payload)[0]!],
  (payload, random) => void (payload[random.pick(Object.keys(payload))] = random.pick([null, 7, true, [], {}, 'x'])),
  (payload) => void (payload.version = '3'),
  (payload) => void (payload.truncatedAlerts = -1),
  (payload, random) => {
    const alerts = payload.alerts as Array<Record<string, unknown>>;
    if (alerts.length > 0) alerts[0]![random.pick(['status', 'startsAt', 'endsAt', 'fingerprint', 'annotations'])] = random.pick([null, 3, '', {}, []]);
    else payload.alerts = 'none';
  },
];

interface Case {
  headers: Record<string, string>;
  body: Buffer;
  alerts: GeneratedAlert[];
  /** Why the body cannot be a valid notification, when the generator broke it on purpose (else undefined). */
  broken: string | undefined;
  /** A label value that is not a string. */
  badLabel: boolean;
}

function generateCase(random: Random): Case {
  const alerts = Array.from({ length: random.int(0, 8) }, (_, index) => alert(random, index));
  const payload = webhookPayload({ alerts: alerts.map((generated) => generated.json) }) as Record<string, unknown>;
  let broken: string | undefined;
  if (random.chance(0.15)) {
    random.pick(MUTATIONS)(payload, random);
    broken = 'mutated';
  }
  let badLabel = false;
  let text = JSON.stringify(payload);
  alerts.forEach((generated, index) => {
    const entries: Array<[string, unknown]> = [...generated.labels];
    if (entries.length > 0 && random.chance(0.05)) {
      entries[0] = [entries[0]![0], random.pick([1, null, { polluted: true }, ['x']])];
      badLabel = true;
    }
    text = text.replace(JSON.stringify(`__LABELS_${index}__`), labelsJson(entries));
  });
  let body = Buffer.from(text);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const transport = random.next();
  if (transport < 0.05) {
    headers['content-type'] = random.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '']);
    broken = 'content type';
  } else if (transport < 0.1) {
    headers['content-encoding'] = random.pick(['gzip', 'br', 'deflate', 'zstd']);
    broken = 'encoding';
  } else if (transport < 0.15) {
    headers['content-encoding'] = 'gzip';
    body = gzipSync(body);
  } else if (transport < 0.2) {
    body = body.subarray(0, random.int(0, Math.max(0, body.length - 1)));
    broken = 'truncated';
  } else if (transport < 0.23) {
    body = Buffer.from(Array.from({ length: random.int(1, 200) }, () => random.int(0, 255)));
    broken = 'random bytes';
  }
  return { headers, body, alerts, broken, badLabel };
}

function post(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/alerts`, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('POST /api/v1/alerts, property-tested', () => {
  test(`${CASES} seeded inputs: 202 with every label and date exact, or a 4xx that says why; never a 5xx`, async () => {
    const sink = new RecordingSink();
    const { app } = openFeedbackServer(sink);
    const server = await listen(app);
    const random = generator(SEED);
    const statuses = new Map<number, number>();
    try {
      for (let index = 0; index < CASES; index += 1) {
        const generated = generateCase(random);
        const where = `case ${index} (seed ${SEED})`;
        sink.submitted.length = 0;
        const answer = await post(server.url, generated.headers, generated.body);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status !== 202 && (answer.status < 400 || answer.status > 499)) {
          throw new Error(`${where}: answered ${answer.status} ${answer.body}`);
        }
        const reply = JSON.parse(answer.body) as { accepted?: number; error?: string; issues?: Array<{ path?: string; message: string }> };
        const impossible = generated.alerts.flatMap((alert, i) => [
          ...(alert.startsAt.instant === undefined ? [`alerts[${i}].startsAt`] : []),
          ...(alert.endsAt.instant === undefined ? [`alerts[${i}].endsAt`] : []),
        ]);
        if (answer.status !== 202) {
          expect(typeof reply.error).toBe('string');
          if (generated.broken === undefined && !generated.badLabel && impossible.length > 0) {
            // Only the dates are wrong: a 400 naming each of them.
            expect({ where, status: answer.status }).toEqual({ where, status: 400 });
            expect({ where, paths: reply.issues?.map((issue) => issue.path) }).toEqual({ where, paths: expect.arrayContaining(impossible) });
          } else if (generated.broken === undefined && !generated.badLabel) {
            throw new Error(`${where}: a valid notification was refused: ${answer.status} ${answer.body}`);
          }
          expect(sink.submitted).toHaveLength(0);
          continue;
        }
        // Accepted: it must have been a valid notification, and every alert arrives exactly as sent.
        expect({ where, broken: generated.broken, badLabel: generated.badLabel, impossible }).toEqual({ where, broken: undefined, badLabel: false, impossible: [] });
        expect(reply.accepted).toBe(generated.alerts.length);
        const received = sink.alerts;
        expect(received).toHaveLength(generated.alerts.length);
        received.forEach((alert, i) => {
          const sent = generated.alerts[i]!;
          expect({ where, i, labels: Object.entries(alert.labels) }).toEqual({ where, i, labels: sent.labels });
          expect(Object.getPrototypeOf(alert.labels)).toBeNull();
          expect({ where, i, startsAt: alert.startsAt.getTime() }).toEqual({ where, i, startsAt: sent.startsAt.instant });
          if (alert.endsAt) expect({ where, i, endsAt: alert.endsAt.getTime() }).toEqual({ where, i, endsAt: sent.endsAt.instant });
        });
      }
    } finally {
      await server.close();
    }
    // The generator reaches both sides: not everything accepted, not everything refused.
    expect(statuses.get(202) ?? 0).toBeGreaterThan(CASES / 10);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(CASES / 10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);
});
