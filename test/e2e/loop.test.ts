// The whole metricops loop on the local control plane, one step per test (they run in order and share state):
// compile -> Prometheus -> webhook stamps -> bad deploy -> alert -> Alertmanager -> feedback pipeline -> rollback
// -> Event, audit commit, metrics -> repeated notifications change nothing.
import { Annotations } from '../../common/contract/annotations.js';
import { EventReasons } from '../../feedback-pipeline/recorders/event-recorder.js';
import { chainedSteps } from './chained-steps.js';
import { e2eCluster } from './harness/cluster.js';
import { IMAGE, loopForTest, NAMESPACE, type DeploymentState, type MetricopsLoop } from './harness/metricops-loop.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
let loop: MetricopsLoop;
let end: (() => Promise<void>) | undefined;
let v1: DeploymentState;
let v2: DeploymentState;
let badDeployAt: Date;
let rolledBack: DeploymentState;

beforeAll(async () => {
  ({ loop, end } = await loopForTest(cluster, 'loop'));
});

afterAll(async () => {
  await end?.();
});

// The steps build on each other: after one fails, the rest fail at once instead of each waiting for its timeout.
const step = chainedSteps();

const seconds = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / 1000;

describe('the metricops loop', () => {
  step('metricops compile --commit writes the example SLO rules into the GitOps repository and commits them', async () => {
    const { output, log } = await loop.compileRules();
    expect(output).toMatch(/compiled 1 SLO/);
    expect(output).toMatch(/committed [0-9a-f]+/);
    expect(log).toMatch(/checkout-availability/);
    expect(log).toMatch(/rules\/checkout-availability\.rules\.yaml/);
  });

  step('Prometheus loads the compiled rules, Alertmanager routes to the feedback pipeline', async () => {
    await loop.startMonitoring();
    const names = await loop.prometheus!.ruleNames();
    expect(names).toEqual(expect.arrayContaining(['slo:sli_error:ratio_rate5m', 'slo:sli_error:ratio_rate1h', 'CheckoutAvailabilitySLO']));
  });

  step('the webhook serves on 127.0.0.1 with certificates from metricops certs and is registered with the apiserver', async () => {
    await loop.startWebhook();
    const registered = await cluster.kubectl(['get', 'mutatingwebhookconfiguration', 'metricops', '-o', 'jsonpath={.webhooks[0].clientConfig.url}']);
    expect(registered.stdout).toBe(`${loop.webhookUrl}/mutate`);
  });

  step('the feedback pipeline starts with the ServiceAccount and ClusterRole of manifests/base', async () => {
    await loop.startFeedback();
    const can = await cluster.kubectl(['auth', 'can-i', 'patch', 'deployments', '-n', NAMESPACE, '--as=system:serviceaccount:metricops:metricops-feedback']);
    expect(can.stdout.trim()).toBe('yes');
    const cannot = await cluster.kubectl(['auth', 'can-i', 'get', 'secrets', '-n', NAMESPACE, '--as=system:serviceaccount:metricops:metricops-feedback']);
    expect(cannot.stdout.trim()).toBe('no');
  });

  step('creating the Deployment at v1: the apiserver stores the webhook stamps (images, deployed-at, guarding alerts)', async () => {
    loop.startPods();
    v1 = await loop.deploy('v1');
    expect(v1.image).toBe(`${IMAGE}:v1`);
    expect(JSON.parse(v1.annotations[Annotations.images] ?? '{}')).toEqual({ checkout: `${IMAGE}:v1` });
    expect(Date.parse(v1.annotations[Annotations.deployedAt] ?? '')).not.toBeNaN();
    expect(v1.annotations[Annotations.rules]).toContain('CheckoutAvailabilitySLO');
    await loop.standIn!.waitForVersion('v1');
    const rollout = await cluster.kubectl(['rollout', 'status', 'deployment/checkout', '-n', NAMESPACE, '--timeout=60s']);
    expect(rollout.code).toBe(0);
  });

  step('v1 is healthy: Prometheus records a zero error ratio from the scraped app', async () => {
    loop.startLoad();
    expect(await loop.waitForBaseline()).toBe(0);
  });

  step('updating to v2: new stamps, a new ReplicaSet, the stand-in serves v2', async () => {
    await sleep(1_000); // deployed-at has second precision: make the new stamp visibly newer.
    badDeployAt = new Date();
    v2 = await loop.deploy('v2');
    expect(JSON.parse(v2.annotations[Annotations.images] ?? '{}')).toEqual({ checkout: `${IMAGE}:v2` });
    expect(Date.parse(v2.annotations[Annotations.deployedAt] ?? '')).toBeGreaterThan(Date.parse(v1.annotations[Annotations.deployedAt] ?? ''));
    const sets = await waitFor(async () => {
      const state = await loop.readDeployment();
      return state.replicaSets.length === 2 ? state.replicaSets : undefined;
    }, { what: 'a second ReplicaSet' });
    expect(sets.map((set) => set.image)).toEqual([`${IMAGE}:v1`, `${IMAGE}:v2`]);
    expect(JSON.parse(sets[1]!.annotations[Annotations.images] ?? '{}')).toEqual({ checkout: `${IMAGE}:v2` });
    await loop.standIn!.waitForVersion('v2');
  });

  step('v2 errors burn the error budget and the page alert fires', async () => {
    expect(await loop.waitForErrorsRecorded()).toBeGreaterThan(0);
    const alert = await loop.waitForAlert('firing');
    expect(alert.labels).toMatchObject({ slo: 'checkout-availability', slo_severity: 'page', namespace: NAMESPACE, deployment: 'checkout' });
  });

  step('Alertmanager notifies the feedback pipeline, which rolls the Deployment back to v1', async () => {
    rolledBack = await loop.waitForTemplate('v1');
    const elapsed = seconds(badDeployAt, new Date());
    loop.mark(`rolled back in ${elapsed.toFixed(1)}s`);
    expect(rolledBack.annotations[Annotations.rolledBackFrom]).toBeDefined();
    const record = JSON.parse(rolledBack.annotations[Annotations.rolledBackFrom] ?? '{}') as Record<string, unknown>;
    expect(JSON.stringify(record)).toContain('v2');
    await loop.standIn!.waitForVersion('v1');
  });

  step('the rollback is recorded: a Kubernetes Event, the bad ReplicaSet marked, an audit commit, metrics', async () => {
    const rolledBackEvent = await waitFor(async () => (await loop.events()).find((event) => event.reason === EventReasons.rolledBack), {
      what: 'a RolledBack Event on the Deployment',
    });
    expect(rolledBackEvent.type).toBe('Warning');
    expect(rolledBackEvent.message).toMatch(/CheckoutAvailabilitySLO/);
    const state = await loop.readDeployment();
    const bad = state.replicaSets.find((set) => set.image === `${IMAGE}:v2`);
    expect(bad?.annotations[Annotations.badRevision]).toBeDefined();
    const rollback = await waitFor(async () => (await loop.auditRecords()).find((record) => record.outcome === 'rolled-back'), {
      what: 'the rollback record in the audit repository (pushed to its bare remote)',
    });
    expect(rollback.alert?.labels).toMatchObject({ slo: 'checkout-availability', slo_severity: 'page', namespace: NAMESPACE, deployment: 'checkout' });
    const metrics = await loop.feedbackMetrics();
    expect(metrics).toMatch(/metricops_feedback_decisions_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/metricops_feedback_rollback_latency_seconds_count(\{[^}]*\})? [1-9]/);
  });

  step('repeated notifications for the same alert change nothing', async () => {
    const before = await loop.readDeployment();
    const notification = await loop.currentNotification();
    expect(await loop.notify(notification)).toBe(202);
    expect(await loop.notify(notification)).toBe(202);
    // Alertmanager repeats the still-firing group too (repeat_interval 15s in the harness): wait for one round.
    const received = (text: string): number => Number(/metricops_feedback_notifications_total\{[^}]*result="accepted"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    const count = received(await loop.feedbackMetrics());
    await waitFor(async () => received(await loop.feedbackMetrics()) > count, { what: 'Alertmanager to repeat the notification', timeoutMs: 60_000, intervalMs: 500 });
    await sleep(2_000);
    const after = await loop.readDeployment();
    expect(after.image).toBe(`${IMAGE}:v1`);
    expect(after.generation).toBe(before.generation);
    expect(after.replicaSets.map((set) => set.name)).toEqual(before.replicaSets.map((set) => set.name));
    expect(after.annotations[Annotations.rolledBackFrom]).toBe(before.annotations[Annotations.rolledBackFrom]);
  });
});
