// Pure helpers of the GitOps harness: the example manifest at a version, field owners from managedFields, the
// commit of a Flux revision.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkoutManifest } from '../../e2e/harness/checkout-manifest.js';
import { commitOfRevision } from '../../e2e/harness/flux.js';
import { containerImagePath, fieldOwners } from '../../e2e/harness/managed-fields.js';
import { repoRoot } from '../../e2e/harness/repo-root.js';

const example = join(repoRoot(), 'examples', 'deploy', 'checkout.yaml');

describe('checkoutManifest', () => {
  test('at the example\'s own version it is the example file byte for byte', async () => {
    expect(await checkoutManifest({ version: 'v1' })).toBe(await readFile(example, 'utf8'));
  });

  test('another version changes only the image line', async () => {
    const before = (await readFile(example, 'utf8')).split('\n');
    const after = (await checkoutManifest({ version: 'v2' })).split('\n');
    const changed = after.flatMap((line, index) => (line === before[index] ? [] : [[before[index], line]]));
    expect(changed).toEqual([['          image: example.com/metricops/checkout:v1', '          image: example.com/metricops/checkout:v2']]);
  });

  test('a namespace moves the Namespace object and the Deployment', async () => {
    const documents = parseAllDocuments(await checkoutManifest({ version: 'v1', namespace: 'flux-abc' }));
    const objects = (Array.isArray(documents) ? documents : []).map((document) => document.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    expect(objects.map((object) => [object.kind, object.metadata.name, object.metadata.namespace])).toEqual([
      ['Namespace', 'flux-abc', undefined], ['Deployment', 'checkout', 'flux-abc'],
    ]);
  });
});

describe('fieldOwners', () => {
  const image = containerImagePath('checkout');
  const entry = (manager: string, operation: string, fieldsV1: object) => ({ manager, operation, fieldsV1, time: new Date('2026-11-30T12:00:00Z') });
  const imageFields = { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"checkout"}': { 'f:image': {} } } } } } };

  test.each([
    ['the manager whose fields hold the image owns it',
      [entry('kustomize-controller', 'Apply', imageFields)], ['kustomize-controller/Apply']],
    ['a manager of other fields does not',
      [entry('kube-controller-manager', 'Update', { 'f:status': {} }), entry('metricops', 'Update', imageFields)], ['metricops/Update']],
    ['another container\'s image is another field',
      [entry('kubectl-set', 'Update', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { 'f:image': {} } } } } } })], []],
    ['co-owners are all listed',
      [entry('kustomize-controller', 'Apply', imageFields), entry('metricops', 'Update', imageFields)], ['kustomize-controller/Apply', 'metricops/Update']],
  ])('%s', (_description, managedFields, owners) => {
    expect(fieldOwners(managedFields, image).map((owner) => `${owner.manager}/${owner.operation}`)).toEqual(owners);
  });

  test('no managedFields, no owners', () => {
    expect(fieldOwners(undefined, image)).toEqual([]);
  });
});

describe('commitOfRevision', () => {
  test.each([
    ['a Flux v2 Git revision', 'main@sha1:4f0c1d2e3a', '4f0c1d2e3a'],
    ['a branch with a slash', 'release/1.0@sha1:abc123', 'abc123'],
    ['a bare commit', 'abc123', 'abc123'],
  ])('%s', (_description, revision, commit) => {
    expect(commitOfRevision(revision)).toBe(commit);
  });
});
