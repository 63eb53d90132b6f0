/**
 * `npm run bench -- feedback`: the feedback pipeline as a process (`metricops feedback`, the built CLI) against a
 * private local control plane (test/e2e/harness: etcd, kube-apiserver, kube-controller-manager).
 *
 * 1. Rollback latency: 100 Deployments rolled out v1 -> v2 (webhook stamps), one page alert each, POSTed one at a
 *    time as Alertmanager does; latency = from the POST to the watch event that shows the v1 template (the client's
 *    view), next to the pipeline's own `latencyMs` (alert received -> patch accepted) from its decision records.
 * 2. Failover: three replicas electing a leader on a Lease (default timings 15s/10s/2s); the leader is killed with
 *    SIGKILL while notifications for a Deployment storm the survivors; time from the kill to the new leader (its
 *    /readyz) and to its rollback (the watch event of the good template). Three rounds.
 * 3. Memory: RSS (/proc/<pid>/status VmRSS) of a feedback process on an empty cluster (baseline) and of a fresh one
 *    whose informers hold 10,000 Deployments (replicas 0) and their 10,000 ReplicaSets.
 * Each section notes the 1-minute load average: the machine is shared, and the numbers move with it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { loadKubeConnection } from '../common/kube-connection.js';
import { KubeApi } from '../feedback-pipeline/kubernetes/api-client.js';
import { Deployments } from '../feedback-pipeline/kubernetes/resources.js';
import { startControlPlane, type ControlPlane } from '../test/e2e/harness/control-plane.js';
import {
  pageNotification, rollOut, stampedDeployment, startFeedback, waitForReplicaSets, watchDeploymentImages, IMAGE, type FeedbackProcess,
} from '../test/e2e/harness/feedback-fixtures.js';
import { killHard, leaderOf, notificationStorm, readiness, startReplica } from '../test/e2e/harness/feedback-replicas.js';
import { sleep, waitFor } from '../test/e2e/harness/wait.js';
import type { BenchPart } from './run.js';

const ROLLBACKS = 100;
const SCALE = 10_000;
const SCALE_NAMESPACES = 20;
const PARALLELISM = 24;
const LATENCY_GOAL_MS = 50;
const FAILOVER_ROUNDS = 3;
const RSS_GOAL_MB = 100;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return kb / 1024;
}

/** RSS samples once a second for `seconds` after a settle time: the last and the largest. */
async function sampleRss(pid: number, seconds: number): Promise<{ last: number; max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < seconds; i++) {
    samples.push(await rssMb(pid));
    await sleep(1_000);
  }
  return { last: samples.at(-1)!, max: Math.max(...samples) };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function countReplicaSets(apps: AppsV1Api): Promise<number> {
  const page = await apps.listReplicaSetForAllNamespaces({ limit: 1 });
  return page.items.length + (page.metadata?.remainingItemCount ?? 0);
}

interface LatencyResult { client: number[]; pipeline: number[] }

async function measureLatency(cluster: ControlPlane, apps: AppsV1Api, feedback: FeedbackProcess): Promise<LatencyResult> {
  const namespace = 'latency';
  await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const names = Array.from({ length: ROLLBACKS }, (_, i) => `checkout-${String(i).padStart(3, '0')}`);
  const v1At = new Date(Date.now() - 60_000);
  await inParallel(names, 10, (name) => rollOut(apps, { namespace, name, version: 'v1', deployedAt: v1At }));
  await waitFor(async () => (await countReplicaSets(apps)) >= ROLLBACKS, { what: 'the v1 ReplicaSets', timeoutMs: 120_000 });
  const v2At = new Date();
  await inParallel(names, 10, (name) => rollOut(apps, { namespace, name, version: 'v2', deployedAt: v2At }));
  await waitFor(async () => (await countReplicaSets(apps)) >= 2 * ROLLBACKS, { what: 'the v2 ReplicaSets', timeoutMs: 120_000 });
  // The feedback cache has to hold the v2 Deployments and ReplicaSets before an alert can be decided.
  await sleep(3_000);

  const waiters = new Map<string, (at: number) => void>();
  const watch = await watchDeploymentImages(cluster.kubeConfig, namespace, (name, image, at) => {
    if (image === `${IMAGE}:v1`) waiters.get(name)?.(at);
  });
  const client: number[] = [];
  try {
    for (const name of names) {
      const restored = new Promise<number>((resolve) => waiters.set(name, resolve));
      const startsAt = new Date(v2At.getTime() + 1_000);
      const posted = performance.now();
      const status = await feedback.notify(pageNotification({ namespace, deployment: name, startsAt }));
      if (status !== 202) throw new Error(`POST /api/v1/alerts for ${name}: HTTP ${status}`);
      const at = await Promise.race([restored, sleep(30_000).then(() => { throw new Error(`${name} was not rolled back within 30 s`); })]);
      client.push(at - posted);
      waiters.delete(name);
    }
  } finally {
    watch.stop();
  }
  const records = await waitFor(async () => {
    const response = await fetch(`${feedback.url}/api/v1/events?namespace=${namespace}&limit=1000`, { headers: { authorization: `Bearer ${feedback.token}` } });
    const events = ((await response.json()) as { events: Array<{ outcome: string; latencyMs?: number }> }).events;
    return events.length >= ROLLBACKS ? events : undefined;
  }, { what: 'the decision records', timeoutMs: 30_000 });
  const failed = records.filter((record) => record.outcome !== 'rolled-back');
  if (failed.length > 0) throw new Error(`${failed.length} decisions were not rolled-back: ${JSON.stringify(failed[0])}`);
  return { client, pipeline: records.map((record) => record.latencyMs ?? NaN) };
}

async function createScale(cluster: ControlPlane, apps: AppsV1Api): Promise<number> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const namespaces = Array.from({ length: SCALE_NAMESPACES }, (_, i) => `scale-${i}`);
  for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
  const started = performance.now();
  const deployedAt = new Date();
  await inParallel(Array.from({ length: SCALE }, (_, i) => i), PARALLELISM, async (i) => {
    const body = stampedDeployment({ namespace: namespaces[i % SCALE_NAMESPACES]!, name: `app-${i}`, version: 'v1', deployedAt, replicas: 0 });
    await apps.createNamespacedDeployment({ namespace: body.metadata!.namespace!, body });
  });
  await waitFor(async () => (await countReplicaSets(apps)) >= SCALE + 2 * ROLLBACKS,
    { what: `the ReplicaSets of ${SCALE} Deployments`, timeoutMs: 900_000, intervalMs: 2_000 });
  return (performance.now() - started) / 1000;
}

const fmt = (n: number): string => n.toFixed(1);

/**
 * The floors under the pipeline's latency, made directly from this process `ROLLBACKS` times (ms each, sorted):
 * `patch`: one JSON Patch, what the executor sends when the informer cache's snapshot is current (its usual path);
 * `fresh`: read the Deployment, list its ReplicaSets, JSON Patch it, one after the other: the fallback after a
 * conflict (and what every rollback did before the cached path).
 */
async function apiRoundTrips(apps: AppsV1Api, kubeconfigPath: string, namespace: string, name: string): Promise<{ patch: number[]; fresh: number[]; keepAlive: number[] }> {
  const patch: number[] = [];
  const fresh: number[] = [];
  const keepAlive: number[] = [];
  // The pipeline's own client (one kept-alive TLS connection), as its executor sends the patch.
  const api = new KubeApi(await loadKubeConnection({ kubeconfig: kubeconfigPath }));
  for (let i = 0; i < ROLLBACKS; i++) {
    const started = performance.now();
    await api.patch(Deployments, namespace, name, [{ op: 'add', path: '/metadata/annotations/bench~1round', value: `k${i}` }], 'json');
    keepAlive.push(performance.now() - started);
  }
  api.close();
  const annotate = (value: string) =>
    apps.patchNamespacedDeployment({ name, namespace, body: [{ op: 'add', path: '/metadata/annotations/bench~1round', value }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  for (let i = 0; i < ROLLBACKS; i++) {
    let started = performance.now();
    await annotate(`p${i}`);
    patch.push(performance.now() - started);
    started = performance.now();
    await apps.readNamespacedDeployment({ name, namespace });
    await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${name}` });
    await annotate(`f${i}`);
    fresh.push(performance.now() - started);
  }
  return { patch: patch.sort((a, b) => a - b), fresh: fresh.sort((a, b) => a - b), keepAlive: keepAlive.sort((a, b) => a - b) };
}

interface FailoverRound { toLeaderS: number; toRollbackS: number; load: number }

/**
 * Three replicas on one Lease; per round: kill -9 the leader, storm the survivors with the notification for a
 * Deployment at v2, and time the kill -> a survivor's /readyz says it leads -> the watch shows the v1 template.
 * A replacement replica keeps three running for the next round.
 */
async function measureFailover(cluster: ControlPlane, apps: AppsV1Api, dir: string, running: FeedbackProcess[]): Promise<FailoverRound[]> {
  const namespace = 'failover';
  await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const names = Array.from({ length: FAILOVER_ROUNDS }, (_, i) => `failover-${i}`);
  await inParallel(names, 3, (name) => rollOut(apps, { namespace, name, version: 'v1', deployedAt: new Date(Date.now() - 60_000) }));
  for (const name of names) await waitForReplicaSets(apps, namespace, name, 1);
  const v2At = new Date();
  await inParallel(names, 3, (name) => rollOut(apps, { namespace, name, version: 'v2', deployedAt: v2At }));
  for (const name of names) await waitForReplicaSets(apps, namespace, name, 2);

  const options = { kubeconfigPath: cluster.kubeconfigPath, dir, leaseNamespace: namespace };
  let replicas = await Promise.all(['r0', 'r1', 'r2'].map((name) => startReplica(name, options)));
  running.push(...replicas);
  const rounds: FailoverRound[] = [];
  for (const [round, name] of names.entries()) {
    const leader = await leaderOf(replicas);
    const identity = (await readiness(leader)).identity;
    const survivors = replicas.filter((replica) => replica !== leader);
    await waitFor(async () => (await Promise.all(survivors.map(readiness))).every((state) => state.leader === identity), { what: 'the followers to know the leader' });
    const restored = new Promise<number>((resolve) => {
      void watchDeploymentImages(cluster.kubeConfig, namespace, (deployment, image, at) => {
        if (deployment === name && image === `${IMAGE}:v1`) resolve(at);
      }).then((watch) => restored.finally(() => watch.stop()));
    });
    const load = loadavg()[0]!;
    killHard(leader);
    const killedAt = performance.now();
    const storm = notificationStorm(() => survivors, pageNotification({ namespace, deployment: name, startsAt: new Date(v2At.getTime() + 1_000) }), 100);
    const newLeader = await leaderOf(survivors, 60_000);
    const ledAt = performance.now();
    const rolledBackAt = await Promise.race([restored, sleep(60_000).then(() => { throw new Error(`${name} was not rolled back within 60 s of the kill`); })]);
    await storm.stop();
    rounds.push({ toLeaderS: (ledAt - killedAt) / 1000, toRollbackS: (rolledBackAt - killedAt) / 1000, load });
    process.stdout.write(`[bench] failover ${round + 1}: new leader after ${rounds.at(-1)!.toLeaderS.toFixed(1)} s, rollback after ${rounds.at(-1)!.toRollbackS.toFixed(1)} s\n`);
    const replacement = await startReplica(`r${round + 3}`, options);
    running.push(replacement);
    replicas = [...survivors, replacement];
    void newLeader;
  }
  // Not running during the memory part: they would watch the 10,000 Deployments too.
  await Promise.all(replicas.map((replica) => replica.stop()));
  return rounds;
}

/** RSS of an idle node process that ran `code` (ESM), 3 s after start: what the runtime and a library cost alone. */
async function idleNodeRss(code: string): Promise<number> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `${code}\nsetInterval(() => {}, 1000);`], { stdio: 'ignore' });
  try {
    await sleep(3_000);
    return await rssMb(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}


const part: BenchPart = {
  name: 'feedback',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-bench-feedback-'));
    // The controller's default client rate (20 requests/s) would take ~15 min for 10,000 ReplicaSets.
    const controlPlane = await startControlPlane({ controllerManagerArgs: ['--kube-api-qps=300', '--kube-api-burst=600', '--concurrent-deployment-syncs=10'] });
    const running: FeedbackProcess[] = [];
    try {
      const apps = controlPlane.kubeConfig.makeApiClient(AppsV1Api);
      const loadBefore = loadavg()[0]!;
      const bareNode = await idleNodeRss('');
      const clientNode = await idleNodeRss("await import('@kubernetes/client-node');");
      const baseline = await startFeedback({ name: 'baseline', kubeconfigPath: controlPlane.kubeconfigPath, dir });
      running.push(baseline);
      await sleep(5_000);
      const empty = await sampleRss(baseline.process.pid, 5);
      process.stdout.write(`[bench] baseline RSS ${fmt(empty.last)} MB\n`);

      const latency = await measureLatency(controlPlane, apps, baseline);
      const client = [...latency.client].sort((a, b) => a - b);
      const pipeline = [...latency.pipeline].sort((a, b) => a - b);
      const loadLatency = loadavg()[0]!;
      const floor = await apiRoundTrips(apps, controlPlane.kubeconfigPath, 'latency', 'checkout-000');
      process.stdout.write(`[bench] latency p50 ${fmt(percentile(client, 50))} ms p99 ${fmt(percentile(client, 99))} ms\n`);

      const failover = await measureFailover(controlPlane, apps, dir, running);
      const loadScaleStart = loadavg()[0]!;

      const createSeconds = await createScale(controlPlane, apps);
      process.stdout.write(`[bench] ${SCALE} Deployments and their ReplicaSets in ${fmt(createSeconds)} s\n`);
      const scaled = await startFeedback({ name: 'scale', kubeconfigPath: controlPlane.kubeconfigPath, dir });
      running.push(scaled);
      await sleep(5_000);
      const full = await sampleRss(scaled.process.pid, 10);
      const watched = await sampleRss(baseline.process.pid, 3);
      const loadScale = loadavg()[0]!;

      const loadAfter = loadavg()[0]!;
      const p99 = percentile(client, 99);
      return [
        `Private local control plane (test/e2e/harness: etcd 3.6, kube-apiserver and kube-controller-manager 1.34, one`,
        `machine, shared with other jobs); \`metricops feedback\` run as its own process (built CLI), admin kubeconfig.`,
        `1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end (2 cores: other engineers' tests ran too).`,
        '',
        `## Rollback latency (${ROLLBACKS} rollbacks, one at a time, one Deployment each)`,
        '',
        `1-minute load average ${loadLatency.toFixed(1)} after the rollbacks.`,
        '',
        'client: POST /api/v1/alerts sent -> watch event showing the v1 template (includes HTTP intake, decision, the JSON',
        'Patch from the informer cache\'s snapshot (fresh reads only after a conflict) and the watch delivery).',
        'pipeline: the record\'s `latencyMs` (alert received -> patch accepted).',
        '',
        '| measure | p50 | p99 | max |',
        '|---|---|---|---|',
        `| client (POST -> watch event), ms | ${fmt(percentile(client, 50))} | ${fmt(p99)} | ${fmt(client.at(-1)!)} |`,
        `| pipeline latencyMs, ms | ${fmt(percentile(pipeline, 50))} | ${fmt(percentile(pipeline, 99))} | ${fmt(pipeline.at(-1)!)} |`,
        `| floor: one JSON Patch on a kept-alive connection (the pipeline's client, its cached path), ms | ${fmt(percentile(floor.keepAlive, 50))} | ${fmt(percentile(floor.keepAlive, 99))} | ${fmt(floor.keepAlive.at(-1)!)} |`,
        `| one JSON Patch through client-node (a TLS handshake each), ms | ${fmt(percentile(floor.patch, 50))} | ${fmt(percentile(floor.patch, 99))} | ${fmt(floor.patch.at(-1)!)} |`,
        `| floor: read + list + JSON Patch (the fresh path, after a conflict), ms | ${fmt(percentile(floor.fresh, 50))} | ${fmt(percentile(floor.fresh, 99))} | ${fmt(floor.fresh.at(-1)!)} |`,
        '',
        `Goal p99 <= ${LATENCY_GOAL_MS} ms (client view): ${p99 <= LATENCY_GOAL_MS ? 'met' : 'NOT met'}.`,
        `Pipeline p50 ${fmt(percentile(pipeline, 50))} ms; one JSON Patch on a kept-alive connection: p50 ${fmt(percentile(floor.keepAlive, 50))} ms;`,
        `read + list + patch (client-node): p50 ${fmt(percentile(floor.fresh, 50))} ms.`,
        '',
        `## Failover (three replicas on one Lease, lease duration 15 s, renew deadline 10 s, retry period 2 s)`,
        '',
        'kill -9 of the leader while the notification for a Deployment at v2 is posted to the survivors every 100 ms;',
        'from the kill to a survivor\'s /readyz saying it leads, and to the watch event of the v1 template. Bound: a',
        'follower takes the Lease one lease duration after it last saw the Lease renewed (its own clock), at its next',
        'try (retry period x 1..1.2); it saw the last renew up to a retry period before the kill: 13 to 17.4 s after it.',
        '',
        '| round | load (1 min) | kill -> new leader, s | kill -> rollback by it, s |',
        '|---|---|---|---|',
        ...failover.map((round, i) => `| ${i + 1} | ${round.load.toFixed(1)} | ${fmt(round.toLeaderS)} | ${fmt(round.toRollbackS)} |`),
        '',
        `## Memory (RSS from /proc/<pid>/status VmRSS)`,
        '',
        `1-minute load average ${loadScaleStart.toFixed(1)} before the creations, ${loadScale.toFixed(1)} after the samples.`,
        '',
        `${SCALE} Deployments (replicas 0, stamped, in ${SCALE_NAMESPACES} namespaces) created with ${PARALLELISM} requests in`,
        `flight, plus their ${SCALE} ReplicaSets from the controller (and the ${ROLLBACKS} latency Deployments with 2 ReplicaSets each):`,
        `${fmt(createSeconds)} s until the controller had made every ReplicaSet (kube-controller-manager at --kube-api-qps=300).`,
        '',
        '| process | informer contents | RSS last, MB | RSS max, MB |',
        '|---|---|---|---|',
        `| baseline, 5 s after ready | empty cluster | ${fmt(empty.last)} | ${fmt(empty.max)} |`,
        `| fresh process, 5 s after ready (initial paged lists) | ${SCALE + ROLLBACKS} Deployments, ${SCALE + 2 * ROLLBACKS} ReplicaSets | ${fmt(full.last)} | ${fmt(full.max)} |`,
        `| baseline process after the creations (took them by watch) | same | ${fmt(watched.last)} | ${fmt(watched.max)} |`,
        '',
        `Increment for ${SCALE} Deployments: ${fmt(full.last - empty.last)} MB (${fmt(((full.last - empty.last) * 1024) / SCALE)} KiB per`,
        `Deployment with its ReplicaSet); ratio to the baseline ${(full.last / empty.last).toFixed(2)}. The process that took the`,
        `same objects one watch event at a time grew by ${fmt(watched.last - empty.last)} MB.`,
        'The list/watch path: plain HTTPS, list pages streamed and parsed one item at a time, only slim fields kept',
        '(kubernetes/list-items.ts, cached-objects.ts); V8 told to favour memory, one full collection after the lists (cli/heap.ts).',
        `Goal RSS <= ${RSS_GOAL_MB} MB with ${SCALE} Deployments: ${full.max <= RSS_GOAL_MB ? 'met' : 'NOT met'}.`,
        '',
        `For scale: an idle \`node\` process has ${fmt(bareNode)} MB RSS; one that only imported \`@kubernetes/client-node\` has`,
        `${fmt(clientNode)} MB (the library alone ${fmt(clientNode - bareNode)} MB): the feedback pipeline no longer loads it (only for`,
        'kubeconfigs with exec or auth-provider plugins, or a proxy-url).',
      ].join('\n');
    } finally {
      for (const feedback of running) await feedback.stop();
      await controlPlane.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default part;
