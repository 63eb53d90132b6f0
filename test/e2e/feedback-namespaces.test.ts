// Namespace-scoped mode on the real apiserver: `metricops feedback --namespaces a,b` (the built CLI) as a
// ServiceAccount with a Role in each of those namespaces and the Lease's Role in its own, and no cluster-wide grant
// at all. It syncs (one list/watch per namespace), rolls back in a watched namespace, and leaves the rest alone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { IMAGE, pageNotification, rolledOutToV2, type FeedbackProcess } from './harness/feedback-fixtures.js';
import { LEASE_RULES, WORKLOAD_RULES, appImage, readiness, roleFor, serviceAccountKubeconfig, startReplica } from './harness/feedback-replicas.js';
import { canI, serviceAccountUser } from './harness/feedback-rbac-proof.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
const home = uniqueNamespace('ns-home');
const watched = [uniqueNamespace('ns-shop'), uniqueNamespace('ns-pay')];
const elsewhere = uniqueNamespace('ns-other');
let dir: string;
let feedback: FeedbackProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-namespaces-e2e-'));
  for (const namespace of [home, ...watched, elsewhere]) await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await feedback?.stop();
  for (const namespace of [home, ...watched, elsewhere]) await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
});

test('--namespaces with a Role per namespace (no ClusterRole): ready, rolls back in a watched namespace, never touches another', async () => {
  const subject = { namespace: home, name: 'feedback' };
  const rbac = [...watched.flatMap((namespace) => roleFor(namespace, 'metricops-feedback-workloads', WORKLOAD_RULES, subject)), ...roleFor(home, 'lease', LEASE_RULES, subject)];
  const kubeconfigPath = await serviceAccountKubeconfig(cluster, home, 'feedback', rbac, dir);
  const user = serviceAccountUser(home, 'feedback');
  // What it may do: the workloads in the watched namespaces only; nothing cluster-wide.
  expect(await canI(cluster, user, 'list', 'deployments.apps', watched[0])).toBe('yes');
  expect(await canI(cluster, user, 'patch', 'deployments.apps', watched[1])).toBe('yes');
  expect(await canI(cluster, user, 'list', 'deployments.apps', elsewhere)).toBe('no');
  expect((await cluster.kubectl(['auth', 'can-i', 'list', 'deployments.apps', '--all-namespaces', `--as=${user}`])).stdout.trim()).toBe('no');

  const [shopAt, otherAt] = await Promise.all([rolledOutToV2(apps, watched[0]!, 'checkout'), rolledOutToV2(apps, elsewhere, 'checkout')]);
  feedback = await startReplica('namespaced', { kubeconfigPath, dir, leaseNamespace: home, extraArgs: ['--namespaces', watched.join(',')] });
  await waitFor(async () => (await readiness(feedback!)).role === 'leader', { what: 'the replica to lead' });
  expect((await fetch(`${feedback.url}/readyz`)).status).toBe(200);

  // An alert for a watched namespace: rolled back.
  expect(await feedback.notify(pageNotification({ namespace: watched[0]!, deployment: 'checkout', startsAt: new Date(shopAt.getTime() + 1_000) }))).toBe(202);
  await waitFor(async () => (await appImage(apps, watched[0]!, 'checkout')) === `${IMAGE}:v1`, { what: 'the rollback in the watched namespace' });
  // The record comes after the patch (and the bad revision's mark): wait for it rather than read it at once.
  const decided = await waitFor(async () => {
    const found = await feedback!.decisions(watched[0]!, 'checkout');
    return found.length > 0 ? found : undefined;
  }, { what: 'the decision record in the watched namespace', timeoutMs: 30_000 });
  expect(decided.map((record) => record.outcome)).toEqual(['rolled-back']);

  // An alert for a namespace it does not watch: no such Deployment as far as it knows; nothing changes there.
  expect(await feedback.notify(pageNotification({ namespace: elsewhere, deployment: 'checkout', startsAt: new Date(otherAt.getTime() + 1_000) }))).toBe(202);
  const skipped = await waitFor(async () => {
    const found = await feedback!.decisions(elsewhere, 'checkout');
    return found.length > 0 ? found : undefined;
  }, { what: 'the decision on the unwatched namespace' });
  expect(skipped.map((record) => record.skip)).toEqual(['no-matching-deployment']);
  await sleep(1_000);
  expect(await appImage(apps, elsewhere, 'checkout')).toBe(`${IMAGE}:v2`);

  // Its log shows no forbidden list or watch (it never asked cluster-wide).
  expect(await readFile(feedback.process.logFile, 'utf8')).not.toMatch(/HTTP 403/);
}, 150_000);
