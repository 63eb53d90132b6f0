// A GitOps rollback that the GitOps engine never undoes, end to end: the checkout Deployment is deployed at v1 and
// v2 by Git commits that a real Flux applies (2 s intervals, Git over smart HTTP); v2 burns its error budget, the
// page alert fires, Alertmanager notifies the feedback pipeline (as system:serviceaccount:metricops:metricops-feedback
// with the ClusterRoles of manifests/base and manifests/components/flux), which rolls back and holds the Deployment,
// writes v1 back to Git and asks Flux to fetch; Flux applies the write-back and metricops releases its hold. For 60 s
// after the rollback a watch on the Deployment sees every template state: v2 never comes back.
import { Annotations } from '../../common/contract/annotations.js';
import { FluxKeys } from '../../common/contract/flux.js';
import { EventReasons } from '../../feedback-pipeline/recorders/event-recorder.js';
import { chainedSteps } from './chained-steps.js';
import { e2eCluster } from './harness/cluster.js';
import { git } from './harness/git.js';
import { GITOPS, IMAGE, loopForTest, type GitOpsRollback, type MetricopsLoop } from './harness/metricops-loop.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const WATCH_MS = 60_000;
let loop: MetricopsLoop;
let rolledBackAt: number;
let followed: GitOpsRollback;

let end: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ loop, end } = await loopForTest(cluster, 'gitops-rollback', 'gitops'));
});

afterAll(async () => {
  await end?.();
});

const step = chainedSteps();

describe('a GitOps rollback under a real Flux', () => {
  step('Flux deploys v1 by commit; the feedback pipeline runs with the base and the Flux RBAC', async () => {
    await loop.compileRules();
    await loop.startMonitoring();
    await loop.startWebhook();
    await loop.startGitOps();
    await loop.startFeedback();
    const sa = '--as=system:serviceaccount:metricops:metricops-feedback';
    expect((await cluster.kubectl(['auth', 'can-i', 'patch', 'gitrepositories.source.toolkit.fluxcd.io', '-n', 'flux-system', sa])).stdout.trim()).toBe('yes');
    expect((await cluster.kubectl(['auth', 'can-i', 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', '-n', 'flux-system', sa])).stdout.trim()).toBe('yes');
    expect((await cluster.kubectl(['auth', 'can-i', 'patch', 'kustomizations.kustomize.toolkit.fluxcd.io', '-n', 'flux-system', sa])).stdout.trim()).toBe('no');
    loop.startPods();
    const v1 = await loop.deploy('v1');
    expect(v1.annotations[Annotations.gitPath]).toBe(GITOPS.manifestPath);
    await loop.standIn!.waitForVersion('v1');
    loop.startLoad();
    expect(await loop.waitForBaseline()).toBe(0);
  });

  step('v2 by commit burns the error budget; the alert fires; metricops rolls back and holds the Deployment against Flux', async () => {
    await loop.watchTemplate();
    await sleep(1_000); // deployed-at has second precision.
    await loop.deploy('v2');
    await loop.waitForAlert('firing');
    await loop.waitForTemplate('v1');
    rolledBackAt = Date.now();
    // The rollback's own state (seen by the watch): v1 together with the hold, in one write.
    const first = loop.templateWatch!.seen.find((state) => state.image === `${IMAGE}:v1` && state.held);
    expect(first).toBeDefined();
  });

  step('metricops writes v1 back (one commit, only the image line), Flux applies it, metricops releases its hold', async () => {
    followed = await loop.followGitOpsRollback();
    expect(followed.writeBack.subject).toMatch(/^revert checkout to v1: CheckoutAvailabilitySLO burning since \d{4}-\d\d-\d\dT/);
    expect(followed.writeBack.trailers).toMatch(/^Metricops-Decision: [0-9a-f]{16}$/m);
    expect(followed.writeBack.trailers).toContain(`Metricops-From: checkout=${IMAGE}:v2`);
    expect(followed.writeBack.trailers).toContain(`Metricops-To: checkout=${IMAGE}:v1`);
    const diff = await git(loop.gitopsDir, ['show', '--unified=0', '--format=', followed.writeBack.commit]);
    expect(diff.split('\n').filter((line) => /^[+-][^+-]/.test(line))).toEqual([`-          image: ${IMAGE}:v2`, `+          image: ${IMAGE}:v1`]);
    const deployment = await loop.readDeployment();
    expect(deployment.annotations[Annotations.gitopsHold]).toBeUndefined();
    expect(deployment.annotations[FluxKeys.reconcile]).toBeUndefined();
  });

  step('for 60 s after the rollback the template never shows v2 again; Git says v1; Flux reports the write-back applied', async () => {
    await sleep(Math.max(0, rolledBackAt + WATCH_MS - Date.now()));
    expect(loop.flipBacks('v1', 'v2')).toBe(0);
    // Never v2 while held either (an apply between the rollback and the hold would show as v2 with the hold).
    expect(loop.templateWatch!.seen.filter((state) => state.held && state.image === `${IMAGE}:v2`)).toEqual([]);
    expect((await loop.readDeployment()).image).toBe(`${IMAGE}:v1`);
    expect(await git(loop.gitopsDir, ['show', `${await loop.gitopsRepository!.remoteHead()}:${GITOPS.manifestPath}`])).toContain(`image: ${IMAGE}:v1`);
    const status = await loop.flux!.kustomizationStatus(GITOPS.kustomization);
    expect(status.lastAppliedRevision).toBe(`main@sha1:${followed.writeBack.commit}`);
    expect(status.ready?.status).toBe('True');
  });

  step('one rollback, one write-back commit; recorded as Events, audit records and metrics', async () => {
    const writeBacks = (await git(loop.gitopsDir, ['log', '--format=%H', '--fixed-strings', '--grep=Metricops-Decision: ', 'origin/main'])).split('\n').filter(Boolean);
    expect(writeBacks).toEqual([followed.writeBack.commit]);
    const events = await loop.events();
    expect(events.filter((event) => event.reason === EventReasons.rolledBack)).toHaveLength(1);
    expect(events.filter((event) => event.reason === EventReasons.released)).toHaveLength(1);
    expect(events.filter((event) => event.reason === EventReasons.reverted)).toHaveLength(0);
    const records = await waitFor(async () => {
      const found = await loop.auditRecords();
      return found.some((record) => record.gitops?.stage === 'released') ? found : undefined;
    }, { what: 'the audit record of the release' });
    const rolledBack = records.filter((record) => record.outcome === 'rolled-back' && record.gitops?.stage === 'holding');
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0]!.gitCommit).toBe(followed.writeBack.commit);
    expect(records.find((record) => record.gitops?.stage === 'released')?.id).toBe(rolledBack[0]!.id);
    const metrics = await loop.feedbackMetrics();
    expect(metrics).toMatch(/metricops_feedback_gitops_steps_total\{stage="released"\} 1/);
    expect(metrics).toMatch(/metricops_feedback_gitops_holds 0/);
    expect(metrics).toMatch(/metricops_feedback_gitops_hold_seconds_count 1/);
    // The write-back commit names the decision it writes back.
    expect(followed.writeBack.trailers).toContain(`Metricops-Decision: ${rolledBack[0]!.id}`);
  });
});
