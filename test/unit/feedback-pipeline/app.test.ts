import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';
import { Authenticator } from '../../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile } from '../../../common/credential-file.js';
import type { DecisionRecord } from '../../../feedback-pipeline/model.js';
import { AuditHistory } from '../../../feedback-pipeline/history/audit-history.js';
import { FeedbackMetrics } from '../../../feedback-pipeline/metrics.js';
import { createFeedbackServer, type FeedbackServer } from '../../../feedback-pipeline/app.js';
import { listen, RecordingSink, webhookAlert, webhookPayload } from './intake/fixtures.js';

const TOKEN = 'alertmanager-token-1';

function decision(id: string, time: string, namespace?: string, name?: string): DecisionRecord {
  return {
    id,
    time,
    outcome: namespace ? 'rolled-back' : 'skipped',
    reason: 'test',
    alert: { name: 'A', fingerprint: `f-${id}`, labels: {}, startsAt: time, source: 'webhook' },
    ...(namespace && name ? { deployment: { namespace, name } } : {}),
  };
}

describe('feedback server', () => {
  let dir: string;
  let sink: RecordingSink;
  let metrics: FeedbackMetrics;
  let server: FeedbackServer;
  let url: string;
  let close: () => Promise<void>;
  let ready: boolean;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-server-'));
    await writeFile(join(dir, 'token'), `${TOKEN}\n`);
    await writeFile(join(dir, 'basic'), 'alertmanager:s3cret\n');
    await mkdir(join(dir, 'repo', 'audit'), { recursive: true });
    const lines = (records: DecisionRecord[]) => records.map((record) => JSON.stringify(record) + '\n').join('');
    await writeFile(
      join(dir, 'repo', 'audit', '2026-11-20.jsonl'),
      lines([decision('1', '2026-11-20T10:00:00.000Z', 'shop', 'checkout'), decision('2', '2026-11-20T11:00:00.000Z', 'shop', 'cart')]),
    );
    await writeFile(
      join(dir, 'repo', 'audit', '2026-11-21.jsonl'),
      lines([decision('3', '2026-11-21T09:00:00.000Z', 'shop', 'checkout'), decision('4', '2026-11-21T09:30:00.000Z'), decision('5', '2026-11-21T10:00:00.000Z', 'blog', 'checkout')]),
    );
    sink = new RecordingSink();
    metrics = new FeedbackMetrics(new Registry());
    ready = true;
    const logger = silentLogger();
    server = createFeedbackServer({
      sink,
      authenticator: new Authenticator({ bearer: new CredentialFile(join(dir, 'token'), logger), basic: new CredentialFile(join(dir, 'basic'), logger) }),
      history: new AuditHistory(join(dir, 'repo'), () => [], logger),
      metrics,
      clock: new ManualClock('2026-11-21T14:31:00Z'),
      logger,
      bodyLimit: 4096,
      ready: () => ready,
    });
    ({ url, close } = await listen(server.app));
  });

  afterEach(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const get = (path: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`${url}${path}`, { headers });

  test('an accepted notification answers 202 and hands every alert to the pipeline, converted', async () => {
    const second = webhookAlert({ status: 'resolved', fingerprint: 'beef', endsAt: '2026-11-21T14:35:00+01:00', generatorURL: '' });
    const response = await post(webhookPayload({ alerts: [webhookAlert(), second] }));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2 });
    expect(sink.submitted).toHaveLength(1);
    expect(sink.alerts).toEqual([
      {
        fingerprint: 'c0ffee0123456789',
        status: 'firing',
        labels: { alertname: 'CheckoutErrorBudgetBurn', slo: 'checkout-availability', slo_severity: 'page', namespace: 'shop', deployment: 'checkout' },
        annotations: { summary: 'checkout burns its error budget' },
        startsAt: new Date('2026-11-21T14:30:00.123Z'),
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
        source: 'webhook',
        receivedAt: new Date('2026-11-21T14:31:00Z'),
      },
      expect.objectContaining({ fingerprint: 'beef', status: 'resolved', endsAt: new Date('2026-11-21T13:35:00Z') }),
    ]);
    expect(sink.alerts[1]).not.toHaveProperty('generatorURL');
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_notifications_total')).toContain('source="webhook",result="accepted"} 1');
  });

  test('200 concurrent notifications are all accepted and every alert is submitted exactly once', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, index) => post(webhookPayload({ alerts: [webhookAlert({ fingerprint: `fp-${index}` })] })).then((response) => response.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(new Set(sink.alerts.map((alert) => alert.fingerprint)).size).toBe(200);
    expect(sink.alerts).toHaveLength(200);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_alerts_received_total')).toContain('source="webhook"} 200');
  });

  test.each([
    ['a payload of another version', { version: '3' }, 'version'],
    ['a missing groupKey', { groupKey: undefined }, 'groupKey'],
    ['a negative truncatedAlerts', { truncatedAlerts: -1 }, 'truncatedAlerts'],
    ['a status that is neither firing nor resolved', { status: 'pending' }, 'status'],
    ['a receiver that is not a string', { receiver: 7 }, 'receiver'],
    ['a group label that is not a string', { groupLabels: { a: 1 } }, 'groupLabels.a'],
    ['commonLabels missing', { commonLabels: undefined }, 'commonLabels'],
    ['commonAnnotations as a list', { commonAnnotations: [] }, 'commonAnnotations'],
    ['externalURL missing', { externalURL: undefined }, 'externalURL'],
    ['alerts not a list', { alerts: {} }, 'alerts'],
    ['an alert with a bad status', { alerts: [webhookAlert({ status: 'active' })] }, 'alerts[0].status'],
    ['an alert label that is not a string', { alerts: [webhookAlert(), webhookAlert({ labels: { slo: true } })] }, 'alerts[1].labels.slo'],
    ['an alert without annotations', { alerts: [webhookAlert({ annotations: undefined })] }, 'alerts[0].annotations'],
    ['an alert whose startsAt is not RFC 3339', { alerts: [webhookAlert({ startsAt: 'yesterday' })] }, 'alerts[0].startsAt'],
    ['an alert whose endsAt is an impossible date', { alerts: [webhookAlert({ endsAt: '2026-13-45T99:00:00Z' })] }, 'alerts[0].endsAt'],
    ['an alert without generatorURL', { alerts: [webhookAlert({ generatorURL: undefined })] }, 'alerts[0].generatorURL'],
    ['an alert with an empty fingerprint', { alerts: [webhookAlert({ fingerprint: '' })] }, 'alerts[0].fingerprint'],
  ])('%s is refused with 400 naming the field', async (_description, overrides, path) => {
    const response = await post(webhookPayload(overrides));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; issues: Array<{ path?: string; message: string }> };
    expect(body.issues.map((issue) => issue.path)).toContain(path);
    expect(body.error).toContain(`request body: ${path}:`);
    expect(sink.submitted).toHaveLength(0);
  });

  test('every problem in a payload is reported, not only the first', async () => {
    const response = await post(webhookPayload({ version: '2', status: 'x', alerts: [webhookAlert({ fingerprint: 3 })] }));
    const body = (await response.json()) as { issues: Array<{ path: string }> };
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['alerts[0].fingerprint', 'status', 'version']);
  });

  test('a body that is not JSON is a 400 saying so', async () => {
    const response = await post('{"version": "4",');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/not JSON/);
  });

  test('a body above the limit is a 413 naming the limit', async () => {
    const response = await post(webhookPayload({ commonAnnotations: { description: 'x'.repeat(5000) } }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/larger than the limit of 4096 bytes; lower Alertmanager's max_alerts/);
    expect(sink.submitted).toHaveLength(0);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_notifications_total')).toContain('result="too-large"} 1');
  });

  test('a pipeline that cannot take the alerts makes a 503 so Alertmanager retries', async () => {
    sink.refuse = 'queue full (1000 alerts)';
    const response = await post(webhookPayload());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { error: string }).error).toContain('queue full');
  });

  test('after shutdown begins notifications answer 503 and /readyz fails', async () => {
    server.beginShutdown();
    expect((await post(webhookPayload())).status).toBe(503);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(sink.submitted).toHaveLength(0);
  });

  test.each([
    ['no Authorization header', {}, 401],
    ['a wrong bearer token', { authorization: 'Bearer alertmanager-token-2' }, 401],
    ['a bearer token that is a prefix of the right one', { authorization: 'Bearer alertmanager' }, 401],
    ['an unknown scheme', { authorization: `Token ${TOKEN}` }, 401],
    ['basic auth with a wrong password', { authorization: `Basic ${Buffer.from('alertmanager:nope').toString('base64')}` }, 401],
    ['the right bearer token', { authorization: `Bearer ${TOKEN}` }, 202],
    ['the bearer scheme in lower case', { authorization: `bearer ${TOKEN}` }, 202],
    ['the right basic credentials', { authorization: `Basic ${Buffer.from('alertmanager:s3cret').toString('base64')}` }, 202],
  ])('a notification with %s answers %d', async (_description, headers, status) => {
    const response = await post(webhookPayload(), headers as Record<string, string>);
    expect(response.status).toBe(status);
    if (status === 401) {
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metricops", Basic realm="metricops", charset="UTF-8"');
      expect(sink.submitted).toHaveLength(0);
    } else {
      expect(sink.submitted).toHaveLength(1);
    }
  });

  test('a rotated token file takes effect without a restart', async () => {
    await writeFile(join(dir, 'token'), 'rotated-token\n');
    expect((await post(webhookPayload())).status).toBe(401);
    expect((await post(webhookPayload(), { authorization: 'Bearer rotated-token' })).status).toBe(202);
  });

  test('an unauthenticated request is refused before its body is read', async () => {
    const response = await post('not json at all', {});
    expect(response.status).toBe(401);
  });

  test.each([
    ['no filter', '', ['5', '4', '3', '2', '1']],
    ['a namespace', '?namespace=shop', ['3', '2', '1']],
    ['a deployment name in every namespace', '?deployment=checkout', ['5', '3', '1']],
    ['namespace and deployment', '?namespace=shop&deployment=checkout', ['3', '1']],
    ['a limit', '?limit=2', ['5', '4']],
    ['a filter and a limit across day files', '?namespace=shop&limit=2', ['3', '2']],
  ])('the history with %s is newest first', async (_description, query, ids) => {
    const response = await get(`/api/v1/events${query}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { events: DecisionRecord[] };
    expect(body.events.map((event) => event.id)).toEqual(ids);
  });

  test.each([
    ['a limit that is not a number', '?limit=ten', 'limit'],
    ['a limit of 0', '?limit=0', 'limit'],
    ['a limit above 1000', '?limit=5000', 'limit'],
    ['a namespace that is not a DNS label', '?namespace=Shop_1', 'namespace'],
    ['a parameter given twice', '?namespace=a&namespace=b', 'namespace'],
  ])('the history refuses %s with 400 naming it', async (_description, query, path) => {
    const response = await get(`/api/v1/events${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: Array<{ path?: string; message: string }> };
    expect(body.issues.map((issue) => issue.path)).toContain(path);
  });

  test('the history refuses unknown parameters, listing the known ones', async () => {
    const response = await get('/api/v1/events?namepsace=shop');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/namepsace: use namespace, deployment, limit/);
  });

  test('the history needs credentials too', async () => {
    expect((await get('/api/v1/events', {})).status).toBe(401);
  });

  test('health, readiness and metrics need no credentials', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    ready = false;
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('metricops_feedback_audit_backlog');
    expect(text).toContain('metricops_feedback_rollback_latency_seconds');
  });

  test('an unknown route is a 404 listing the routes', async () => {
    const response = await fetch(`${url}/api/v2/alerts`);
    expect(response.status).toBe(404);
  });
});
