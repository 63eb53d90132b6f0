// The feedback pipeline end to end, as processes: two `metricops feedback` instances (the built CLI) against the
// real kube-apiserver and Deployment controller, notified as Alertmanager notifies (webhook v4, bearer token).
// Rollouts carry the stamps the webhook writes (its own containerImages), so no webhook process is needed here;
// loop.test.ts runs the real webhook. Git repositories are real (audit log, GitOps write-back).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Annotations } from '../../common/contract/annotations.js';
import type { DecisionRecord } from '../../feedback-pipeline/model.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import {
  IMAGE, MIGRATE_IMAGE, pageNotification, rollOut, startFeedback, waitForReplicaSets, watchDeploymentImages,
  type FeedbackProcess, type TemplateWatch,
} from './harness/feedback-fixtures.js';
import { waitFor, sleep } from './harness/wait.js';

const cluster = e2eCluster();
const namespace = uniqueNamespace('feedback');
const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
const NAME = 'checkout';
const GIT_PATH = 'apps/checkout/deployment.yaml';

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => execFile('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd },
    (error, stdout, stderr) => (error ? fail(new Error(`git ${args.join(' ')}: ${stderr}`)) : done(stdout))));
}

const manifest = (version: string): string => [
  '# checkout, deployed by Argo CD',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  `  name: ${NAME}`,
  `  namespace: ${namespace}`,
  '  annotations:',
  `    metricops.io/git-path: ${GIT_PATH}`,
  'spec:',
  '  template:',
  '    spec:',
  '      initContainers:',
  '        - name: migrate',
  `          image: "${MIGRATE_IMAGE}:${version}"`,
  '      containers:',
  '        - name: checkout',
  `          image: ${IMAGE}:${version} # bumped by CI`,
  '',
].join('\n');

let dir: string;
let gitopsDir: string;
let feedbackA: FeedbackProcess;
let feedbackB: FeedbackProcess;
let watch: TemplateWatch | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-feedback-e2e-'));
  gitopsDir = join(dir, 'gitops');
  await mkdir(join(gitopsDir, 'apps', NAME), { recursive: true });
  await git(gitopsDir, ['init', '-q', '-b', 'main']);
  await writeFile(join(gitopsDir, GIT_PATH), manifest('v2'));
  await git(gitopsDir, ['add', '.']);
  await git(gitopsDir, ['commit', '-q', '-m', 'checkout v2']);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Two replicas of the pipeline, each with its own audit repository (one writer per audit repository), one GitOps repo.
  [feedbackA, feedbackB] = await Promise.all(['a', 'b'].map((name) => startFeedback({
    name, kubeconfigPath: cluster.kubeconfigPath, dir, gitRepo: join(dir, `audit-${name}`), gitopsRepo: gitopsDir,
  }))) as [FeedbackProcess, FeedbackProcess];
});

afterAll(async () => {
  watch?.stop();
  await Promise.all([feedbackA?.stop(), feedbackB?.stop()]);
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
});

async function appImage(): Promise<string | undefined> {
  const deployment = await apps.readNamespacedDeployment({ name: NAME, namespace });
  return deployment.spec?.template.spec?.containers.find((container) => container.name === 'checkout')?.image;
}

async function allDecisions(): Promise<DecisionRecord[]> {
  const [a, b] = await Promise.all([feedbackA.decisions(namespace, NAME), feedbackB.decisions(namespace, NAME)]);
  return [...a, ...b];
}

async function eventReasons(): Promise<string[]> {
  const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${NAME}` });
  return events.items.filter((event) => event.source?.component === 'metricops' || event.reportingComponent === 'metricops')
    .map((event) => event.reason ?? '');
}

describe('metricops feedback against the real apiserver and Deployment controller', () => {
  let rolledBack: DecisionRecord;

  test('v1 -> v2 with webhook stamps; one notification delivered 50 times to two instances: exactly one rollback to v1', async () => {
    await rollOut(apps, { namespace, name: NAME, version: 'v1', deployedAt: new Date(Date.now() - 60_000), gitPath: GIT_PATH });
    await waitForReplicaSets(apps, namespace, NAME, 1);
    const v2At = new Date();
    await rollOut(apps, { namespace, name: NAME, version: 'v2', deployedAt: v2At, gitPath: GIT_PATH });
    await waitForReplicaSets(apps, namespace, NAME, 2);
    await waitFor(async () => (await apps.readNamespacedDeployment({ name: NAME, namespace })).status?.observedGeneration === 2,
      { what: 'the controller to observe v2' });

    watch = await watchDeploymentImages(cluster.kubeConfig, namespace);
    await waitFor(() => watch!.seen.some((state) => state.image === `${IMAGE}:v2`), { what: 'the watch to show v2' });

    const notification = pageNotification({ namespace, deployment: NAME, startsAt: new Date(v2At.getTime() + 1_000) });
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? feedbackA : feedbackB).notify(notification)));
    expect(statuses).toEqual(Array(50).fill(202));

    await waitFor(async () => (await appImage()) === `${IMAGE}:v1`, { what: 'the template back at v1', timeoutMs: 60_000 });
    // One decision per instance (the 25 deliveries each are one alert occurrence): one rolled back, the other found it done.
    const decisions = await waitFor(async () => {
      const all = await allDecisions();
      return all.length >= 2 ? all : undefined;
    }, { what: 'a decision from each instance', timeoutMs: 60_000 });
    const winners = decisions.filter((record) => record.outcome === 'rolled-back');
    expect(winners).toHaveLength(1);
    const loser = decisions.find((record) => record.outcome !== 'rolled-back');
    expect(loser?.outcome === 'already-rolled-back' || ['started-before-rollout', 'cooldown', 'duplicate'].includes(loser?.skip ?? '')).toBe(true);
    rolledBack = winners[0]!;
    expect(rolledBack.from?.images).toEqual({ checkout: `${IMAGE}:v2`, 'init:migrate': `${MIGRATE_IMAGE}:v2` });
    expect(rolledBack.to?.images).toEqual({ checkout: `${IMAGE}:v1`, 'init:migrate': `${MIGRATE_IMAGE}:v1` });
    expect(rolledBack.to?.revision).toBe(1);

    // The same notification again (Alertmanager's repeat): no second rollback. (Not the generation: for a
    // Deployment an annotation change bumps it too, and the GitOps hold's annotation is updated after the push.)
    const rollout = async () => {
      const sets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${NAME}` });
      const deployment = await apps.readNamespacedDeployment({ name: NAME, namespace });
      return { template: deployment.spec?.template, revisions: sets.items.map((set) => set.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort() };
    };
    const before = await rollout();
    expect(await Promise.all([feedbackA.notify(notification), feedbackB.notify(notification)])).toEqual([202, 202]);
    await sleep(2_000); // Give a wrong second rollback the chance to show in the watch.
    expect(await rollout()).toEqual(before);
    expect(await allDecisions()).toHaveLength(2);

    const images = watch.seen.filter((state) => state.name === NAME).map((state) => state.image);
    const back = images.indexOf(`${IMAGE}:v1`, images.indexOf(`${IMAGE}:v2`));
    expect(back).toBeGreaterThan(0);
    expect(images.slice(back)).not.toContain(`${IMAGE}:v2`);
    expect(await appImage()).toBe(`${IMAGE}:v1`);
  });

  test('records: one RolledBack Event, the bad-revision mark, the audit commit and the GitOps write-back commit', async () => {
    expect(rolledBack).toBeDefined();
    const reasons = await waitFor(async () => {
      const found = await eventReasons();
      return found.length >= 2 ? found : undefined;
    }, { what: 'the Events of both decisions' });
    expect(reasons.filter((reason) => reason === 'RolledBack')).toHaveLength(1);
    expect(reasons.filter((reason) => reason !== 'RolledBack').every((reason) => reason === 'RollbackSkipped')).toBe(true);

    const deployment = await apps.readNamespacedDeployment({ name: NAME, namespace });
    const record = JSON.parse(deployment.metadata?.annotations?.[Annotations.rolledBackFrom] ?? '{}') as { to?: { images?: unknown } };
    expect(record.to?.images).toEqual(rolledBack.to?.images);
    const sets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${NAME}` });
    const bad = sets.items.filter((set) => set.metadata?.annotations?.[Annotations.badRevision] !== undefined);
    expect(bad.map((set) => set.spec?.template?.spec?.containers[0]?.image)).toEqual([`${IMAGE}:v2`]);

    // The audit log of the instance that rolled back: the decision, committed.
    const audits = await Promise.all(['a', 'b'].map(async (name) => {
      const repo = join(dir, `audit-${name}`);
      return waitFor(async () => {
        const log = await git(repo, ['log', '--format=%s%n%b']);
        return log.includes(rolledBack.id) || log.includes(`audit: already-rolled-back`) || log.includes('audit: skipped') ? log : undefined;
      }, { what: `the audit commit in audit-${name}`, timeoutMs: 30_000 });
    }));
    const winnerLog = audits.find((log) => log.includes(`audit: rolled-back ${namespace}/${NAME}`));
    expect(winnerLog).toContain(rolledBack.id);

    // The GitOps write-back: the manifest names the good images, comments and quoting kept, the commit is the record's.
    expect(rolledBack.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect((await git(gitopsDir, ['rev-parse', 'HEAD'])).trim()).toBe(rolledBack.gitCommit);
    expect(await git(gitopsDir, ['log', '-1', '--format=%s'])).toMatch(/^revert checkout to v1: CheckoutAvailabilityBurnRatePage burning since /);
    expect(await git(gitopsDir, ['log', '-1', '--format=%(trailers:key=Metricops-Decision,valueonly)'])).toContain(rolledBack.id);
    expect(await readFile(join(gitopsDir, GIT_PATH), 'utf8')).toBe(manifest('v1'));
  });

  test("1,000 identical decisions make one aggregated Event and at most 25 writes (client-go's recorder bound)", async () => {
    const startsAt = new Date();
    const labels = { alertname: 'CheckoutTicketBurn', slo: 'checkout-availability', slo_severity: 'ticket', namespace, deployment: NAME };
    const alerts = Array.from({ length: 1_000 }, (_, index) => ({
      status: 'firing', labels, annotations: {}, startsAt: startsAt.toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '',
      fingerprint: `ticket${String(index).padStart(12, '0')}`,
    }));
    const notification = { ...(pageNotification({ namespace, deployment: NAME, startsAt }) as Record<string, unknown>), alerts };
    expect(await feedbackA.notify(notification)).toBe(202);

    const metric = async (result: string): Promise<number> => {
      const text = await (await fetch(`${feedbackA.url}/metrics`)).text();
      return Number(new RegExp(`^metricops_feedback_events_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    // Every decision is in; the severity is not selected (only page is), so each is a RollbackSkipped of one series.
    await waitFor(async () => (await metric('created')) + (await metric('updated')) + (await metric('suppressed')) >= 1_000, {
      what: 'the Event recorder to see all 1,000 decisions', timeoutMs: 90_000,
    });
    const ticketEvents = (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${NAME}` })).items
      .filter((event) => event.message?.includes('CheckoutTicketBurn'));
    expect(ticketEvents).toHaveLength(1);
    const [event] = ticketEvents;
    expect(event).toMatchObject({ reason: 'RollbackSkipped', type: 'Normal', involvedObject: { kind: 'Deployment', name: NAME } });
    expect(event!.message).toContain('(severity-not-selected)');
    // The bucket allows 25 writes per Deployment (this instance may have spent one on the rollback's Event).
    expect(event!.count).toBeGreaterThanOrEqual(24);
    expect(event!.count).toBeLessThanOrEqual(25);
    expect(await metric('suppressed')).toBe(1_000 - event!.count!);
    expect(await metric('created') + (await metric('updated'))).toBeLessThanOrEqual(25);
    expect(event!.lastTimestamp).toBeDefined();
  });
});
