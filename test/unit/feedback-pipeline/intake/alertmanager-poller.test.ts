import { Registry } from 'prom-client';
import { systemClock } from '../../../../common/clock.js';
import { createLogger, silentLogger } from '../../../../common/logger.js';
import { AlertmanagerPoller, alertsEndpoint, POLL_SUBMIT_CHUNK } from '../../../../feedback-pipeline/intake/alertmanager-poller.js';
import type { Alert } from '../../../../feedback-pipeline/model.js';
import { FeedbackMetrics } from '../../../../feedback-pipeline/metrics.js';
import { listen, RecordingSink, waitFor } from './fixtures.js';
import { RealAlertmanager } from './real-alertmanager.js';
import express from 'express';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialFile } from '../../../../common/credential-file.js';

const NULL_RECEIVER = `route:
  receiver: blackhole
receivers:
  - name: blackhole
`;

describe('AlertmanagerPoller against a real Alertmanager 0.25', () => {
  let alertmanager: RealAlertmanager;
  beforeAll(async () => {
    alertmanager = await RealAlertmanager.start(NULL_RECEIVER);
  }, 30_000);
  afterAll(async () => {
    await alertmanager?.stop();
  });

  test('active alerts are submitted as source poll; silenced ones are not', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await alertmanager.postAlerts([
      { labels: { alertname: 'CheckoutBurn', namespace: 'shop', deployment: 'checkout', slo_severity: 'page' }, annotations: { summary: 'burning' }, startsAt, generatorURL: 'http://prometheus/graph' },
      { labels: { alertname: 'CartBurn', namespace: 'shop', deployment: 'cart', slo_severity: 'page' }, annotations: {}, startsAt },
    ]);
    await alertmanager.silence({ alertname: 'CartBurn' });
    const sink = new RecordingSink();
    const metrics = new FeedbackMetrics(new Registry());
    const poller = new AlertmanagerPoller({ url: alertmanager.url, sink, clock: systemClock, logger: silentLogger(), metrics });
    const alerts = await waitFor('the firing alert in a poll', async () => {
      const result = await poller.pollOnce();
      expect(result.outcome).toBe('submitted');
      const polled = sink.submitted.at(-1) ?? [];
      const names = polled.map((alert) => alert.labels.alertname);
      return names.includes('CheckoutBurn') && !names.includes('CartBurn') ? polled : undefined;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      source: 'poll',
      labels: { alertname: 'CheckoutBurn', namespace: 'shop', deployment: 'checkout', slo_severity: 'page' },
      annotations: { summary: 'burning' },
      startsAt: new Date(startsAt),
      generatorURL: 'http://prometheus/graph',
    });
    expect(alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_poll_failures_total')).toMatch(/ 0$/m);
  }, 30_000);

  test('the node-cron schedule polls on its own', async () => {
    await alertmanager.postAlerts([{ labels: { alertname: 'Scheduled', namespace: 'shop', deployment: 'web' }, startsAt: new Date().toISOString() }]);
    const sink = new RecordingSink();
    const poller = new AlertmanagerPoller({ url: alertmanager.url, schedule: '* * * * * *', sink, clock: systemClock, logger: silentLogger() });
    poller.start();
    try {
      await waitFor('a scheduled poll', () => (sink.alerts.some((alert) => alert.labels.alertname === 'Scheduled') ? true : undefined), 15_000);
    } finally {
      await poller.stop();
    }
  }, 30_000);
});

describe('AlertmanagerPoller failures', () => {
  test.each([
    ['nothing listens at the URL', null, /cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v2\/alerts/],
    ['Alertmanager answers 500', { status: 500, body: 'boom' }, /answered 500: boom/],
    ['the answer is not JSON', { status: 200, body: '<html>' }, /not JSON/],
    ['the answer is not a list of alerts', { status: 200, body: JSON.stringify({ alerts: [] }) }, /must be a JSON array of alerts/],
  ])('a poll where %s is counted and logged, never thrown', async (_description, answer, message) => {
    const app = express();
    app.get('/api/v2/alerts', (_req, res) => {
      res.status(answer!.status).send(answer!.body);
    });
    const server = await listen(app);
    if (answer === null) await server.close();
    const sink = new RecordingSink();
    const metrics = new FeedbackMetrics(new Registry());
    const poller = new AlertmanagerPoller({ url: server.url, sink, clock: systemClock, logger: silentLogger(), metrics });
    const result = await poller.pollOnce();
    if (answer !== null) await server.close();
    expect(result).toEqual({ outcome: 'failed', error: expect.stringMatching(message) });
    expect(sink.submitted).toHaveLength(0);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_poll_failures_total')).toMatch(/ 1$/m);
  });

  test('entries that are not valid alerts (impossible dates, prototype keys as objects) are left out, logged and counted; the others are taken', async () => {
    const valid = (fingerprint: string, extra: Record<string, unknown> = {}) => ({
      labels: { alertname: 'CheckoutBurn', namespace: 'shop', deployment: 'checkout' },
      annotations: {},
      startsAt: '2026-11-21T10:00:00Z',
      endsAt: '2026-11-21T11:00:00Z',
      fingerprint,
      receivers: [{ name: 'metricops' }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
      ...extra,
    });
    const body = JSON.stringify([valid('a'), valid('b', { startsAt: '2026-02-30T10:00:00Z' }), valid('c', { endsAt: '2026-11-21T25:00:00Z' }), valid('d')]).replace(
      '"labels":{"alertname":"CheckoutBurn"',
      '"labels":{"__proto__":"kept","alertname":"CheckoutBurn"',
    );
    const app = express();
    app.get('/api/v2/alerts', (_req, res) => {
      res.type('application/json').send(body);
    });
    const server = await listen(app);
    const sink = new RecordingSink();
    const metrics = new FeedbackMetrics(new Registry());
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', name: 'poller', destination: { write: (line: string) => lines.push(line) } as never });
    try {
      const poller = new AlertmanagerPoller({ url: server.url, sink, clock: systemClock, logger, metrics });
      expect(await poller.pollOnce()).toEqual({ outcome: 'submitted', alerts: 2, invalid: 2, deferred: 0 });
    } finally {
      await server.close();
    }
    expect(sink.alerts.map((alert) => alert.fingerprint)).toEqual(['a', 'd']);
    expect(Object.entries(sink.alerts[0]!.labels)[0]).toEqual(['__proto__', 'kept']);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_poll_invalid_alerts_total')).toMatch(/ 2$/m);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_poll_failures_total')).toMatch(/ 0$/m);
    const warning = lines.map((line) => JSON.parse(line) as { msg: string; entries: Array<{ index: number; fingerprint: string; issues: string[] }> }).find((line) => line.entries);
    expect(warning?.entries.map((entry) => [entry.index, entry.fingerprint])).toEqual([[1, 'b'], [2, 'c']]);
    expect(warning?.entries[0]!.issues[0]).toMatch(/\[1\]\.startsAt: "2026-02-30T10:00:00Z" is not a real date and time/);
  });

  test('a poll larger than the pipeline takes at once goes in parts; a busy pipeline defers the rest to the next poll', async () => {
    const alerts = Array.from({ length: 1_200 }, (_, index) => ({
      labels: { alertname: `A${index}` },
      annotations: {},
      startsAt: '2026-11-21T10:00:00Z',
      endsAt: '2026-11-21T11:00:00Z',
      fingerprint: `f${index}`,
      receivers: [{ name: 'metricops' }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    }));
    const app = express();
    app.get('/api/v2/alerts', (_req, res) => {
      res.json(alerts);
    });
    const server = await listen(app);
    const sink = new RecordingSink();
    let taken = 0;
    const busyAfter1000 = { submit: (batch: Alert[]) => {
      if (taken + batch.length > 1_000) throw new Error('busy');
      taken += batch.length;
      sink.submit(batch);
    } };
    try {
      const poller = new AlertmanagerPoller({ url: server.url, sink: busyAfter1000, clock: systemClock, logger: silentLogger() });
      expect(await poller.pollOnce()).toEqual({ outcome: 'submitted', alerts: 1_000, invalid: 0, deferred: 200 });
      expect(sink.submitted.map((batch) => batch.length)).toEqual([POLL_SUBMIT_CHUNK, POLL_SUBMIT_CHUNK]);
    } finally {
      await server.close();
    }
  });

  test('a poll while another is still running is skipped', async () => {
    let release: () => void = () => undefined;
    let arrived = false;
    const app = express();
    app.get('/api/v2/alerts', async (_req, res) => {
      arrived = true;
      await new Promise<void>((resolve) => (release = resolve));
      res.json([]);
    });
    const server = await listen(app);
    const poller = new AlertmanagerPoller({ url: server.url, sink: new RecordingSink(), clock: systemClock, logger: silentLogger() });
    const first = poller.pollOnce();
    await waitFor('the first poll to reach the server', () => (arrived ? true : undefined));
    expect(await poller.pollOnce()).toEqual({ outcome: 'skipped' });
    release();
    expect(await first).toEqual({ outcome: 'submitted', alerts: 0, invalid: 0, deferred: 0 });
    await server.close();
  });

  test('a bearer token file authenticates the poll and is re-read after rotation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-poll-token-'));
    const seen: Array<string | undefined> = [];
    const app = express();
    app.get('/api/v2/alerts', (req, res) => {
      seen.push(req.get('authorization'));
      res.json([]);
    });
    const server = await listen(app);
    try {
      await writeFile(join(dir, 'token'), 'first\n');
      const bearer = new CredentialFile(join(dir, 'token'), silentLogger());
      const poller = new AlertmanagerPoller({ url: server.url, sink: new RecordingSink(), clock: systemClock, logger: silentLogger(), bearer });
      await poller.pollOnce();
      await writeFile(join(dir, 'token'), 'second-longer\n');
      await poller.pollOnce();
      expect(seen).toEqual(['Bearer first', 'Bearer second-longer']);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('credentials in the Alertmanager URL become a Basic header and never appear in the URL or errors', async () => {
    const endpoint = alertsEndpoint('https://bot:p%40ss@alertmanager.example:9093/prefix');
    expect(endpoint.url).toBe('https://alertmanager.example:9093/prefix/api/v2/alerts?active=true&silenced=false&inhibited=false');
    expect(endpoint.authorization).toBe(`Basic ${Buffer.from('bot:p@ss').toString('base64')}`);
    const poller = new AlertmanagerPoller({ url: 'http://bot:secret@127.0.0.1:1', sink: new RecordingSink(), clock: systemClock, logger: silentLogger() });
    const result = await poller.pollOnce();
    expect(JSON.stringify(result)).not.toContain('secret');
  });
});
