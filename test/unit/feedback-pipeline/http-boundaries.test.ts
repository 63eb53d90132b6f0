/**
 * Every HTTP input of the feedback server, tried as a hostile or misconfigured client would (issue 10): wrong or
 * mismatched encodings and content types, oversized and deeply nested bodies, prototype keys, impossible dates,
 * huge batches. Each gets a clear 4xx, never a 5xx, and the server keeps taking good notifications afterwards.
 */
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { FeedbackMetrics } from '../../../feedback-pipeline/metrics.js';
import { listen, openFeedbackServer, RecordingSink, webhookAlert, webhookPayload } from './intake/fixtures.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: any header, any bytes (fetch would fix some of them). */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const good = () => JSON.stringify(webhookPayload());
const nested = (depth: number) => JSON.stringify(webhookPayload({ commonAnnotations: undefined })).replace(/}$/, `,"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`);
const withRawLabel = (raw: string) => good().replace('"labels":{', `"labels":{${raw},`);
/** A label value with the bytes ff fe, which no UTF-8 text holds (a silent U+FFFD would change the label). */
const notUtf8 = () => {
  const [before, after] = withRawLabel('"team":"MARK"').split('MARK') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);
};

describe('the feedback server at its HTTP boundaries', () => {
  let sink: RecordingSink & { maxBatch?: number };
  let metrics: FeedbackMetrics;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    sink = new RecordingSink();
    sink.maxBatch = 100;
    const server = openFeedbackServer(sink, { bodyLimit: 64 * 1024 });
    metrics = server.metrics;
    const { app } = server;
    ({ url, close } = await listen(app));
  });
  afterAll(async () => {
    await close();
  });
  afterEach(async () => {
    // Never a stuck server: a good notification is taken after every bad one.
    sink.submitted.length = 0;
    expect((await send(url, 'POST', '/api/v1/alerts', JSON_TYPE, good())).status).toBe(202);
    expect(sink.submitted).toHaveLength(1);
    sink.submitted.length = 0;
  });

  test.each<[string, Record<string, string>, Buffer | string, number, RegExp]>([
    ['Content-Encoding gzip on a body that is not compressed', { ...JSON_TYPE, 'content-encoding': 'gzip' }, '{"version":"4"}', 400, /not valid gzip data, as its Content-Encoding says/],
    ['Content-Encoding br on a body that is not compressed', { ...JSON_TYPE, 'content-encoding': 'br' }, '{"version":"4"}', 400, /not valid br data/],
    ['Content-Encoding deflate on a body that is not compressed', { ...JSON_TYPE, 'content-encoding': 'deflate' }, good(), 400, /not valid deflate data/],
    ['an unsupported Content-Encoding', { ...JSON_TYPE, 'content-encoding': 'zstd' }, good(), 415, /Content-Encoding "zstd" is not supported/],
    ['two stacked Content-Encodings', { ...JSON_TYPE, 'content-encoding': 'gzip, gzip' }, gzipSync(gzipSync(good())), 415, /"gzip, gzip" is not supported/],
    ['a gzip bomb (small compressed, over the limit decompressed)', { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), 413, /larger than the limit of 65536 bytes/],
    ['no content type', {}, good(), 415, /content type must be application\/json, got none/],
    ['a form content type (curl -d)', { 'content-type': 'application/x-www-form-urlencoded' }, good(), 415, /got application\/x-www-form-urlencoded/],
    ['a latin1 charset', { 'content-type': 'application/json; charset=latin1' }, good(), 415, /charset "latin1" is not supported: send the JSON as UTF-8/],
    ['a UTF-16 charset', { 'content-type': 'application/json; charset=utf-16' }, good(), 415, /charset "utf-16"/],
    ['bytes that are not UTF-8 in a label value', JSON_TYPE, notUtf8(), 400, /request body is not valid UTF-8/],
    ['a body that is not JSON', JSON_TYPE, '{"version": "4",', 400, /request body is not JSON/],
    ['a JSON string instead of an object', JSON_TYPE, '"4"', 400, /request body is not JSON|version 4 expected/],
    ['arrays nested 33 deep', JSON_TYPE, nested(33), 400, /deeper than 32 levels/],
    ['arrays nested 30,000 deep', JSON_TYPE, nested(30_000), 400, /deeper than 32 levels/],
    ['a body over the limit', JSON_TYPE, JSON.stringify(webhookPayload({ commonAnnotations: { d: 'x'.repeat(70_000) } })), 413, /larger than the limit of 65536 bytes/],
    ['more firing alerts than the pipeline ever takes at once', JSON_TYPE, JSON.stringify(webhookPayload({ alerts: Array.from({ length: 101 }, (_, i) => webhookAlert({ fingerprint: `f${i}` })) })), 413, /101 firing alerts, more than the pipeline takes at once \(100\): set max_alerts/],
    ['startsAt on 30 February', JSON_TYPE, JSON.stringify(webhookPayload({ alerts: [webhookAlert({ startsAt: '2026-02-30T10:00:00Z' })] })), 400, /alerts\[0\]\.startsAt: "2026-02-30T10:00:00Z" is not a real date and time: day 30 is not in 2026-02/],
    ['startsAt at hour 25', JSON_TYPE, JSON.stringify(webhookPayload({ alerts: [webhookAlert({ startsAt: '2026-01-01T25:00:00Z' })] })), 400, /alerts\[0\]\.startsAt: .*hour 25 is not 00-23/],
    ['startsAt at 24:00 (a Date would roll it to the next day)', JSON_TYPE, JSON.stringify(webhookPayload({ alerts: [webhookAlert({ startsAt: '2026-01-01T24:00:00Z' })] })), 400, /hour 24 is not 00-23/],
    ['endsAt with a leap second', JSON_TYPE, JSON.stringify(webhookPayload({ alerts: [webhookAlert({ endsAt: '2026-12-31T23:59:60Z' })] })), 400, /alerts\[0\]\.endsAt: .*second 60 is not 00-59/],
    ['startsAt on 29 February of a year that has none', JSON_TYPE, JSON.stringify(webhookPayload({ alerts: [webhookAlert({ startsAt: '2027-02-29T00:00:00Z' })] })), 400, /day 29 is not in 2027-02 \(01-28\)/],
    ['a label __proto__ holding an object', JSON_TYPE, withRawLabel('"__proto__":{"polluted":"yes"}'), 400, /alerts\[0\]\.labels\.__proto__: must be a string, got an object/],
  ])('%s: %d', async (_description, headers, body, status, message) => {
    const answer = await send(url, 'POST', '/api/v1/alerts', headers, body);
    expect(answer.status).toBe(status);
    expect((JSON.parse(answer.body) as { error: string }).error).toMatch(message);
    expect(sink.submitted).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('a body really compressed with %s is read', async (encoding, compress) => {
    const answer = await send(url, 'POST', '/api/v1/alerts', { ...JSON_TYPE, 'content-encoding': encoding }, compress(Buffer.from(good())));
    expect(answer.status).toBe(202);
    expect(sink.submitted).toHaveLength(1);
  });

  test('a charset=utf-8 parameter in any case is fine', async () => {
    expect((await send(url, 'POST', '/api/v1/alerts', { 'content-type': 'Application/JSON; Charset="UTF-8"' }, good())).status).toBe(202);
  });

  test('labels named __proto__, constructor and prototype are kept as labels, exactly, and reach no prototype', async () => {
    const answer = await send(url, 'POST', '/api/v1/alerts', JSON_TYPE, withRawLabel('"__proto__":"p","constructor":"c","prototype":"t","toString":"s"'));
    expect(answer.status).toBe(202);
    const labels = sink.alerts[0]!.labels;
    expect(Object.getPrototypeOf(labels)).toBeNull();
    expect(Object.entries(labels).slice(0, 4)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['prototype', 't'],
      ['toString', 's'],
    ]);
    // Out again as JSON (the audit log, GET /api/v1/events), they read back the same.
    expect(Object.entries(JSON.parse(JSON.stringify(labels)) as object).slice(0, 4)).toEqual(Object.entries(labels).slice(0, 4));
  });

  test.each<[string, string, string, number, RegExp]>([
    ['GET on the alerts intake', 'GET', '/api/v1/alerts', 405, /GET is not allowed on \/api\/v1\/alerts: use POST/],
    ['POST on the events API', 'POST', '/api/v1/events', 405, /use GET/],
    ['POST on /metrics', 'POST', '/metrics', 405, /POST is not allowed on \/metrics: use GET/],
    ['DELETE on /healthz', 'DELETE', '/healthz', 405, /use GET/],
    ['PUT on /readyz', 'PUT', '/readyz', 405, /use GET/],
    ['an events query naming __proto__', 'GET', '/api/v1/events?__proto__=x', 400, /unknown parameter\(s\) __proto__/],
    ['an events query naming constructor', 'GET', '/api/v1/events?constructor=x', 400, /unknown parameter\(s\) constructor/],
    ['an events limit in exponent form', 'GET', '/api/v1/events?limit=1e3', 400, /limit: must be a whole number/],
    ['an events limit of 21 digits', 'GET', '/api/v1/events?limit=999999999999999999999', 400, /limit: must be at most 1000/],
    ['a repeated events parameter', 'GET', '/api/v1/events?limit=1&limit=2', 400, /limit: must be given once/],
    ['a broken percent-encoding in the query', 'GET', '/api/v1/events?namespace=%E0%A4%A', 400, /namespace: must be a Kubernetes namespace name/],
    ['an unknown path', 'GET', '/api/v2/alerts', 404, /no route GET \/api\/v2\/alerts/],
  ])('%s: %d', async (_description, method, path, status, message) => {
    const answer = await send(url, method, path, JSON_TYPE);
    expect(answer.status).toBe(status);
    expect((JSON.parse(answer.body) as { error: string }).error).toMatch(message);
    if (status === 405) expect(answer.headers.allow).toMatch(/^(GET|POST)$/);
  });

  test('probes and metrics ignore a body and a query', async () => {
    for (const path of ['/healthz?x=1', '/readyz', '/metrics?name[]=x']) {
      expect((await send(url, 'GET', path, { ...JSON_TYPE, 'content-encoding': 'gzip', 'content-length': '8' }, 'not gzip')).status).toBe(200);
    }
  });

  test('nothing above answered 5xx', async () => {
    const text = await metrics.registry.getSingleMetricAsString('metricops_feedback_notifications_total');
    expect(text).not.toContain('result="failed"');
  });
});
