// Rules evaluated where big installations evaluate them: a real Cortex (built from Go modules, one process) whose
// ruler gets metricops' compiled rules through its HTTP API (`metricops sync|compile --ruler-url`), evaluates them
// against samples Prometheus scrapes from the example app and remote-writes into it (X-Scope-OrgID added by a small
// proxy: Debian's Prometheus 2.42 drops remote_write.headers), and alerts a real Alertmanager, which notifies a real
// `metricops feedback`: the rollback happens on the real control plane. Two clusters behind that one Alertmanager:
// tenants shop-eu (rules compiled with --cluster-label eu-1) and shop-us (--cluster-label us-2) get the same samples,
// both fire; the pipeline runs with --cluster eu-1 and acts on eu-1's alert only. Then the ruler's bad answers: a
// group over the tenant's rules-per-group limit, a rule Cortex refuses, no ruler at all, a tenant mismatch.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { runLoad } from '../../examples/app/load-generator.js';
import type { DecisionRecord } from '../../feedback-pipeline/model.js';
import { startAlertmanager, type Alertmanager } from './harness/alertmanager.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { cortexBinDir, startCortex, type Cortex } from './harness/cortex.js';
import { IMAGE, rollOut, startFeedback, waitForReplicaSets, type FeedbackProcess } from './harness/feedback-fixtures.js';
import { runMetricops } from './harness/metricops-cli.js';
import { startPodStandIn, type PodStandIn } from './harness/pod-stand-in.js';
import { freePort } from './harness/ports.js';
import { startPrometheus, type Prometheus } from './harness/prometheus.js';
import { startTenantProxy, type TenantProxy } from './harness/tenant-proxy.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const namespace = uniqueNamespace('ruler');
const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
const NAME = 'checkout';
const TENANT = 'shop-eu';
const CLUSTER = 'eu-1';
const OTHER_TENANT = 'shop-us';
const OTHER_CLUSTER = 'us-2';
const SLO = 'checkout-ruler';
// Sloth's three groups and the hourly group of the default --long-windows counts.
const GROUPS = [`metricops-slo-sli-hourly-${SLO}`, `sloth-slo-alerts-${SLO}`, `sloth-slo-meta-recordings-${SLO}`, `sloth-slo-sli-recordings-${SLO}`];

const sloSpec = (extra = ''): string => `apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: ${SLO}
  namespace: ${namespace}
spec:
  service: checkout
  objective: 99.9
  window: 30d
  target:
    deployment: ${NAME}
  indicator:
    ratio:
      errors: http_requests_total{job="checkout",code=~"5.."}
      total: http_requests_total{job="checkout"}
  alerting:
    name: CheckoutRulerSLO
    annotations:
      summary: checkout burns its error budget${extra}
`;

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => execFile('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd },
    (error, stdout, stderr) => (error ? fail(new Error(`git ${args.join(' ')}: ${stderr}`)) : done(stdout))));
}

let dir: string;
let specRepo: string;
let cortex: Cortex;
let alertmanager: Alertmanager;
let feedback: FeedbackProcess;
let proxy: TenantProxy;
let otherProxy: TenantProxy;
let prometheus: Prometheus;
let standIn: PodStandIn;
const load = new AbortController();

// Cortex is built once per version and cached (test/e2e/build-cortex.sh): the first run compiles for minutes.
beforeAll(async () => {
  await cortexBinDir();
}, 30 * 60_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-ruler-e2e-'));
  specRepo = join(dir, 'slos.git-work');
  await mkdir(join(specRepo, 'slos'), { recursive: true });
  await git(specRepo, ['init', '-q', '-b', 'main']);
  await writeFile(join(specRepo, 'slos', 'checkout.yaml'), sloSpec());
  await git(specRepo, ['add', '.']);
  await git(specRepo, ['commit', '-q', '-m', 'checkout SLO']);
  await core.createNamespace({ body: { metadata: { name: namespace } } });

  feedback = await startFeedback({ name: 'ruler', kubeconfigPath: cluster.kubeconfigPath, dir, extraArgs: ['--cluster', CLUSTER] });
  alertmanager = await startAlertmanager({ webhookUrl: `${feedback.url}/api/v1/alerts`, bearerToken: feedback.token });
  cortex = await startCortex({ alertmanagerUrl: alertmanager.url, tenantLimits: { tight: { ruler_max_rules_per_rule_group: 7 } } });
  proxy = await startTenantProxy({ target: cortex.url, tenant: TENANT });
  otherProxy = await startTenantProxy({ target: cortex.url, tenant: OTHER_TENANT });
  const appPort = await freePort();
  prometheus = await startPrometheus({
    ruleFiles: [], scrapeJobs: [{ job: 'checkout', targets: [`127.0.0.1:${appPort}`] }],
    remoteWrite: [`${proxy.url}/api/v1/push`, `${otherProxy.url}/api/v1/push`],
  });
  standIn = startPodStandIn({ kubeConfig: cluster.kubeConfig, namespace, deployment: NAME, port: appPort, logDir: dir, errorRatio: 0.5 });
  void runLoad({ url: `http://127.0.0.1:${appPort}/checkout`, rate: 20, durationMs: 20 * 60_000, signal: load.signal });
}, 120_000);

afterAll(async () => {
  load.abort();
  await standIn?.stop();
  await Promise.all([prometheus?.stop(), proxy?.stop(), otherProxy?.stop(), alertmanager?.stop(), feedback?.stop()]);
  await cortex?.stop();
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
});

const sync = (...extra: string[]) => runMetricops([
  'sync', '--repo', specRepo, '--slo-dir', 'slos', '--workdir', join(dir, 'sync-clone'), '--once', ...extra,
]);

async function appImage(): Promise<string | undefined> {
  const deployment = await apps.readNamespacedDeployment({ name: NAME, namespace });
  return deployment.spec?.template.spec?.containers.find((container) => container.name === 'checkout')?.image;
}

describe('metricops rules in a real Cortex ruler', () => {
  test('sync --ruler-url loads the compiled groups into the tenant\'s namespace; a second sync writes nothing', async () => {
    const first = await sync('--ruler-url', cortex.url, '--ruler-tenant', TENANT, '--cluster-label', CLUSTER);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`ruler ${cortex.url}/api/v1/rules, tenant ${TENANT}, namespace metricops: 4 created, 0 updated, 0 deleted, 0 unchanged (5 requests, 4 writes)`);
    expect(await cortex.ruleGroupNames(TENANT, 'metricops')).toEqual(GROUPS);

    const second = await sync('--ruler-url', cortex.url, '--ruler-tenant', TENANT, '--cluster-label', CLUSTER);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 created, 0 updated, 0 deleted, 4 unchanged (1 request, 0 writes)');

    // The other cluster: its own tenant, its own cluster label.
    const other = await sync('--ruler-url', cortex.url, '--ruler-tenant', OTHER_TENANT, '--cluster-label', OTHER_CLUSTER);
    expect(other.stdout).toContain(`tenant ${OTHER_TENANT}, namespace metricops: 4 created`);
  });

  test("the ruler evaluates them on the pushed samples, alerts Alertmanager, and the feedback pipeline (--cluster eu-1) rolls v2 back to v1 on eu-1's alert, not us-2's", async () => {
    await rollOut(apps, { namespace, name: NAME, version: 'v1', deployedAt: new Date(Date.now() - 60_000) });
    await waitForReplicaSets(apps, namespace, NAME, 1);
    await standIn.waitForVersion('v1');
    // The baseline: Cortex has the samples and its ruler records the SLI (error ratio 0).
    await waitFor(async () => (await cortex.query(TENANT, `slo:sli_error:ratio_rate5m{sloth_id="${SLO}"}`)).length > 0,
      { what: 'the Cortex ruler to record the SLI from remote-written samples', timeoutMs: 90_000, intervalMs: 500 });
    expect(proxy.forwarded.refused).toBe(0);
    expect(otherProxy.forwarded.refused).toBe(0);

    const v2At = new Date();
    await rollOut(apps, { namespace, name: NAME, version: 'v2', deployedAt: v2At });
    await waitForReplicaSets(apps, namespace, NAME, 2);

    // The ruler fires the page alert (its first send may be lost before its notifier knows Alertmanager: it resends every 2s).
    const pageAlert = (tenant: string) => waitFor(async () => (await cortex.alerts(tenant)).find((alert) =>
      alert.state === 'firing' && alert.labels.slo_severity === 'page' && alert.labels.namespace === namespace),
    { what: `the Cortex ruler to fire the page alert of ${tenant}`, timeoutMs: 120_000, intervalMs: 500 });
    const [firing, otherFiring] = await Promise.all([pageAlert(TENANT), pageAlert(OTHER_TENANT)]);
    expect(firing.labels).toMatchObject({ alertname: 'CheckoutRulerSLO', slo: SLO, deployment: NAME, cluster: CLUSTER });
    expect(otherFiring.labels).toMatchObject({ alertname: 'CheckoutRulerSLO', slo: SLO, deployment: NAME, cluster: OTHER_CLUSTER });

    await waitFor(async () => (await appImage()) === `${IMAGE}:v1`, { what: 'the template back at v1', timeoutMs: 90_000 });
    const record = await waitFor(async () => (await feedback.decisions(namespace, NAME)).find((item: DecisionRecord) => item.outcome === 'rolled-back'),
      { what: 'the rollback decision', timeoutMs: 30_000 });
    expect(record.alert).toMatchObject({ name: 'CheckoutRulerSLO', source: 'webhook', labels: { cluster: CLUSTER } });
    expect(record.to?.images).toMatchObject({ checkout: `${IMAGE}:v1` });
    expect(new Date(record.alert.startsAt).getTime()).toBeGreaterThanOrEqual(Math.floor(v2At.getTime() / 1000) * 1000);

    // us-2's alert reached Alertmanager (and so the pipeline, in the same notifications), and was dropped there:
    // no decision about it, though it names the same namespace and Deployment.
    const inAlertmanager = await waitFor(async () => {
      const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
      return alerts.some((alert) => alert.labels.cluster === OTHER_CLUSTER && alert.labels.namespace === namespace) ? alerts : undefined;
    }, { what: "us-2's alert in Alertmanager", timeoutMs: 30_000 });
    expect(inAlertmanager.some((alert) => alert.labels.cluster === CLUSTER)).toBe(true);
    await sleep(5_000); // Alertmanager's group_interval: the notifications with us-2's alert have gone out.
    const decisions = await feedback.decisions(namespace, NAME);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.filter((item) => item.alert.labels.cluster !== CLUSTER)).toEqual([]);
  });

  test('a group over the tenant\'s rules-per-group limit: exit 1, the group and Cortex\'s answer named, the applied groups listed', async () => {
    const result = await sync('--ruler-url', cortex.url, '--ruler-tenant', 'tight');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('3 created, 0 updated, 0 deleted, 0 unchanged');
    expect(result.stdout).toMatch(new RegExp(`  FAILED {4}sloth-slo-sli-recordings-${SLO} \\(create\\): POST ${cortex.url}/api/v1/rules/metricops: HTTP 400: .*limit.*`));
    expect(result.stderr).toMatch(new RegExp(`^metricops: ruler sync incomplete \\(namespace metricops, tenant tight\\); sloth-slo-sli-recordings-${SLO} \\(create\\) failed: .*HTTP 400: .*; applied: 3 \\(metricops-slo-sli-hourly-${SLO}, sloth-slo-alerts-${SLO}, sloth-slo-meta-recordings-${SLO}\\)`));
    expect(await cortex.ruleGroupNames('tight', 'metricops')).toEqual([GROUPS[0], GROUPS[1], GROUPS[2]]);
  });

  test('a rule Cortex refuses (an annotation template metricops does not check): exit 1 with Cortex\'s reason; the old group stays', async () => {
    const spec = join(dir, 'bad-template.yaml');
    await writeFile(spec, sloSpec(' {{ $value | humanize '));
    const result = await runMetricops(['compile', spec, '--ruler-url', cortex.url, '--ruler-tenant', TENANT, '--cluster-label', CLUSTER]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`FAILED {4}sloth-slo-alerts-${SLO} \\(update\\): POST .* HTTP 400: .*annotation "summary": template: .*unclosed action`));
    expect(result.stderr).toMatch(/ruler sync incomplete .*failed: .*unclosed action.*; nothing was applied/);
    expect(await cortex.ruleGroupNames(TENANT, 'metricops')).toEqual(GROUPS);
    expect((await sync('--ruler-url', cortex.url, '--ruler-tenant', TENANT, '--cluster-label', CLUSTER)).stdout).toContain('4 unchanged (1 request, 0 writes)');
  });

  test('no ruler listening: exit 1 after bounded retries, "no connection", nothing applied', async () => {
    const result = await runMetricops(['compile', join(specRepo, 'slos', 'checkout.yaml'), '--ruler-url', `http://127.0.0.1:${await freePort()}`, '--ruler-tenant', TENANT]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^metricops: ruler sync incomplete .*; stopped: cannot read the namespace: GET .*: no connection \(ECONNREFUSED\) \(after 4 attempts\); nothing was applied/);
  });

  test('tenant mismatch: no tenant is refused by the multi-tenant ruler with a hint; another tenant neither sees nor touches these groups', async () => {
    const none = await sync('--ruler-url', cortex.url);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/HTTP 401: no org id \(the ruler refused metricops' identity: check --ruler-tenant/);

    const other = await sync('--ruler-url', cortex.url, '--ruler-tenant', 'shop-other');
    expect(other.code).toBe(0);
    expect(other.stdout).toContain('tenant shop-other, namespace metricops: 4 created, 0 updated, 0 deleted, 0 unchanged');
    expect(await cortex.ruleGroupNames(TENANT, 'metricops')).toEqual(GROUPS);
    // That tenant has no samples: its rules read nothing (the header decides whose data rules read).
    expect(await cortex.query('shop-other', 'http_requests_total')).toEqual([]);
  });

  test('a removed SLO: its groups are deleted from the ruler, groups metricops did not generate stay', async () => {
    const foreign = 'name: team-recordings\nrules:\n- record: team:up\n  expr: up\n';
    const posted = await fetch(`${cortex.url}/api/v1/rules/metricops`, { method: 'POST', headers: { 'X-Scope-OrgID': TENANT, 'content-type': 'application/yaml' }, body: foreign });
    expect(posted.status).toBe(202);
    await writeFile(join(specRepo, 'slos', 'checkout.yaml'), sloSpec().replaceAll(SLO, 'checkout-renamed'));
    await git(specRepo, ['commit', '-q', '-am', 'rename the SLO']);

    const result = await sync('--ruler-url', cortex.url, '--ruler-tenant', TENANT, '--cluster-label', CLUSTER);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 created, 0 updated, 4 deleted, 0 unchanged');
    expect(result.stdout).toContain('  left alone team-recordings: in the namespace, but not generated by metricops');
    expect(await cortex.ruleGroupNames(TENANT, 'metricops')).toEqual([...GROUPS.map((group) => group.replace(SLO, 'checkout-renamed')), 'team-recordings'].sort());
  });
});
