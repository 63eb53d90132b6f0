import fastJsonPatch from 'fast-json-patch';
import { Annotations } from '../../../../common/contract/annotations.js';
import {
  badRevisionPatch,
  badRevisionRecord,
  deploymentRollbackPatch,
  gitOpsHoldRecord,
  rolledBackFromRecord,
} from '../../../../feedback-pipeline/core/rollback-patch.js';
import { FluxKeys } from '../../../../common/contract/flux.js';
import { formatGitOpsHold, parseGitOpsHold } from '../../../../common/contract/gitops-hold.js';
import type { RollbackCause } from '../../../../common/contract/rolled-back-from.js';
import { deploymentState, replicaSet } from './fixtures.js';

const cause: RollbackCause = {
  alert: { name: 'CheckoutHighErrorBudgetBurn', fingerprint: 'f00d', startsAt: '2026-11-21T10:05:00.000Z' },
  time: '2026-11-21T10:06:00.000Z',
  reason: 'burning',
};

function liveDeployment(annotations: Record<string, string> | undefined, resourceVersion = '1000') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout', namespace: 'shop', resourceVersion, ...(annotations ? { annotations } : {}) },
    spec: { replicas: 3, template: replicaSet(2, 'shop/checkout:v2', { hash: 'x' }).template },
  };
}

describe('deploymentRollbackPatch', () => {
  const from = replicaSet(2, 'shop/checkout:v2');
  const to = replicaSet(1, 'shop/checkout:v1', { hash: '5d4f' });
  const deployment = deploymentState();
  const record = rolledBackFromRecord(deployment, from, to, cause);
  const patch = deploymentRollbackPatch(deployment, to, record);

  test('first tests the resourceVersion read', () => {
    expect(patch[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '1000' });
  });

  test('replaces the template with the target template without pod-template-hash', () => {
    const replaced = patch.find((op) => op.op === 'replace');
    expect(replaced).toEqual({
      op: 'replace',
      path: '/spec/template',
      value: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'shop/checkout:v1', ports: [{ containerPort: 8080 }] }] } },
    });
    expect(to.template.metadata?.labels?.['pod-template-hash']).toBe('5d4f');
  });

  test('adds the rolled-back-from annotation and keeps the other annotations', () => {
    const live = liveDeployment({ 'deployment.kubernetes.io/revision': '2', 'team': 'payments' });
    const patched = fastJsonPatch.applyPatch(live, patch, true, false).newDocument;
    expect(patched.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '2',
      team: 'payments',
      [Annotations.rolledBackFrom]: JSON.stringify(record),
    });
    expect(patched.spec.template.spec?.containers[0]!.image).toBe('shop/checkout:v1');
    expect(patched.spec.replicas).toBe(3);
  });

  test('records from/to revisions and images, the alert and the time', () => {
    expect(record).toEqual({
      ...cause,
      from: { revision: 2, replicaSet: from.name, images: { app: 'shop/checkout:v2' } },
      to: { revision: 1, replicaSet: to.name, images: { app: 'shop/checkout:v1' } },
    });
  });

  test('a Deployment without annotations gets the annotations map', () => {
    const bare = deploymentState({ annotations: {} });
    const ops = deploymentRollbackPatch(bare, to, record);
    const patched = fastJsonPatch.applyPatch(liveDeployment(undefined), ops, true, false).newDocument;
    expect(patched.metadata.annotations).toEqual({ [Annotations.rolledBackFrom]: JSON.stringify(record) });
  });

  test('fails on a Deployment changed since it was read (the test op)', () => {
    expect(() => fastJsonPatch.applyPatch(liveDeployment({ a: 'b' }, '1001'), patch, true, false)).toThrow(/Test operation failed/);
  });
});

describe('badRevisionPatch', () => {
  test('a merge patch adding metricops.io/bad-revision with alert, time, reason and the revision returned to', () => {
    const from = replicaSet(2, 'shop/checkout:v2');
    const to = replicaSet(1, 'shop/checkout:v1');
    const patch = badRevisionPatch(badRevisionRecord(from, to, cause));
    expect(JSON.parse(patch.metadata.annotations[Annotations.badRevision]!)).toEqual({
      ...cause,
      revision: 2,
      rolledBackTo: { revision: 1, replicaSet: to.name },
    });
  });
});

describe('deploymentRollbackPatch with a GitOps hold', () => {
  const from = replicaSet(2, 'shop/checkout:v2');
  const to = replicaSet(1, 'shop/checkout:v1', { hash: '5d4f' });
  const holdOptions = { decision: 'd1', gitPath: 'deploy/checkout.yaml', source: 'webhook' as const };

  test('the same guarded patch sets the template, the hold record and Flux\'s skip annotation', () => {
    const deployment = deploymentState();
    const record = rolledBackFromRecord(deployment, from, to, cause);
    const hold = gitOpsHoldRecord(deployment, record, holdOptions);
    const patched = fastJsonPatch.applyPatch(liveDeployment({ a: 'b' }), deploymentRollbackPatch(deployment, to, record, hold), true, false).newDocument;
    expect(patched.metadata.annotations).toEqual({
      a: 'b',
      [Annotations.rolledBackFrom]: expect.any(String),
      [Annotations.gitopsHold]: formatGitOpsHold(hold),
      [FluxKeys.reconcile]: 'disabled',
    });
    expect(parseGitOpsHold(formatGitOpsHold(hold))).toEqual({ ok: true, value: hold });
    expect(hold).toMatchObject({ decision: 'd1', since: cause.time, from: { revision: 2, images: { app: 'shop/checkout:v2' } }, to: { revision: 1, images: { app: 'shop/checkout:v1' } }, previousFluxReconcile: null });
  });

  test.each([
    ['a Deployment the user excluded from Flux keeps that on release', { [FluxKeys.reconcile]: 'disabled' }, 'disabled'],
    ['a Deployment still held by an earlier rollback keeps the earlier hold\'s record, not the hold\'s own "disabled"', {
      [FluxKeys.reconcile]: 'disabled',
      [Annotations.gitopsHold]: JSON.stringify({ ...parseHoldFixture(), previousFluxReconcile: null }),
    }, null],
  ])('%s', (_description, annotations, previous) => {
    const deployment = deploymentState({ annotations: { ...deploymentState().annotations, ...annotations } });
    const record = rolledBackFromRecord(deployment, from, to, cause);
    expect(gitOpsHoldRecord(deployment, record, holdOptions).previousFluxReconcile).toBe(previous);
  });
});

function parseHoldFixture() {
  return {
    decision: 'd0', alert: { ...cause.alert, source: 'webhook' }, since: cause.time, reason: 'r', gitPath: 'x.yaml',
    from: { images: {} }, to: { images: {} }, previousFluxReconcile: null,
  };
}
