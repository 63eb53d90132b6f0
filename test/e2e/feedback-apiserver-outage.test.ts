// A kube-apiserver outage. One replica without leader election takes the notification while the apiserver is
// stopped, retries the rollback's API calls, and completes it once the apiserver is back. With leader election, a
// leader that cannot renew its Lease for the renew deadline stops acting (it cannot know whether another replica
// took over): notifications get 503 and Alertmanager retries; once the apiserver is back it leads again, without a
// restart, and acts on the retried notification.
// A private control plane (startControlPlane), because stopping the shared one would disturb the other test files;
// etcd and kube-controller-manager keep running, only kube-apiserver goes away and comes back on the same port.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { ControlPlane } from './harness/control-plane.js';
import { startControlPlane } from './harness/control-plane.js';
import { IMAGE, pageNotification, rollOut, rolledOutToV2, startFeedback, waitForReplicaSets, type FeedbackProcess } from './harness/feedback-fixtures.js';
import { readiness, startReplica } from './harness/feedback-replicas.js';
import { waitFor } from './harness/wait.js';

const namespace = 'outage';
const NAME = 'checkout';

let dir: string;
let controlPlane: ControlPlane | undefined;
let feedback: FeedbackProcess | undefined;
let elected: FeedbackProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-outage-e2e-'));
  controlPlane = await startControlPlane();
});

afterAll(async () => {
  await feedback?.stop();
  await elected?.stop();
  await controlPlane?.stop();
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
});

test('one replica without leader election: the apiserver stops during a rollback, the rollback completes after it returns', async () => {
  const cluster = controlPlane!;
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await rollOut(apps, { namespace, name: NAME, version: 'v1', deployedAt: new Date(Date.now() - 60_000) });
  await waitForReplicaSets(apps, namespace, NAME, 1);
  const v2At = new Date();
  await rollOut(apps, { namespace, name: NAME, version: 'v2', deployedAt: v2At });
  await waitForReplicaSets(apps, namespace, NAME, 2);

  feedback = await startFeedback({ name: 'outage', kubeconfigPath: cluster.kubeconfigPath, dir, extraArgs: ['--no-leader-elect'] });
  // The informer cache has the v2 Deployment and both ReplicaSets (the decision is made from the cache).
  await waitFor(async () => (await (await fetch(`${feedback!.url}/readyz`)).status) === 200, { what: 'feedback /readyz' });

  await cluster.stopApiServer();
  expect(await feedback.notify(pageNotification({ namespace, deployment: NAME, startsAt: new Date(v2At.getTime() + 1_000) }))).toBe(202);
  // The executor's first call, the JSON Patch from the cache snapshot (no read first), hits the stopped apiserver and
  // is retried (logged), not failed.
  const logFile = feedback.process.logFile;
  const retried = `patch Deployment ${namespace}/${NAME}: transient API error, retrying`;
  await waitFor(async () => (await readFile(logFile, 'utf8')).includes(retried), { what: `"${retried}" in ${logFile}`, timeoutMs: 30_000 });
  expect(await feedback.decisions(namespace, NAME)).toEqual([]);

  await cluster.startApiServer();
  await waitFor(async () => {
    const deployment = await apps.readNamespacedDeployment({ name: NAME, namespace });
    return deployment.spec?.template.spec?.containers[0]?.image === `${IMAGE}:v1`;
  }, { what: 'the template back at v1 after the apiserver returned', timeoutMs: 90_000 });
  const decisions = await waitFor(async () => {
    const found = await feedback!.decisions(namespace, NAME);
    return found.length > 0 ? found : undefined;
  }, { what: 'the decision record', timeoutMs: 30_000 });
  expect(decisions.map((record) => record.outcome)).toEqual(['rolled-back']);
  expect(decisions[0]?.error).toBeUndefined();
});

test('with leader election: during the outage the leader stops acting (503, Alertmanager retries); after it, the same process leads and acts on the retry', async () => {
  const cluster = controlPlane!;
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  const name = 'checkout-elected';
  const v2At = await rolledOutToV2(apps, namespace, name);
  elected = await startReplica('elected', {
    kubeconfigPath: cluster.kubeconfigPath, dir, leaseNamespace: namespace, timings: { leaseDuration: '6s', renewDeadline: '4s', retryPeriod: '1s' },
  });
  await waitFor(async () => (await readiness(elected!)).role === 'leader', { what: 'the replica to lead' });

  await cluster.stopApiServer();
  await waitFor(async () => (await readiness(elected!)).role === 'follower', { what: 'the leader to stop acting', timeoutMs: 30_000 });
  const notification = pageNotification({ namespace, deployment: name, startsAt: new Date(v2At.getTime() + 1_000) });
  expect(await elected.notify(notification)).toBe(503);

  await cluster.startApiServer();
  await waitFor(async () => (await readiness(elected!)).role === 'leader', { what: 'the same process to lead again', timeoutMs: 60_000 });
  expect(await elected.notify(notification)).toBe(202);
  await waitFor(async () => {
    const deployment = await apps.readNamespacedDeployment({ name, namespace });
    return deployment.spec?.template.spec?.containers[0]?.image === `${IMAGE}:v1`;
  }, { what: 'the rollback on the retried notification', timeoutMs: 60_000 });
  // The record comes after the patch (and the bad revision's mark): wait for it rather than read it at once.
  const decisions = await waitFor(async () => {
    const found = await elected!.decisions(namespace, name);
    return found.length > 0 ? found : undefined;
  }, { what: 'the decision record', timeoutMs: 30_000 });
  expect(decisions.map((record) => record.outcome)).toEqual(['rolled-back']);
});
