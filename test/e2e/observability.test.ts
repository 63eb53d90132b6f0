// The harness' stand-ins for what a real cluster has: pods (the pod stand-in runs the example app), Prometheus
// scraping it and evaluating rules, Alertmanager notifying a webhook with a bearer token. No metricops code here.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startAlertmanager, type Alertmanager } from './harness/alertmanager.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { startPodStandIn, type PodStandIn } from './harness/pod-stand-in.js';
import { freePort } from './harness/ports.js';
import { startPrometheus, type Prometheus } from './harness/prometheus.js';
import { waitFor } from './harness/wait.js';
import { runLoad } from '../../examples/app/load-generator.js';

const cluster = e2eCluster();
const namespace = uniqueNamespace('observability');

const deployment = (version: string): string => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'checkout', namespace },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'checkout' } },
    template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: `example.com/metricops/checkout:${version}` }] } },
  },
});

interface Received { authorization: string | undefined; body: { status: string; alerts: { labels: Record<string, string> }[] } }

let workDir: string;
let standIn: PodStandIn;
let prometheus: Prometheus;
let alertmanager: Alertmanager;
let receiver: Server;
let appPort: number;
const loadControl = new AbortController();
const received: Received[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metricops-observability-'));
  expect((await cluster.kubectl(['create', 'namespace', namespace])).code).toBe(0);
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(body) as Received['body'] });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  appPort = await freePort();
  standIn = startPodStandIn({ kubeConfig: cluster.kubeConfig, namespace, deployment: 'checkout', port: appPort, logDir: workDir, errorRatio: 0.5 });
  await writeFile(join(workDir, 'rules.yaml'), [
    'groups:',
    '  - name: harness',
    '    rules:',
    '      - alert: CheckoutErrors',
    '        expr: sum(rate(http_requests_total{job="checkout",code=~"5.."}[30s])) > 0',
    '        labels: { namespace: ' + namespace + ', deployment: checkout }',
    '',
  ].join('\n'));
  alertmanager = await startAlertmanager({
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, bearerToken: 'harness-secret',
  });
  prometheus = await startPrometheus({
    ruleFiles: [join(workDir, '*.yaml')],
    scrapeJobs: [{ job: 'checkout', targets: [`127.0.0.1:${appPort}`] }],
    alertmanager: alertmanager.address,
  });
});

afterAll(async () => {
  loadControl.abort();
  await standIn?.stop();
  await prometheus?.stop();
  await alertmanager?.stop();
  receiver?.close();
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  await rm(workDir, { recursive: true, force: true });
});

describe('the pod stand-in, Prometheus and Alertmanager', () => {
  test('the stand-in serves the version of the pod template and marks the pods ready, so the rollout completes', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment('v1') })).code).toBe(0);
    expect((await standIn.waitForVersion('v1')).image).toBe('example.com/metricops/checkout:v1');
    const rollout = await cluster.kubectl(['rollout', 'status', `deployment/checkout`, '-n', namespace, '--timeout=60s']);
    expect(rollout.code).toBe(0);
  });

  test('Prometheus loads the rule file and scrapes the app', async () => {
    expect(await prometheus.ruleNames()).toEqual(['CheckoutErrors']);
    const up = await waitFor(async () => {
      const samples = await prometheus.query('up{job="checkout"}');
      return samples[0]?.value[1] === '1' ? samples : undefined;
    }, { what: 'the checkout target to be up' });
    expect(up).toHaveLength(1);
  });

  test('a template change to v2 restarts the app as v2; its errors fire the alert; Alertmanager posts it with the bearer token', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment('v2') })).code).toBe(0);
    await standIn.waitForVersion('v2');
    const load = runLoad({ url: `http://127.0.0.1:${appPort}/checkout`, rate: 20, durationMs: 60_000, signal: loadControl.signal });
    const notification = await waitFor(() => received.find((entry) => entry.body.status === 'firing'), {
      what: 'a firing notification from Alertmanager', timeoutMs: 60_000, intervalMs: 500,
    });
    expect(notification.authorization).toBe('Bearer harness-secret');
    expect(notification.body.alerts[0]?.labels).toMatchObject({ alertname: 'CheckoutErrors', namespace, deployment: 'checkout' });
    expect(standIn.history.map((change) => change.version)).toEqual(['v1', 'v2']);
    loadControl.abort();
    const report = await load;
    expect(report.byStatus['500']).toBeGreaterThan(0);
  });
});
