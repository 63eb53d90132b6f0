import { selectRollbackTarget } from '../../../../feedback-pipeline/core/rollback-target.js';
import type { ReplicaSetState } from '../../../../feedback-pipeline/model.js';
import { deploymentState, replicaSet } from './fixtures.js';

const names = (target: ReturnType<typeof selectRollbackTarget>) => ({ from: target.from?.revision, to: target.to?.revision });

describe('selectRollbackTarget', () => {
  test.each<{ description: string; current: string; history: ReplicaSetState[]; expected: { from?: number; to?: number } }>([
    {
      description: 'v1 then v2: back to revision 1',
      current: 'v2',
      history: [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2')],
      expected: { from: 2, to: 1 },
    },
    {
      description: 'three revisions: the newest older one, not the oldest',
      current: 'v3',
      history: [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2'), replicaSet(3, 'shop/checkout:v3')],
      expected: { from: 3, to: 2 },
    },
    {
      description: 'the newest older revision is marked bad: skip it',
      current: 'v3',
      history: [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2', { bad: true }), replicaSet(3, 'shop/checkout:v3')],
      expected: { from: 3, to: 1 },
    },
    {
      description: 'after an earlier rollback the restored v1 was renumbered 3; v4 is bad: back to 3, never the bad 2',
      current: 'v4',
      history: [replicaSet(2, 'shop/checkout:v2', { bad: true }), replicaSet(3, 'shop/checkout:v1'), replicaSet(4, 'shop/checkout:v4')],
      expected: { from: 4, to: 3 },
    },
    {
      description: 'a duplicate notification after an undo: current v1 (rev 3), bad v2 marked, nothing older: no target',
      current: 'v1',
      history: [replicaSet(2, 'shop/checkout:v2', { bad: true }), replicaSet(3, 'shop/checkout:v1')],
      expected: { from: 3 },
    },
    {
      description: 'an older revision with the same template as the current one is not a target',
      current: 'v2',
      history: [replicaSet(1, 'shop/checkout:v2', { name: 'checkout-old' }), replicaSet(2, 'shop/checkout:v2')],
      expected: { from: 2 },
    },
    {
      description: 'only one revision: no target',
      current: 'v1',
      history: [replicaSet(1, 'shop/checkout:v1')],
      expected: { from: 1 },
    },
    {
      description: 'the controller has not created the current ReplicaSet yet: the newest other revision',
      current: 'v3',
      history: [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2')],
      expected: { to: 2 },
    },
    {
      description: 'a paused Deployment whose new template has no ReplicaSet: the running revision is the newest other one',
      current: 'v3',
      history: [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2', { bad: true })],
      expected: { to: 1 },
    },
    {
      description: 'v2 numbered like v1 (the controller made it before its cache had v1): the later created is current, back to v1',
      current: 'v2',
      history: [replicaSet(1, 'shop/checkout:v1', { createdAt: '2026-11-21T09:00:00Z' }), replicaSet(1, 'shop/checkout:v2', { createdAt: '2026-11-21T09:00:01Z' })],
      expected: { from: 1, to: 1 },
    },
    {
      description: 'numbered alike and created in the same second: the later deployed-at stamp is current, back to the other',
      current: 'v2',
      history: [
        replicaSet(1, 'shop/checkout:v2', { deployedAt: '2026-11-21T09:00:00Z' }),
        replicaSet(1, 'shop/checkout:v1', { deployedAt: '2026-11-21T08:59:00Z' }),
      ],
      expected: { from: 1, to: 1 },
    },
    {
      description: 'numbered alike, the other one created later: it is newer than the current one, not a target',
      current: 'v1',
      history: [replicaSet(1, 'shop/checkout:v1', { createdAt: '2026-11-21T09:00:00Z' }), replicaSet(1, 'shop/checkout:v2', { createdAt: '2026-11-21T09:00:01Z' })],
      expected: { from: 1 },
    },
    {
      description: 'numbered, created and stamped alike: nothing says which is older, so no target',
      current: 'v2',
      history: [replicaSet(1, 'shop/checkout:v1'), replicaSet(1, 'shop/checkout:v2')],
      expected: { from: 1 },
    },
    {
      description: 'no ReplicaSets at all: nothing',
      current: 'v1',
      history: [],
      expected: {},
    },
  ])('$description', ({ current, history, expected }) => {
    const deployment = deploymentState({ image: `shop/checkout:${current}`, paused: false });
    expect(names(selectRollbackTarget(deployment, history))).toEqual(expected);
  });

  test.each([
    ['created a second apart', { createdAt: '2026-11-21T09:00:00Z' }, { createdAt: '2026-11-21T09:00:01Z' }],
    ['created in the same second, stamped a minute apart', { deployedAt: '2026-11-21T08:59:00Z' }, { deployedAt: '2026-11-21T09:00:00Z' }],
  ])('equal revisions, %s: from the current v2 back to v1, whatever the list order', (_how, v1, v2) => {
    const deployment = deploymentState({ image: 'shop/checkout:v2', paused: false });
    const history = [replicaSet(1, 'shop/checkout:v1', v1), replicaSet(1, 'shop/checkout:v2', v2)];
    for (const order of [history, [...history].reverse()]) {
      const target = selectRollbackTarget(deployment, order);
      expect([target.from?.template.spec?.containers[0]?.image, target.to?.template.spec?.containers[0]?.image]).toEqual(['shop/checkout:v2', 'shop/checkout:v1']);
    }
  });

  test('a null field (creationTimestamp: null from the apiserver) equals an absent one', () => {
    const deployment = deploymentState({
      template: { metadata: { creationTimestamp: null, labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'shop/checkout:v2', ports: [{ containerPort: 8080 }] }] } } as never,
    });
    const target = selectRollbackTarget(deployment, [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2')]);
    expect([target.from?.revision, target.to?.revision]).toEqual([2, 1]);
  });

  test('templates are compared without pod-template-hash and independent of key order', () => {
    const deployment = deploymentState({
      template: { spec: { containers: [{ image: 'shop/checkout:v2', name: 'app', ports: [{ containerPort: 8080 }] }] }, metadata: { labels: { app: 'checkout' } } },
    });
    const target = selectRollbackTarget(deployment, [replicaSet(1, 'shop/checkout:v1', { hash: 'aaa' }), replicaSet(2, 'shop/checkout:v2', { hash: 'bbb' })]);
    expect(target.from?.name).toBe('checkout-bbb');
    expect(target.to?.name).toBe('checkout-aaa');
  });
});
