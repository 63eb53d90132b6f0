// GitOps for real: a real Flux (source-controller + kustomize-controller, test/e2e/build-flux.sh) on the local
// control plane deploys examples/deploy/checkout.yaml by Git commit from a repository served over smart HTTP,
// corrects drift, keeps applying while the Git server is down, and tells who owns the image field. The steps run in
// order and share state; the timings they see are printed at the end (they are observations, not assertions).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { chainedSteps } from './chained-steps.js';
import { CHECKOUT_IMAGE, checkoutManifest } from './harness/checkout-manifest.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { startGitServer, type GitServer } from './harness/git-server.js';
import { GitOpsRepository } from './harness/gitops-repository.js';
import { containerImagePath, fieldOwners, type FieldOwner } from './harness/managed-fields.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
const namespace = uniqueNamespace('flux');
const DEPLOYMENT = 'checkout';
const SOURCE = 'gitops';
const KUSTOMIZATION = 'checkout';
/** Flux's Kustomization and GitRepository interval in this test (the default of the harness). */
const INTERVAL_MS = 2_000;
/** Flux's own annotation: an in-cluster object that carries it is skipped by every apply. */
const RECONCILE_DISABLED = { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' };

let workDir: string;
let server: GitServer;
let repository: GitOpsRepository;
let flux: Flux;
const commits: Record<string, string> = {};
const timings: string[] = [];

const image = (version: string): string => `${CHECKOUT_IMAGE}:${version}`;
const manifest = (version: string): Promise<string> => checkoutManifest({ version, namespace });
const deployment = (): Promise<V1Deployment> => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace });
const templateImage = async (): Promise<string> => (await deployment()).spec?.template.spec?.containers[0]?.image ?? '';
const imageOwners = async (): Promise<FieldOwner[]> => fieldOwners((await deployment()).metadata?.managedFields, containerImagePath('checkout'));

async function commitVersion(version: string, message: string): Promise<string> {
  const commit = await repository.commit(message, { 'deploy/checkout.yaml': await manifest(version) });
  commits[version] = commit;
  return commit;
}

/** Waits until the template names `version`; returns the seconds it took from `since`. */
async function waitForTemplate(version: string, since: number, timeoutMs = 60_000): Promise<number> {
  await waitFor(async () => (await templateImage()) === image(version), { what: `the Deployment's template to be ${version}`, timeoutMs, intervalMs: 50 });
  return (Date.now() - since) / 1000;
}

/** What metricops' rollback executor sends: a JSON Patch of the image with its own field manager. */
async function patchImageAsMetricops(version: string, annotations: Record<string, string> = {}): Promise<V1Deployment> {
  const body: object[] = [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image(version) }];
  for (const [key, value] of Object.entries(annotations)) {
    body.push({ op: 'add', path: `/metadata/annotations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, value });
  }
  return apps.patchNamespacedDeployment({ name: DEPLOYMENT, namespace, body, fieldManager: 'metricops' },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metricops-flux-'));
  server = await startGitServer({ root: join(workDir, 'git'), logFile: join(workDir, 'git-server.log') });
  flux = await startFlux({ cluster, workDir, namespace: uniqueNamespace('flux-system') });
});

afterAll(async () => {
  await flux?.stop();
  await server?.stop();
  await cluster.kubectl(['delete', 'namespace', namespace, ...(flux ? [flux.namespace] : []), '--wait=false']);
  if (timings.length > 0) console.log(`Flux timings (intervals ${INTERVAL_MS / 1000}s):\n  ${timings.join('\n  ')}`);
  if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(workDir, { recursive: true, force: true });
  else console.log(`logs and repositories kept in ${workDir}`);
});

// The steps build on each other: after one fails, the rest fail at once instead of each waiting for its timeout.
const step = chainedSteps();

describe('a real Flux deploys by Git commit', () => {
  step('Flux applies the GitOps repository (served over smart HTTP) at v1', async () => {
    repository = await GitOpsRepository.create(server, 'gitops', join(workDir, 'clones'));
    const pushed = Date.now();
    const v1 = await commitVersion('v1', 'deploy checkout v1');
    await flux.createGitRepository({ name: SOURCE, url: repository.url });
    await flux.createKustomization({ name: KUSTOMIZATION, source: SOURCE, path: './deploy' });
    const status = await flux.waitForAppliedRevision(KUSTOMIZATION, v1);
    timings.push(`first apply (objects created, commit -> applied): ${((Date.now() - pushed) / 1000).toFixed(1)}s`);
    expect(status.lastAppliedRevision).toBe(`main@sha1:${v1}`);
    expect(status.ready?.status).toBe('True');
    expect(await templateImage()).toBe(image('v1'));
  });

  step('Flux server-side applies as kustomize-controller: it alone owns the image field', async () => {
    expect(await imageOwners()).toEqual([expect.objectContaining({ manager: 'kustomize-controller', operation: 'Apply' })]);
  });

  step('a commit changes the image to v2: Flux applies it on its own and reports that commit', async () => {
    const pushed = Date.now();
    const v2 = await commitVersion('v2', 'deploy checkout v2');
    const status = await flux.waitForAppliedRevision(KUSTOMIZATION, v2);
    const applied = (Date.now() - pushed) / 1000;
    timings.push(`commit pushed -> Flux reports it applied (no reconcile request): ${applied.toFixed(1)}s`);
    expect(status.lastAppliedRevision).toBe(`main@sha1:${v2}`);
    expect(await templateImage()).toBe(image('v2'));
    // The rollout happened: a second ReplicaSet with the v2 template.
    const sets = await waitFor(async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=checkout' });
      const images = list.items.map((set) => set.spec?.template?.spec?.containers[0]?.image).sort();
      return images.length === 2 ? images : undefined;
    }, { what: 'the v1 and v2 ReplicaSets' });
    expect(sets).toEqual([image('v1'), image('v2')]);
  });

  step('a hand edit of the image (kubectl set image) is reverted by drift correction, without a commit or a request', async () => {
    const edited = Date.now();
    const result = await cluster.kubectl(['set', 'image', `deployment/${DEPLOYMENT}`, `checkout=${image('hotfix')}`, '-n', namespace]);
    expect(result.code).toBe(0);
    const seconds = await waitForTemplate('v2', edited);
    timings.push(`kubectl set image -> Flux reverted it: ${seconds.toFixed(1)}s`);
    expect((await flux.kustomizationStatus(KUSTOMIZATION)).lastAppliedRevision).toBe(`main@sha1:${commits.v2}`);
    // kubectl's claim on the image is gone: Flux cleans up the managers it overrides.
    expect(await imageOwners()).toEqual([expect.objectContaining({ manager: 'kustomize-controller', operation: 'Apply' })]);
  });

  step('a JSON Patch of the image by field manager "metricops" (what the rollback sends) is reverted too', async () => {
    const patched = Date.now();
    const response = await patchImageAsMetricops('v1');
    // The patch makes metricops an owner of the image (an Update); Flux's next apply forces it back.
    const owners = fieldOwners(response.metadata?.managedFields, containerImagePath('checkout'));
    expect(owners).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'metricops', operation: 'Update' })]));
    const seconds = await waitForTemplate('v2', patched);
    timings.push(`rollback-style JSON Patch (manager metricops) -> Flux re-applied v2: ${seconds.toFixed(1)}s`);
    const after = await imageOwners();
    const names = (list: FieldOwner[]): string => list.map((owner) => `${owner.manager}/${owner.operation}`).join(', ');
    timings.push(`image owners after the patch: ${names(owners)}; after Flux re-applied: ${names(after)}`);
    expect(after).toEqual([expect.objectContaining({ manager: 'kustomize-controller', operation: 'Apply' })]);
  });

  step('an object annotated kustomize.toolkit.fluxcd.io/reconcile=disabled is left alone while Flux applies new commits', async () => {
    await patchImageAsMetricops('v1', RECONCILE_DISABLED);
    const token = await flux.requestReconcile('Kustomization', KUSTOMIZATION);
    await waitFor(async () => (await flux.kustomizationStatus(KUSTOMIZATION)).lastHandledReconcileAt === token, { what: 'Flux to handle the reconcile request' });
    await sleep(2 * INTERVAL_MS);
    expect(await templateImage()).toBe(image('v1'));
    // A new commit is applied (the revision moves on), and the annotated Deployment is still skipped.
    const touched = await repository.commit('touch the repository', { 'deploy/README.md': 'checkout, deployed by Flux\n' });
    await flux.waitForAppliedRevision(KUSTOMIZATION, touched);
    expect(await templateImage()).toBe(image('v1'));
    // Without the annotation, Flux applies the repository's v2 again.
    const removed = Date.now();
    await cluster.kubectl(['annotate', 'deployment', DEPLOYMENT, '-n', namespace, 'kustomize.toolkit.fluxcd.io/reconcile-']);
    const seconds = await waitForTemplate('v2', removed);
    timings.push(`reconcile=disabled annotation removed -> Flux re-applied v2: ${seconds.toFixed(1)}s`);
  });

  step('the reconcile.fluxcd.io/requestedAt annotation fetches and applies a commit at once (1h intervals)', async () => {
    await flux.createGitRepository({ name: SOURCE, url: repository.url, interval: '1h' });
    await flux.createKustomization({ name: KUSTOMIZATION, source: SOURCE, path: './deploy', interval: '1h' });
    const v3 = await commitVersion('v3', 'deploy checkout v3');
    await sleep(INTERVAL_MS + 1_000);
    expect((await flux.kustomizationStatus(KUSTOMIZATION)).lastAppliedRevision).not.toBe(`main@sha1:${v3}`);
    const requested = Date.now();
    await flux.requestReconcile('GitRepository', SOURCE);
    await flux.waitForAppliedRevision(KUSTOMIZATION, v3, { timeoutMs: 30_000 });
    timings.push(`GitRepository reconcile requested -> commit applied: ${((Date.now() - requested) / 1000).toFixed(1)}s`);
    expect(await templateImage()).toBe(image('v3'));
    await flux.createGitRepository({ name: SOURCE, url: repository.url });
    await flux.createKustomization({ name: KUSTOMIZATION, source: SOURCE, path: './deploy' });
  });

  step('with the Git server down, Flux keeps correcting drift from the last revision it fetched; back up, it applies new commits', async () => {
    await server.stop();
    const edited = Date.now();
    await patchImageAsMetricops('v2');
    const seconds = await waitForTemplate('v3', edited);
    timings.push(`Git server down: JSON Patch -> Flux re-applied the last fetched revision: ${seconds.toFixed(1)}s`);
    const source = await waitFor(async () => {
      const status = await flux.kustomizationStatus(KUSTOMIZATION);
      const gitRepository = await cluster.kubectl(['get', 'gitrepository', SOURCE, '-n', flux.namespace, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return gitRepository.stdout === 'False' ? { status, gitReady: gitRepository.stdout } : undefined;
    }, { what: 'the GitRepository to report the fetch failure' });
    expect(source.status.lastAppliedRevision).toBe(`main@sha1:${commits.v3}`);
    await server.start();
    const restarted = Date.now();
    const v4 = await commitVersion('v4', 'deploy checkout v4');
    await flux.waitForAppliedRevision(KUSTOMIZATION, v4);
    timings.push(`Git server back, commit pushed -> applied: ${((Date.now() - restarted) / 1000).toFixed(1)}s`);
    expect(await templateImage()).toBe(image('v4'));
  });
});
