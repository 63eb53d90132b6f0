/**
 * `npm run bench -- ui`: the web UI's overview with 10,000 guarded Deployments. A private local control plane
 * (test/e2e/harness) holds 10,000 stamped Deployments (1,000 SLOs guard 10 each; every fifth has a rollback record),
 * a real Prometheus records each SLO's budget and burn rate, and `metricops feedback --ui-port` (the built CLI)
 * serves the pages from its informer cache. Measured per overview page: the server's own time (the Server-Timing
 * header: query parsing, filter, sort and page of 10,000, the Prometheus round trip, rendering) and the page weight
 * (HTML plus the assets it loads); next to the floors in the same run: GET /healthz of the UI port (HTTP alone) and
 * the page's Prometheus query made directly.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Annotations } from '../common/contract/annotations.js';
import { startControlPlane } from '../test/e2e/harness/control-plane.js';
import { stampedDeployment, startFeedback, type FeedbackProcess } from '../test/e2e/harness/feedback-fixtures.js';
import { freePort } from '../test/e2e/harness/ports.js';
import { startPrometheus, type Prometheus } from '../test/e2e/harness/prometheus.js';
import { waitFor } from '../test/e2e/harness/wait.js';
import type { BenchPart } from './run.js';

const SCALE = 10_000;
const NAMESPACES = 20;
const SLOS = 1_000;
const PARALLELISM = 24;
const REQUESTS = 300;
const SERVER_P99_GOAL_MS = 200;
const WEIGHT_GOAL_KB = 300;

const sloOf = (index: number) => `slo-${String(index % SLOS).padStart(4, '0')}`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (value: number) => value.toFixed(1);

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** Each SLO's series as the compiler names them, recorded by Prometheus from constants. */
function sloRules(): string {
  const rules = Array.from({ length: SLOS }, (_, index) => {
    const labels = { sloth_id: sloOf(index), sloth_service: 'bench', sloth_slo: sloOf(index) };
    return [
      { record: 'slo:period_error_budget_remaining:ratio', expr: `vector(${(1 - (index % 97) / 100).toFixed(2)})`, labels },
      { record: 'slo:current_burn_rate:ratio', expr: `vector(${((index % 13) / 10).toFixed(1)})`, labels },
    ];
  }).flat();
  return yaml.dump({ groups: [{ name: 'bench-slos', rules }] });
}

function rolledBackFrom(index: number, at: Date): string {
  return JSON.stringify({
    alert: { name: 'BenchBurn', fingerprint: `f${index}`, startsAt: at.toISOString() },
    time: new Date(at.getTime() + 20_000).toISOString(),
    reason: `alert BenchBurn (severity page) started 20s after the rollout at ${at.toISOString()}: roll back to revision 1 (app-${index}-1)`,
    from: { revision: 2, replicaSet: `app-${index}-2`, images: { checkout: 'example.com/metricops/checkout:v2', 'init:migrate': 'example.com/metricops/migrate:v2' } },
    to: { revision: 1, replicaSet: `app-${index}-1`, images: { checkout: 'example.com/metricops/checkout:v1', 'init:migrate': 'example.com/metricops/migrate:v1' } },
  });
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<{ clientMs: number; serverMs: number; bytes: number; status: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const body = await response.arrayBuffer();
  const clientMs = performance.now() - started;
  const serverMs = Number(/render;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1] ?? NaN);
  return { clientMs, serverMs, bytes: body.byteLength, status: response.status };
}

/** The bytes of a page and of each same-origin stylesheet and script it loads. */
async function pageWeight(base: string, path: string): Promise<{ html: number; assets: number }> {
  const html = await (await fetch(`${base}${path}`)).text();
  const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
  let total = 0;
  for (const asset of new Set(assets)) total += (await (await fetch(`${base}${asset}`)).arrayBuffer()).byteLength;
  return { html: Buffer.byteLength(html), assets: total };
}

const part: BenchPart = {
  name: 'ui',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-bench-ui-'));
    const controlPlane = await startControlPlane({ controllerManagerArgs: ['--kube-api-qps=300', '--kube-api-burst=600', '--concurrent-deployment-syncs=10'] });
    let prometheus: Prometheus | undefined;
    let feedback: FeedbackProcess | undefined;
    try {
      const apps = controlPlane.kubeConfig.makeApiClient(AppsV1Api);
      const core = controlPlane.kubeConfig.makeApiClient(CoreV1Api);
      const namespaces = Array.from({ length: NAMESPACES }, (_, index) => `ui-${String(index).padStart(2, '0')}`);
      for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
      const deployedAt = new Date(Date.now() - 3_600_000);
      const started = performance.now();
      await inParallel(Array.from({ length: SCALE }, (_, index) => index), PARALLELISM, async (index) => {
        const body = stampedDeployment({ namespace: namespaces[index % NAMESPACES]!, name: `app-${String(index).padStart(5, '0')}`, version: 'v1', deployedAt, replicas: 0 });
        const slo = sloOf(index);
        body.metadata!.annotations![Annotations.slo] = slo;
        body.metadata!.annotations![Annotations.rules] = JSON.stringify([
          { alert: 'BenchBurn', severity: 'page', slo, labels: { slo, slo_severity: 'page' } },
          { alert: 'BenchBurn', severity: 'ticket', slo, labels: { slo, slo_severity: 'ticket' } },
        ]);
        if (index % 5 === 0) body.metadata!.annotations![Annotations.rolledBackFrom] = rolledBackFrom(index, deployedAt);
        await apps.createNamespacedDeployment({ namespace: body.metadata!.namespace!, body });
      });
      const createSeconds = (performance.now() - started) / 1000;
      process.stdout.write(`[bench] ${SCALE} Deployments created in ${fmt(createSeconds)} s\n`);
      // Let the controller finish their ReplicaSets, so it does not compete with the measurement.
      await waitFor(async () => {
        const page = await apps.listReplicaSetForAllNamespaces({ limit: 1 });
        return page.items.length + (page.metadata?.remainingItemCount ?? 0) >= SCALE;
      }, { what: 'the ReplicaSets of the bench Deployments', timeoutMs: 900_000, intervalMs: 2_000 });

      await writeFile(join(dir, 'slos.rules.yaml'), sloRules());
      prometheus = await startPrometheus({ ruleFiles: [join(dir, '*.rules.yaml')], scrapeJobs: [] });
      await waitFor(async () => (await prometheus!.query('count(slo:current_burn_rate:ratio)'))[0]?.value[1] === String(SLOS), { what: 'Prometheus to record every SLO', timeoutMs: 60_000 });
      const uiPort = await freePort();
      feedback = await startFeedback({
        name: 'ui', kubeconfigPath: controlPlane.kubeconfigPath, dir,
        extraArgs: ['--ui-port', String(uiPort), '--ui-host', '127.0.0.1', '--prometheus-url', prometheus.url],
      });
      const ui = `http://127.0.0.1:${uiPort}`;
      const first = await timed(`${ui}/`);
      if (first.status !== 200) throw new Error(`GET / answered ${first.status}`);

      const loadBefore = loadavg()[0]!;
      const paths = Array.from({ length: REQUESTS }, (_, index) => {
        const page = 1 + ((index * 37) % (SCALE / 50));
        if (index % 4 === 1) return `/?namespace=${namespaces[index % NAMESPACES]}&page=${1 + (index % 10)}`;
        if (index % 4 === 2) return `/?name=app-0${index % 10}&page=${1 + (index % 20)}`;
        if (index % 4 === 3) return `/?page=${1 + (index % 100)}&per_page=100`;
        return `/?page=${page}`;
      });
      const overview: Array<{ clientMs: number; serverMs: number; bytes: number }> = [];
      const health: number[] = [];
      const direct: number[] = [];
      for (const path of paths) {
        const result = await timed(`${ui}${path}`);
        if (result.status !== 200) throw new Error(`GET ${path} answered ${result.status}`);
        overview.push(result);
        health.push((await timed(`${ui}/healthz`)).clientMs);
        // The query the overview makes for a page of 50 Deployments' SLOs, straight to Prometheus.
        const ids = Array.from({ length: 50 }, (_, index) => sloOf(index * 7 + overview.length)).join('|');
        const query = `{__name__=~"slo:period_error_budget_remaining:ratio|slo:current_burn_rate:ratio",sloth_id=~"${ids}"}`;
        const at = performance.now();
        await (await fetch(`${prometheus.url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query }).toString() })).arrayBuffer();
        direct.push(performance.now() - at);
      }
      const loadAfter = loadavg()[0]!;
      const server = overview.map((entry) => entry.serverMs).sort((a, b) => a - b);
      const client = overview.map((entry) => entry.clientMs).sort((a, b) => a - b);
      const bytes = overview.map((entry) => entry.bytes).sort((a, b) => a - b);
      const fifty = overview.filter((_, index) => index % 4 !== 3).map((entry) => entry.bytes).sort((a, b) => a - b);
      const hundred = overview.filter((_, index) => index % 4 === 3).map((entry) => entry.bytes).sort((a, b) => a - b);
      health.sort((a, b) => a - b);
      direct.sort((a, b) => a - b);
      const weightOverview = await pageWeight(ui, '/?per_page=100&page=7');
      const weightDeployment = await pageWeight(ui, `/deployments/${namespaces[0]}/app-00000`);
      const weightSlo = await pageWeight(ui, `/slos/${sloOf(0)}`);
      const kb = (value: number) => (value / 1024).toFixed(1);
      const p99 = percentile(server, 99);
      const heaviest = Math.max(weightOverview.html + weightOverview.assets, bytes.at(-1)! + weightOverview.assets, weightDeployment.html + weightDeployment.assets, weightSlo.html + weightSlo.assets);
      return [
        `Private local control plane (test/e2e/harness) with ${SCALE} stamped Deployments in ${NAMESPACES} namespaces (replicas 0;`,
        `${SLOS} SLOs guard 10 each, two guarding alerts each; every fifth carries a \`metricops.io/rolled-back-from\` record), created`,
        `with ${PARALLELISM} requests in flight in ${fmt(createSeconds)} s. Prometheus 2.42 (Debian) records each SLO's`,
        '`slo:period_error_budget_remaining:ratio` and `slo:current_burn_rate:ratio`. `metricops feedback --ui-port',
        '--prometheus-url` (the built CLI, its own process) serves the pages from its informer cache. The bench process asks',
        `${REQUESTS} overview pages one after the other: 50 per page at pages spread over all ${SCALE / 50}, a namespace filter,`,
        'a name filter, and 100 per page. 1-minute load average ' + `${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (2 cores shared with other engineers' jobs).`,
        '',
        '## Time per overview page',
        '',
        'server: the UI\'s own `Server-Timing` (from the request reaching the route to the answer written: filter, sort and',
        `page of ${SCALE}, one Prometheus round trip (instant query of the page's SLOs and the active alerts, at once), rendering).`,
        'client: the bench\'s request, body included.',
        '',
        '| measure | p50, ms | p99, ms | max, ms |',
        '|---|---|---|---|',
        `| overview, server | ${fmt(percentile(server, 50))} | ${fmt(p99)} | ${fmt(server.at(-1)!)} |`,
        `| overview, client | ${fmt(percentile(client, 50))} | ${fmt(percentile(client, 99))} | ${fmt(client.at(-1)!)} |`,
        `| floor: GET /healthz of the UI port | ${fmt(percentile(health, 50))} | ${fmt(percentile(health, 99))} | ${fmt(health.at(-1)!)} |`,
        `| floor: the page's Prometheus query, made directly | ${fmt(percentile(direct, 50))} | ${fmt(percentile(direct, 99))} | ${fmt(direct.at(-1)!)} |`,
        '',
        `Goal: server time p99 <= ${SERVER_P99_GOAL_MS} ms: ${p99 <= SERVER_P99_GOAL_MS ? 'met' : 'NOT met'} (p99 ${fmt(p99)} ms; ratio of the server p50 to the direct Prometheus query p50: ${(percentile(server, 50) / percentile(direct, 50)).toFixed(1)}).`,
        '',
        '## Page weight',
        '',
        '| page | HTML, KB | + assets it loads (stylesheet; uPlot and the chart script on chart pages), KB | total, KB |',
        '|---|---|---|---|',
        `| overview, 50 per page (median, max of the run) | ${kb(percentile(fifty, 50))}, ${kb(fifty.at(-1)!)} | ${kb(weightOverview.assets)} | ${kb(fifty.at(-1)! + weightOverview.assets)} |`,
        `| overview, 100 per page (median, max of the run) | ${kb(percentile(hundred, 50))}, ${kb(hundred.at(-1)!)} | ${kb(weightOverview.assets)} | ${kb(hundred.at(-1)! + weightOverview.assets)} |`,
        `| one Deployment (with its chart) | ${kb(weightDeployment.html)} | ${kb(weightDeployment.assets)} | ${kb(weightDeployment.html + weightDeployment.assets)} |`,
        `| one SLO (two charts) | ${kb(weightSlo.html)} | ${kb(weightSlo.assets)} | ${kb(weightSlo.html + weightSlo.assets)} |`,
        '',
        `Goal: page weight <= ${WEIGHT_GOAL_KB} KB per page of results: ${heaviest / 1024 <= WEIGHT_GOAL_KB ? 'met' : 'NOT met'} (heaviest ${kb(heaviest)} KB, uncompressed).`,
      ].join('\n');
    } finally {
      await feedback?.stop();
      await prometheus?.stop();
      await controlPlane.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default part;
