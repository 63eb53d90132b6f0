// The loop's GitOps deploy path (MetricopsLoop deployBy: 'gitops'): the GitOps repository with the compiled rules
// is served over HTTP, the checkout Deployment goes to v1 and then v2 by Git commits that a real Flux applies, the
// webhook stamps each rollout on the way, and Flux's periodic applies and the webhook's stamps do not fight.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { Annotations } from '../../common/contract/annotations.js';
import { chainedSteps } from './chained-steps.js';
import { e2eCluster } from './harness/cluster.js';
import { git } from './harness/git.js';
import { GITOPS, IMAGE, loopForTest, NAMESPACE, type DeploymentState, type MetricopsLoop } from './harness/metricops-loop.js';
import { repoRoot } from './harness/repo-root.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
let loop: MetricopsLoop;
let v1: DeploymentState;

let end: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ loop, end } = await loopForTest(cluster, 'gitops-loop', 'gitops'));
});

afterAll(async () => {
  await end?.();
});

// The steps build on each other: after one fails, the rest fail at once instead of each waiting for its timeout.
const step = chainedSteps();

/** When kustomize-controller last changed the Deployment (its managedFields entry). */
async function lastFluxWrite(): Promise<string> {
  const deployment = await apps.readNamespacedDeployment({ name: 'checkout', namespace: NAMESPACE });
  const entry = deployment.metadata?.managedFields?.find((field) => field.manager === 'kustomize-controller');
  return entry?.time ? new Date(entry.time).toISOString() : '';
}

describe('MetricopsLoop deploys by Git commit through Flux', () => {
  step('the GitOps repository with the compiled rules is served over HTTP and Flux watches its deploy/ folder', async () => {
    await loop.compileRules();
    await loop.startWebhook();
    await loop.startGitOps();
    expect(await loop.gitopsRepository!.remoteHead()).toBe(await loop.gitopsRepository!.localHead());
    const files = await git(loop.gitopsDir, ['ls-tree', '-r', '--name-only', 'origin/main']);
    expect(files).toContain('rules/checkout-availability.rules.yaml');
  });

  step('deploy v1 by commit: the manifest in Git is the example file, Flux creates the Deployment, the webhook stamps it', async () => {
    v1 = await loop.deploy('v1');
    expect(await git(loop.gitopsDir, ['show', `origin/main:${GITOPS.manifestPath}`]))
      .toBe(await readFile(join(repoRoot(), 'examples', 'deploy', 'checkout.yaml'), 'utf8'));
    expect(v1.image).toBe(`${IMAGE}:v1`);
    expect(JSON.parse(v1.annotations[Annotations.images] ?? '{}')).toEqual({ checkout: `${IMAGE}:v1` });
    expect(Date.parse(v1.annotations[Annotations.deployedAt] ?? '')).not.toBeNaN();
    expect(v1.annotations[Annotations.rules]).toContain('CheckoutAvailabilitySLO');
    const status = await loop.flux!.kustomizationStatus(GITOPS.kustomization);
    expect(status.lastAppliedRevision).toBe(`main@sha1:${await loop.gitopsRepository!.remoteHead()}`);
  });

  step('deploy v2 by commit: a new rollout, new stamps, only the image line changed in Git', async () => {
    await sleep(1_000); // deployed-at has second precision: make the new stamp visibly newer.
    const v2 = await loop.deploy('v2');
    expect(v2.image).toBe(`${IMAGE}:v2`);
    expect(JSON.parse(v2.annotations[Annotations.images] ?? '{}')).toEqual({ checkout: `${IMAGE}:v2` });
    expect(Date.parse(v2.annotations[Annotations.deployedAt] ?? '')).toBeGreaterThan(Date.parse(v1.annotations[Annotations.deployedAt] ?? ''));
    const diff = await git(loop.gitopsDir, ['diff', '--unified=0', 'HEAD~1', 'HEAD', '--', GITOPS.manifestPath]);
    expect(diff.split('\n').filter((line) => /^[+-][^+-]/.test(line))).toEqual([
      `-          image: ${IMAGE}:v1`, `+          image: ${IMAGE}:v2`,
    ]);
    const sets = await waitFor(async () => {
      const state = await loop.readDeployment();
      return state.replicaSets.length === 2 ? state.replicaSets : undefined;
    }, { what: 'a second ReplicaSet' });
    expect(sets.map((set) => set.image)).toEqual([`${IMAGE}:v1`, `${IMAGE}:v2`]);
  });

  step('Flux and the webhook do not fight: over three intervals and a requested reconcile, nothing is re-applied or re-stamped', async () => {
    const before = await loop.readDeployment();
    const fluxWrite = await lastFluxWrite();
    const token = await loop.flux!.requestReconcile('Kustomization', GITOPS.kustomization);
    await waitFor(async () => (await loop.flux!.kustomizationStatus(GITOPS.kustomization)).lastHandledReconcileAt === token, {
      what: 'Flux to handle the reconcile request',
    });
    await sleep(6_000);
    const after = await loop.readDeployment();
    expect(after.image).toBe(`${IMAGE}:v2`);
    expect(after.generation).toBe(before.generation);
    expect(after.annotations[Annotations.deployedAt]).toBe(before.annotations[Annotations.deployedAt]);
    expect(after.annotations[Annotations.images]).toBe(before.annotations[Annotations.images]);
    expect(await lastFluxWrite()).toBe(fluxWrite);
  });
});
