// High availability of the feedback pipeline, as processes on the real apiserver: replicas of `metricops feedback`
// (the built CLI) elect a leader on a coordination.k8s.io/v1 Lease; only the leader acts, the others forward the
// notifications they get to it. kill -9 of the leader during a storm of duplicate notifications, a Lease left by a
// dead holder, a leader whose clock is an hour off, and the apiserver refusing Lease updates (RBAC taken away and
// given back) while replicas run.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { DecisionRecord } from '../../feedback-pipeline/model.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { IMAGE, pageNotification, rolledOutToV2, watchDeploymentImages, type FeedbackProcess, type TemplateWatch } from './harness/feedback-fixtures.js';
import {
  LEASE_RULES, WORKLOAD_RULES, appImage, killHard, leaderOf, leaseRecord, notificationStorm, readiness, roleFor, serviceAccountKubeconfig,
  startReplica, type ReplicaOptions,
} from './harness/feedback-replicas.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
const running: FeedbackProcess[] = [];
const watches: TemplateWatch[] = [];
const namespaces: string[] = [];
let dir: string;

/** Lease timings short enough for a test, with client-go's proportions (15s/10s/2s). */
const SHORT = { leaseDuration: '6s', renewDeadline: '4s', retryPeriod: '1s' };
const SHORT_MS = { leaseDuration: 6_000, renewDeadline: 4_000, retryPeriod: 1_000 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-ha-e2e-'));
});

afterAll(async () => {
  for (const watch of watches) watch.stop();
  await Promise.all(running.map((replica) => replica.stop()));
  for (const namespace of namespaces) await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
});

async function freshNamespace(prefix: string): Promise<string> {
  const namespace = uniqueNamespace(prefix);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  namespaces.push(namespace);
  return namespace;
}

/** A Deployment rolled out v1 -> v2 (webhook stamps); returns when the v2 time the alert must start after. */
async function replica(name: string, options: Omit<ReplicaOptions, 'kubeconfigPath' | 'dir'> & { kubeconfigPath?: string }): Promise<FeedbackProcess> {
  const started = await startReplica(name, { kubeconfigPath: cluster.kubeconfigPath, dir, ...options });
  running.push(started);
  return started;
}

async function metric(replicaProcess: FeedbackProcess, name: string): Promise<string[]> {
  const text = await (await fetch(`${replicaProcess.url}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name));
}

async function rolledBackEvents(namespace: string, name: string): Promise<number> {
  const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return events.items.filter((event) => event.reason === 'RolledBack').length;
}

async function decisionsOf(replicas: readonly FeedbackProcess[], namespace: string, name: string): Promise<DecisionRecord[]> {
  return (await Promise.all(replicas.map((one) => one.decisions(namespace, name)))).flat();
}

test('three replicas, one leader; kill -9 of the leader during a storm of duplicate notifications: exactly one rollback each, the new leader acts within the Lease\'s bound, nothing lost', async () => {
  const namespace = await freshNamespace('ha-failover');
  const [firstAt, secondAt] = await Promise.all([rolledOutToV2(apps, namespace, 'before'), rolledOutToV2(apps, namespace, 'after')]);
  const replicas = await Promise.all(['a', 'b', 'c'].map((name) => replica(`failover-${name}`, { leaseNamespace: namespace })));

  // One leader: its /readyz says so, the others name it, the Lease holds it, the metric is 1 on it only.
  const leader = await leaderOf(replicas);
  const identity = (await readiness(leader)).identity!;
  expect((await leaseRecord(cluster.kubeConfig, namespace))?.holderIdentity).toBe(identity);
  for (const other of replicas.filter((one) => one !== leader)) {
    await waitFor(async () => (await readiness(other)).leader === identity, { what: 'the followers to name the leader' });
    expect(await readiness(other)).toMatchObject({ status: 'ready', role: 'follower' });
    expect((await fetch(`${other.url}/readyz`)).status).toBe(200);
    expect(await metric(other, 'metricops_feedback_leader{')).toEqual([expect.stringMatching(/ 0$/)]);
  }
  expect(await metric(leader, 'metricops_feedback_leader{')).toEqual([`metricops_feedback_leader{identity="${identity}"} 1`]);

  const watch = await watchDeploymentImages(cluster.kubeConfig, namespace);
  watches.push(watch);
  let live: FeedbackProcess[] = [...replicas];
  // "before": the leader rolls it back while duplicates keep coming, to every replica, across the kill.
  const beforeStorm = notificationStorm(() => live, pageNotification({ namespace, deployment: 'before', startsAt: new Date(firstAt.getTime() + 1_000) }));
  await waitFor(async () => (await appImage(apps, namespace, 'before')) === `${IMAGE}:v1`, { what: '"before" back at v1', timeoutMs: 30_000 });

  // kill -9 the leader; "after" starts firing at that moment.
  killHard(leader);
  const killedAt = performance.now();
  live = replicas.filter((one) => one !== leader);
  const afterStorm = notificationStorm(() => live, pageNotification({ namespace, deployment: 'after', startsAt: new Date(secondAt.getTime() + 1_000) }));
  await waitFor(async () => (await appImage(apps, namespace, 'after')) === `${IMAGE}:v1`, { what: '"after" rolled back by a new leader', timeoutMs: 60_000, intervalMs: 100 });
  const failoverMs = performance.now() - killedAt;
  const newLeader = await leaderOf(live);
  await sleep(3_000); // Duplicates go on for a while after both rollbacks: a second rollback would show now.
  await Promise.all([beforeStorm.stop(), afterStorm.stop()]);
  process.stdout.write(`[ha] failover: kill -9 of the leader -> the new leader's rollback in ${(failoverMs / 1000).toFixed(1)} s (lease duration 15 s, retry period 2 s)\n`);

  // Within the Lease's bound: a follower takes the Lease one lease duration after it last saw it renewed (up to a
  // retry period before the kill), at its next try (retry period x 1..1.2 jitter); a few seconds of margin for load.
  expect(failoverMs).toBeLessThan(15_000 + 2_400 + 5_000);
  // Nothing lost: every notification was taken (202) or refused with 503 (Alertmanager retries); only the killed
  // replica did not answer.
  for (const storm of [beforeStorm, afterStorm]) {
    for (const answer of storm.answers) {
      if (answer.status === 'unreachable') expect(answer.replica).toBe(leader.url);
      else expect([202, 503]).toContain(answer.status);
    }
  }
  expect(afterStorm.answers.filter((answer) => answer.status === 202).length).toBeGreaterThan(0);

  // Exactly one rollback of each: the template went v2 -> v1 once and stayed; one RolledBack Event each.
  for (const name of ['before', 'after']) {
    const images = watch.seen.filter((state) => state.name === name).map((state) => state.image);
    const back = images.indexOf(`${IMAGE}:v1`, images.indexOf(`${IMAGE}:v2`));
    expect(back).toBeGreaterThan(0);
    expect(images.slice(back)).not.toContain(`${IMAGE}:v2`);
    expect(await rolledBackEvents(namespace, name)).toBe(1);
  }
  // The new leader decided "after" (rolled back) and "before" (skipped: the old leader's rollback is on it).
  const afterDecisions = await waitFor(async () => {
    const found = await decisionsOf(live, namespace, 'after');
    return found.length > 0 ? found : undefined;
  }, { what: 'the decision on "after"' });
  expect(afterDecisions.map((record) => record.outcome)).toEqual(['rolled-back']);
  expect((await newLeader.decisions(namespace, 'before')).every((record) => record.outcome !== 'rolled-back')).toBe(true);
}, 170_000);

test('a Lease held by a dead holder: no replica acts until the lease duration has passed on its own clock (renewTime an hour old or not); then one takes over', async () => {
  const namespace = await freshNamespace('ha-dead-holder');
  const anHourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'); // metav1.MicroTime
  await cluster.kubeConfig.makeApiClient(CoordinationV1Api).createNamespacedLease({
    namespace,
    body: {
      metadata: { name: 'metricops-feedback', namespace },
      spec: { holderIdentity: 'dead-pod_00000000', leaseDurationSeconds: 6, acquireTime: anHourAgo as never, renewTime: anHourAgo as never, leaseTransitions: 7 },
    },
  });
  const v2At = await rolledOutToV2(apps, namespace, 'checkout');
  const startedAt = performance.now();
  const single = await replica('dead-holder', { leaseNamespace: namespace, timings: SHORT });

  // Until then: a follower that names the dead holder, and notifications get 503 (the holder left no URL).
  expect(await readiness(single)).toMatchObject({ role: 'follower', leader: 'dead-pod_00000000' });
  const notification = pageNotification({ namespace, deployment: 'checkout', startsAt: new Date(v2At.getTime() + 1_000) });
  expect(await single.notify(notification)).toBe(503);
  expect(await appImage(apps, namespace, 'checkout')).toBe(`${IMAGE}:v2`);

  await waitFor(async () => (await readiness(single)).role === 'leader', { what: 'the replica to take the Lease', timeoutMs: 30_000, intervalMs: 100 });
  const tookMs = performance.now() - startedAt;
  // Not before a lease duration from its first look (made after it started), whatever the record's renewTime says.
  expect(tookMs).toBeGreaterThanOrEqual(SHORT_MS.leaseDuration);
  expect(await leaseRecord(cluster.kubeConfig, namespace)).toMatchObject({ holderIdentity: (await readiness(single)).identity, leaseTransitions: 8 });
  expect(await single.notify(notification)).toBe(202);
  await waitFor(async () => (await appImage(apps, namespace, 'checkout')) === `${IMAGE}:v1`, { what: 'the rollback by the new leader' });
}, 120_000);

test('clock skew: a leader whose clock is an hour behind keeps its Lease while it renews (the others judge by their own clocks), and loses it only when it stops', async () => {
  const namespace = await freshNamespace('ha-skew');
  const skewed = await replica('skew-a', { leaseNamespace: namespace, timings: SHORT, env: { METRICOPS_TEST_LEASE_CLOCK_OFFSET_MS: String(-3_600_000) } });
  await waitFor(async () => (await readiness(skewed)).role === 'leader', { what: 'the skewed replica to lead' });
  const holder = (await readiness(skewed)).identity!;
  const others = await Promise.all(['skew-b', 'skew-c'].map((name) => replica(name, { leaseNamespace: namespace, timings: SHORT })));
  const renewTime = new Date((await leaseRecord(cluster.kubeConfig, namespace))!.renewTime!);
  expect(Date.now() - renewTime.getTime()).toBeGreaterThan(3_500_000); // the record says: renewed an hour ago

  // Three lease durations: a replica comparing renewTime with its own clock would have taken it at once.
  const transitions = (await leaseRecord(cluster.kubeConfig, namespace))!.leaseTransitions;
  for (let i = 0; i < 9; i++) {
    await sleep(2_000);
    expect(await leaseRecord(cluster.kubeConfig, namespace)).toMatchObject({ holderIdentity: holder, leaseTransitions: transitions });
    for (const other of others) expect(await readiness(other)).toMatchObject({ role: 'follower', leader: holder });
  }

  killHard(skewed);
  const successor = await leaderOf(others, 30_000);
  expect((await leaseRecord(cluster.kubeConfig, namespace))?.holderIdentity).toBe((await readiness(successor)).identity);
}, 120_000);

test('the apiserver refusing Lease updates (the Role\'s binding deleted, then restored): the leader stops acting within the renew deadline, and leads and acts again without a restart', async () => {
  const namespace = await freshNamespace('ha-refused');
  const name = `metricops-feedback-${namespace}`;
  // The replica runs as a ServiceAccount with the install's grants: the workloads cluster-wide, the Lease in its namespace.
  const subject = { namespace, name: 'feedback' };
  const [leaseRole, binding] = roleFor(namespace, 'lease', LEASE_RULES, subject) as [object, object];
  const rbac = [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: WORKLOAD_RULES },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', ...subject }] },
    leaseRole,
    binding,
  ];
  try {
    const kubeconfigPath = await serviceAccountKubeconfig(cluster, namespace, 'feedback', rbac, dir);
    const v2At = await rolledOutToV2(apps, namespace, 'checkout');
    const single = await replica('refused', { kubeconfigPath, leaseNamespace: namespace, timings: SHORT });
    await waitFor(async () => (await readiness(single)).role === 'leader', { what: 'the replica to lead' });

    expect((await cluster.kubectl(['delete', 'rolebinding', 'lease', '-n', namespace])).code).toBe(0);
    const refusedAt = performance.now();
    await waitFor(async () => (await readiness(single)).role === 'follower', { what: 'the leader to stop', timeoutMs: 30_000, intervalMs: 100 });
    // Stopped before anyone else could have taken the Lease: within the renew deadline after its last renew (at
    // most a retry period before the binding went), plus the authorizer's cache and load.
    expect(performance.now() - refusedAt).toBeLessThan(SHORT_MS.leaseDuration + 3_000);
    expect(await metric(single, 'metricops_feedback_leader{')).toEqual([expect.stringMatching(/ 0$/)]);
    const notification = pageNotification({ namespace, deployment: 'checkout', startsAt: new Date(v2At.getTime() + 1_000) });
    expect(await single.notify(notification)).toBe(503);
    await sleep(2_000);
    expect(await appImage(apps, namespace, 'checkout')).toBe(`${IMAGE}:v2`);

    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(binding) })).code).toBe(0);
    await waitFor(async () => (await readiness(single)).role === 'leader', { what: 'the same process to lead again', timeoutMs: 30_000 });
    expect(await single.notify(notification)).toBe(202);
    await waitFor(async () => (await appImage(apps, namespace, 'checkout')) === `${IMAGE}:v1`, { what: 'the rollback after the Lease came back' });
  } finally {
    await cluster.kubectl(['delete', 'clusterrolebinding,clusterrole', name, '--ignore-not-found']);
  }
}, 150_000);

test('the Alertmanager poll runs on the leader only, and on the new leader at once when it takes over', async () => {
  const namespace = await freshNamespace('ha-poll');
  // One stand-in Alertmanager API per replica, so each poll says who made it.
  const polls = new Map<string, number[]>();
  const servers = await Promise.all(['poll-a', 'poll-b'].map(async (name) => {
    polls.set(name, []);
    const server = createServer((req, res) => {
      polls.get(name)!.push(performance.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { name, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }));
  try {
    const replicas = await Promise.all(servers.map(({ name, url }) => replica(name, {
      leaseNamespace: namespace, timings: SHORT, extraArgs: ['--alertmanager-url', url, '--poll-schedule', '*/30 * * * * *'],
    })));
    const leader = await leaderOf(replicas);
    const [leaderName, followerName] = leader === replicas[0] ? ['poll-a', 'poll-b'] : ['poll-b', 'poll-a'];
    // Every 30 s by the schedule, and once at the start of the term.
    await waitFor(() => polls.get(leaderName)!.length > 0, { what: 'the leader\'s first poll', timeoutMs: 5_000, intervalMs: 50 });
    await sleep(3_000);
    expect(polls.get(followerName)).toEqual([]);

    killHard(leader);
    const killedAt = performance.now();
    const follower = replicas.find((one) => one !== leader)!;
    await waitFor(async () => (await readiness(follower)).role === 'leader', { what: 'the follower to lead', timeoutMs: 30_000, intervalMs: 100 });
    const ledAt = performance.now();
    await waitFor(() => polls.get(followerName)!.length > 0, { what: 'the new leader\'s first poll', timeoutMs: 5_000, intervalMs: 50 });
    // At once: the poll comes with the term, not at the schedule's next tick (up to 30 s later).
    expect(polls.get(followerName)![0]! - ledAt).toBeLessThan(2_000);
    expect(polls.get(followerName)![0]! > killedAt).toBe(true);
  } finally {
    for (const { server } of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}, 120_000);
