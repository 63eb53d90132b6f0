// The web UI and `metricops status` with bad input, on the local control plane and a real Prometheus: HTML-special
// characters in annotations, SLO names, labels and alert text (shown as text, never run), odd annotations (named as
// problems), and a Prometheus that is down or hangs (bounded waits; the page and the table say so).
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Browser, BrowserContext } from 'playwright-core';
import { statusSchema } from '../../feedback-pipeline/ui/overview-json.js';
import { launchBrowser, openPage, screenshot, type PageProblems } from './harness/browser.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { runMetricops, startMetricops } from './harness/metricops-cli.js';
import { freePort } from './harness/ports.js';
import { failOnExit, type ManagedProcess } from './harness/processes.js';
import { startPrometheus, type Prometheus } from './harness/prometheus.js';
import { waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const namespace = uniqueNamespace('ui-odd');
const INJECTED = '<script>window.pwned=1</script>';
const SLO = `odd"><img src=x onerror="window.pwned=2">`;
const ALERT_TEXT = '<b onmouseover="window.pwned=3">burning</b>';
const labels = { sloth_id: SLO, sloth_service: 'odd<svc>', sloth_slo: 'odd', team: `</td>${INJECTED}` };

let workDir: string;
let prometheus: Prometheus;
let hung: Server;
let browser: Browser;
let context: BrowserContext;
const running: ManagedProcess[] = [];
const seen: PageProblems = { problems: [] };

/** `metricops feedback` with the UI on a free port, reading `prometheusUrl`; resolves to the UI's URL once ready. */
async function startUi(name: string, prometheusUrl: string): Promise<string> {
  const [port, uiPort] = [await freePort(), await freePort()];
  const feedback = startMetricops(`metricops feedback (${name})`, [
    'feedback', '--kubeconfig', cluster.kubeconfigPath, '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(workDir, `data-${name}`),
    '--ui-port', String(uiPort), '--prometheus-url', prometheusUrl, '--prometheus-timeout', '1s',
  ], join(workDir, `feedback-${name}.log`));
  running.push(feedback);
  await Promise.race([failOnExit(feedback), waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { what: `feedback (${name}) /readyz`, timeoutMs: 30_000 })]);
  return `http://127.0.0.1:${uiPort}`;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metricops-ui-odd-'));
  // Rules as the compiler names them, with HTML in every label value and in the alert's text.
  const rules = {
    groups: [{
      name: 'odd',
      rules: [
        { record: 'slo:period_error_budget_remaining:ratio', expr: 'vector(0.25)', labels },
        { record: 'slo:current_burn_rate:ratio', expr: 'vector(20)', labels },
        { record: 'slo:error_budget:ratio', expr: 'vector(0.001)', labels },
        { record: 'slo:sli_error:ratio_rate5m', expr: 'vector(0.02)', labels: { ...labels, sloth_window: '5m' } },
        {
          alert: 'OddBurn',
          expr: `slo:sli_error:ratio_rate5m{sloth_id=${JSON.stringify(SLO)}} > (14.4 * 0.001)`,
          labels: { slo: SLO, slo_severity: 'page', namespace, deployment: 'web' },
          annotations: { summary: ALERT_TEXT },
        },
      ],
    }],
  };
  await writeFile(join(workDir, 'odd.rules.yaml'), yaml.dump(rules));
  prometheus = await startPrometheus({ ruleFiles: [join(workDir, '*.rules.yaml')], scrapeJobs: [] });
  // A Prometheus that takes connections and never answers.
  hung = createServer(() => undefined);
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const guards = [{ alert: 'OddBurn', severity: 'page', slo: SLO, labels: { slo: SLO, slo_severity: 'page' } }];
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace,
      annotations: {
        'metricops.io/slo': SLO,
        'metricops.io/rules': JSON.stringify(guards),
        'metricops.io/images': JSON.stringify({ [`app${INJECTED}`]: `registry.example/app:1${INJECTED}` }),
        'metricops.io/deployed-at': `yesterday ${INJECTED}`,
        'metricops.io/watch-window': '1 hour',
      },
    },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } } },
  };
  await cluster.kubectl(['create', 'namespace', namespace]);
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
  if (applied.code !== 0) throw new Error(applied.stderr);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // The odd SLO's alert fires at Prometheus' first evaluation.
  await waitFor(async () => (await prometheus.alerts()).some((alert) => alert.state === 'firing'), { what: 'the odd alert to fire', timeoutMs: 60_000 });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  for (const process of running) await process.stop();
  await prometheus?.stop();
  hung?.close();
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(workDir, { recursive: true, force: true });
});

describe('bad input on the pages and in metricops status', () => {
  test('HTML in annotations, SLO names, labels and alert text is shown as text, never run; odd annotations are named', async () => {
    const ui = await startUi('good', prometheus.url);
    const page = await openPage(context, seen);
    for (const path of ['/', `/deployments/${namespace}/web`, `/slos/${encodeURIComponent(SLO)}`]) {
      expect((await page.goto(`${ui}${path}${path === '/' ? `?namespace=${namespace}` : ''}`))?.status()).toBe(200);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('main img').count()).toBe(0);
      expect(await page.locator('main b[onmouseover], main [onerror]').count()).toBe(0);
      await screenshot(page, `odd${path.replace(/[^a-z]+/g, '-')}`);
      if (path === '/') {
        const row = page.getByRole('row', { name: new RegExp(`${namespace}/web`) });
        expect(await row.locator('.status').textContent()).toContain('burning');
        await expect(row.textContent()).resolves.toContain(`registry.example/app:1${INJECTED}`);
        await expect(row.locator('td').nth(4).locator('data').getAttribute('value')).resolves.toBe('0.25');
        await expect(row.locator('.problems').textContent()).resolves.toMatch(/annotation metricops\.io\/watch-window: "1 hour" is not a duration.*annotation metricops\.io\/deployed-at: "yesterday <script>window\.pwned=1<\/script>" is not an RFC 3339 time/s);
        await expect(row.getByRole('link', { name: SLO }).count()).resolves.toBe(1);
      }
      if (path.startsWith('/slos/')) {
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`SLO ${SLO}`);
        await expect(page.locator('main').textContent()).resolves.toContain(`team=</td>${INJECTED}`);
        const windows = page.getByRole('table', { name: /OddBurn \(page\) firing/ });
        await expect(windows.locator('tbody tr').first().textContent()).resolves.toMatch(/^15m20x14\.4x2\.00%1\.44%▲ over$/);
      }
    }
    expect(seen.problems).toEqual([]);
    await page.close();
  });

  test('metricops status -o json: the documented schema, Prometheus\' numbers, the text as it is', async () => {
    const result = await runMetricops(['status', '-n', namespace, '-o', 'json', '--kubeconfig', cluster.kubeconfigPath, '--prometheus-url', prometheus.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = statusSchema.parse(JSON.parse(result.stdout));
    expect(json.prometheus.state).toBe('ok');
    expect(json.deployments).toHaveLength(1);
    expect(json.deployments[0]).toMatchObject({
      namespace,
      name: 'web',
      status: 'burning',
      images: { [`app${INJECTED}`]: `registry.example/app:1${INJECTED}` },
      slos: [{ id: SLO, budgetRemaining: 0.25, currentBurnRate: 20 }],
      guards: [{ alert: 'OddBurn', severity: 'page', slo: SLO, state: 'firing' }],
    });
    const table = await runMetricops(['status', '-n', namespace, '--kubeconfig', cluster.kubeconfigPath, '--prometheus-url', prometheus.url]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^${namespace} +web +burning +app<script>window.pwned=1</script>=registry.example/app:1<script>window.pwned=1</script> +- +25\\.00% +20x +-$`));
  });

  test.each([
    ['down (nothing listens)', async () => `http://127.0.0.1:${await freePort()}`, /Prometheus did not answer \(unreachable\): cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\/api\/v1\//],
    ['hung (takes the connection, never answers)', async () => `http://127.0.0.1:${(hung.address() as { port: number }).port}`, /Prometheus did not answer \(timeout\): Prometheus at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/\w+ did not answer within 1 s/],
  ])('a Prometheus that is %s: every page answers within a bounded time and says so; status too', async (_name, url, message) => {
    const prometheusUrl = await url();
    const ui = await startUi(_name.split(' ')[0]!, prometheusUrl);
    const page = await openPage(context, seen);
    for (const path of [`/?namespace=${namespace}`, `/deployments/${namespace}/web`, `/slos/${encodeURIComponent(SLO)}`]) {
      const started = Date.now();
      expect((await page.goto(`${ui}${path}`))?.status()).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect(page.locator('main [role=status]').first().textContent()).resolves.toMatch(message);
    }
    const row = await (async () => {
      await page.goto(`${ui}/?namespace=${namespace}`);
      return page.getByRole('row', { name: new RegExp(`${namespace}/web`) });
    })();
    await expect(row.locator('.status').textContent()).resolves.toContain('unknown');
    await screenshot(page, `prometheus-${_name.split(' ')[0]}`);
    await page.close();
    const started = Date.now();
    const result = await runMetricops(['status', '-n', namespace, '--kubeconfig', cluster.kubeconfigPath, '--prometheus-url', prometheusUrl, '--prometheus-timeout', '1s']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${namespace} +web +unknown `, 'm'));
    expect(result.stdout).toMatch(/SLO numbers: Prometheus did not answer/);
    expect(seen.problems).toEqual([]);
  });
});
