// The web UI in a real browser (Debian's headless Chromium driven by playwright-core) after a real rollback: the
// whole loop (MetricopsLoop: compile, Prometheus, Alertmanager, webhook, feedback pipeline) with the UI on its own
// port and its own Basic auth, reading the informer cache, the audit log and Prometheus.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { Annotations } from '../../common/contract/annotations.js';
import { launchBrowser, openPage, screenshot, type PageProblems } from './harness/browser.js';
import { chainedSteps } from './chained-steps.js';
import { e2eCluster } from './harness/cluster.js';
import { IMAGE, loopForTest, NAMESPACE, PAGE_ALERT, type MetricopsLoop } from './harness/metricops-loop.js';
import { freePort } from './harness/ports.js';
import { waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const USER = 'viewer';
const PASSWORD = 'ui-e2e-password';
let loop: MetricopsLoop;
let end: (() => Promise<void>) | undefined;
let uiUrl: string;
let browser: Browser;
let context: BrowserContext;
const seen: PageProblems = { problems: [] };

beforeAll(async () => {
  ({ loop, end } = await loopForTest(cluster, 'ui'));
  browser = await launchBrowser();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await end?.();
});

const step = chainedSteps();

/** Prometheus' own answer to an instant query at `time` (the same query the page made, at the page's time). */
async function prometheusValue(expr: string, time: string): Promise<string | undefined> {
  const url = `${loop.prometheus!.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${(Date.parse(time) / 1000).toFixed(3)}`;
  const body = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result[0]?.value[1];
}

/** The Prometheus value a cell shows (its <data value>), undefined when it says "no data", null when neither. */
async function shown(cell: Locator): Promise<string | undefined | null> {
  if ((await cell.locator('data').count()) > 0) return cell.locator('data').first().getAttribute('value');
  return (await cell.textContent())?.includes('no data') ? undefined : null;
}

/** Each line is in the accessibility tree of the page's main landmark (roles with their accessible names). */
async function expectInAccessibilityTree(page: Page, lines: readonly string[]): Promise<void> {
  const snapshot = await page.locator('main').ariaSnapshot();
  for (const line of lines) expect(snapshot).toContain(line);
}

async function open(path: string): Promise<Page> {
  const page = await openPage(context, seen);
  const response = await page.goto(`${uiUrl}${path}`);
  expect(response?.status()).toBe(200);
  return page;
}

const BUDGET = `slo:period_error_budget_remaining:ratio{sloth_id="${PAGE_ALERT.slo}"}`;
const BURN = `slo:current_burn_rate:ratio{sloth_id="${PAGE_ALERT.slo}"}`;

describe('the web UI after a real rollback', () => {
  step('the loop runs with the UI on its own port, its own Basic auth and Prometheus', async () => {
    await loop.compileRules();
    await loop.startMonitoring();
    await loop.startWebhook();
    const port = await freePort();
    uiUrl = `http://127.0.0.1:${port}`;
    const credentials = join(loop.options.workDir, 'ui-basic-auth');
    await writeFile(credentials, `# the UI's viewers\n${USER}:${PASSWORD}\n`, { mode: 0o600 });
    await loop.startFeedback(['--ui-port', String(port), '--ui-host', '127.0.0.1', '--ui-basic-auth-file', credentials, '--prometheus-url', loop.prometheus!.url]);
    context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD, send: 'always' }, viewport: { width: 1400, height: 900 } });
  });

  step('the UI refuses requests without its credentials, and the intake token is not one of them', async () => {
    const anonymous = await fetch(`${uiUrl}/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic realm="metricops"');
    const intakeToken = await fetch(`${uiUrl}/`, { headers: { authorization: `Bearer ${loop.feedbackToken}` } });
    expect(intakeToken.status).toBe(401);
    const viewer = await fetch(`${uiUrl}/`, { headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` } });
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-security-policy')).toContain("script-src 'self'");
    await viewer.arrayBuffer();
  });

  step('a bad deploy is rolled back (v1 -> v2 -> v1)', async () => {
    loop.startPods();
    await loop.deploy('v1');
    await loop.standIn!.waitForVersion('v1');
    loop.startLoad();
    await loop.waitForBaseline();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await loop.deploy('v2');
    await loop.waitForErrorsRecorded();
    await loop.waitForAlert('firing');
    const state = await loop.waitForTemplate('v1');
    expect(state.annotations[Annotations.rolledBackFrom]).toBeDefined();
  });

  step('the overview shows the Deployment as rolled back, with its SLO budget as Prometheus answers it', async () => {
    const page = await open('/');
    const row = page.getByRole('row', { name: /shop\/checkout/ });
    await expect(row.locator('.status').textContent()).resolves.toContain('rolled back');
    await expect(row.locator('.reason').first().textContent()).resolves.toMatch(/rolled back at .* from revision 2 to revision \d+ after alert CheckoutAvailabilitySLO/);
    expect(await row.textContent()).toContain(`${IMAGE}:v1`);
    // The page's numbers are Prometheus' answers at the page's evaluation time: ask Prometheus the same.
    await waitFor(async () => {
      await page.reload();
      const at = await page.locator('[role=status] time').getAttribute('datetime');
      const budget = await shown(row.locator('td').nth(4));
      const burn = await shown(row.locator('td').nth(5));
      if (!at || budget === null || budget === undefined || burn === null || burn === undefined) return undefined;
      // A rule evaluation stamped just before `at` may land after the page asked: then ask again. The period's budget
      // has a value from the rules' first evaluations (the last hour's 5m rates until the hourly group runs).
      return budget === (await prometheusValue(BUDGET, at)) && burn === (await prometheusValue(BURN, at));
    }, { what: 'the overview budget and burn rate to equal Prometheus answers at the same time', timeoutMs: 30_000, intervalMs: 500 });
    await expectInAccessibilityTree(page, [
      'heading "Guarded Deployments" [level=1]',
      'search "Filter Deployments"',
      'textbox "Namespace"',
      'textbox "Name contains"',
      'combobox "Per page"',
      'button "Filter"',
      'table "Guarded Deployments, by namespace and name"',
      'columnheader "Error budget remaining"',
      'rowheader "shop/checkout"',
      'navigation "Pages"',
    ]);
    await screenshot(page, 'overview-rolled-back');
    // The filters narrow the list; an unknown namespace shows none.
    await page.getByLabel('Namespace').fill('nowhere');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('#summary').textContent()).resolves.toContain('No Deployment matches');
    await page.close();
  });

  step('the Deployment page: the chart has the rollout and rollback markers at their times; revisions and decisions', async () => {
    const state = await loop.readDeployment();
    const rollback = JSON.parse(state.annotations[Annotations.rolledBackFrom]!) as { time: string; from: { revision: number }; to: { revision: number } };
    const bad = state.replicaSets.find((set) => set.image === `${IMAGE}:v2`)!;
    const rolloutAt = Date.parse(bad.annotations[Annotations.deployedAt]!);
    const rollbackAt = Date.parse(rollback.time);

    const page = await open(`/deployments/${NAMESPACE}/checkout`);
    const chart = page.locator('#timeline');
    await chart.locator('.marker-rollback').waitFor();
    const data = JSON.parse((await page.locator('#timeline-data').textContent())!) as { start: number; end: number; markers: { kind: string; time: string }[] };
    const width = Number(await chart.getAttribute('data-plot-width'));
    expect(width).toBeGreaterThan(300);
    const position = async (kind: string, time: number) => {
      const markers = chart.locator(`.marker-${kind}`);
      for (let index = 0; index < (await markers.count()); index++) {
        const marker = markers.nth(index);
        if (Date.parse((await marker.getAttribute('data-time'))!) !== time) continue;
        return Number.parseFloat((await marker.evaluate((element) => (element as HTMLElement).style.left)) || 'NaN');
      }
      return undefined;
    };
    // Where a marker must be on the plot: its time's share of the chart's time range (from the page's data).
    const expected = (time: number) => ((time / 1000 - data.start) / (data.end - data.start)) * width;
    const rolloutX = await position('rollout', rolloutAt);
    const rollbackX = await position('rollback', rollbackAt);
    expect(rolloutX).toBeDefined();
    expect(rollbackX).toBeDefined();
    expect(Math.abs(rolloutX! - expected(rolloutAt))).toBeLessThan(1.5);
    expect(Math.abs(rollbackX! - expected(rollbackAt))).toBeLessThan(1.5);
    expect(rollbackX!).toBeGreaterThan(rolloutX!);
    // The same events as text for readers without the picture.
    const events = page.locator('ol.events');
    expect(await events.textContent()).toMatch(/rollout: rollout of revision 2: checkout=example\.com\/metricops\/checkout:v2/);
    expect(await events.textContent()).toMatch(new RegExp(`rollback: rollback from revision ${rollback.from.revision} to revision ${rollback.to.revision} \\(alert CheckoutAvailabilitySLO\\)`));
    // Revisions: v2's is marked bad; decisions: the rollback from the audit log.
    const revisions = page.getByRole('table', { name: /Revisions of shop\/checkout/ });
    expect(await revisions.getByRole('row', { name: new RegExp(`^${rollback.from.revision} `) }).textContent()).toContain('bad');
    const decisions = page.getByRole('table', { name: /Decisions about shop\/checkout/ });
    await expect(decisions.textContent()).resolves.toContain('rolled-back');
    await expectInAccessibilityTree(page, [
      'heading "Deployment shop/checkout" [level=1]',
      'heading "Error ratio, rollouts and rollbacks" [level=2]',
      'heading "Revisions" [level=2]',
      'heading "Decisions" [level=2]',
      'combobox "Time range"',
      'img "Line chart of the error ratio of checkout-availability over time',
      'table "Revisions of shop/checkout, newest first (one ReplicaSet each)"',
    ]);
    await screenshot(page, 'deployment-rolled-back');
    await page.close();
  });

  step('the SLO page: the budget equals Prometheus, each alert window against its threshold from the rules', async () => {
    const page = await open(`/slos/${PAGE_ALERT.slo}`);
    await waitFor(async () => {
      await page.reload();
      const at = await page.locator('[role=status] time').getAttribute('datetime');
      const budget = await shown(page.locator('#budget-remaining'));
      return at !== null && budget !== null && budget !== undefined && budget === (await prometheusValue(BUDGET, at));
    }, { what: 'the SLO page budget to equal Prometheus answer at the same time', timeoutMs: 30_000, intervalMs: 500 });
    const page1 = page.getByRole('table', { name: /CheckoutAvailabilitySLO \(page\)/ });
    const thresholds = await page1.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [row.children[1]!.textContent, row.children[3]!.textContent]));
    // The 30d SLO's page alert: 14.4x over 5m and 1h, 6x over 30m and 6h (the compiled rule Prometheus runs).
    expect(thresholds).toEqual([['5m', '14.4x'], ['1h', '14.4x'], ['30m', '6x'], ['6h', '6x']]);
    // The period has a value from the rules' first evaluations, so the burndown is drawn (not "No samples").
    await page.locator('#burndown .u-over').waitFor();
    await page.locator('#burnrates .u-over').waitFor();
    await expectInAccessibilityTree(page, ['heading "SLO checkout-availability" [level=1]', 'heading "Burn rate of each alert window" [level=2]', 'combobox "Time range"']);
    await screenshot(page, 'slo');
    await page.close();
  });

  step('no console errors, failed requests or error answers on any page', async () => {
    expect(seen.problems).toEqual([]);
  });
});
