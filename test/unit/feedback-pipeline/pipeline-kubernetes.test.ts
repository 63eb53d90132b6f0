/**
 * The pipeline with its real Kubernetes adapters (informer cache, rollback executor, Event recorder) against a
 * stateful apiserver stand-in on 127.0.0.1: rollbacks, racing replicas, duplicates after an undo.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ManualClock } from '../../../common/clock.js';
import { Annotations } from '../../../common/contract/annotations.js';
import { silentLogger } from '../../../common/logger.js';
import { createKubernetesAdapters, type KubernetesAdapters } from '../../../feedback-pipeline/kubernetes/adapters.js';
import type { DecisionRecord } from '../../../feedback-pipeline/model.js';
import type { DecisionRecorder } from '../../../feedback-pipeline/ports.js';
import { FeedbackPipeline } from '../../../feedback-pipeline/pipeline.js';
import { alert } from './core/fixtures.js';
import { wireDeployment, wireReplicaSet } from './kubernetes/kube-fixtures.js';
import { StatefulApiserver } from './kubernetes/stateful-apiserver.js';

class ListRecorder implements DecisionRecorder {
  readonly name = 'list';
  readonly records: DecisionRecord[] = [];
  async record(record: DecisionRecord): Promise<void> {
    this.records.push(record);
  }
}

interface Replica {
  adapters: KubernetesAdapters;
  pipeline: FeedbackPipeline;
  recorder: ListRecorder;
  clock: ManualClock;
}

const FAST = { retry: { initialDelayMs: 5, maxDelayMs: 20, maxElapsedMs: 2_000 } };

describe('FeedbackPipeline with the Kubernetes adapters', () => {
  let apiserver: StatefulApiserver;
  let kubeConfig: KubeConfig;
  const replicas: Replica[] = [];

  async function replica(): Promise<Replica> {
    const clock = new ManualClock('2026-11-21T10:06:02Z');
    const adapters = createKubernetesAdapters(kubeConfig, silentLogger(), clock, { executor: FAST, events: FAST });
    await adapters.start();
    await adapters.cache.waitForSync();
    const recorder = new ListRecorder();
    const pipeline = new FeedbackPipeline({
      cache: adapters.cache,
      executor: adapters.executor,
      recorders: [adapters.eventRecorder, recorder],
      clock,
      logger: silentLogger(),
    });
    const created = { adapters, pipeline, recorder, clock };
    replicas.push(created);
    return created;
  }

  beforeEach(async () => {
    apiserver = new StatefulApiserver();
    kubeConfig = await apiserver.start();
    apiserver.put('replicasets', wireReplicaSet({ revision: 1, image: 'shop/checkout:v1', hash: 'aaa' }));
    apiserver.put('replicasets', wireReplicaSet({ revision: 2, image: 'shop/checkout:v2', hash: 'bbb' }));
    apiserver.put('deployments', wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '' }));
  });

  afterEach(async () => {
    for (const { adapters } of replicas.splice(0)) await adapters.stop();
    await apiserver.stop();
  });

  test('a page alert rolls the Deployment back to v1, annotates it, marks v2 bad and records a RolledBack Event', async () => {
    const { pipeline, recorder } = await replica();
    const before = apiserver.requests.length;

    pipeline.submit([alert()]);
    await pipeline.drain();

    // From the informer cache straight to the guarded patch: no GET of the Deployment, no LIST of its ReplicaSets.
    expect(apiserver.requests.slice(before)).toEqual([
      'PATCH /apis/apps/v1/namespaces/shop/deployments/checkout',
      'PATCH /apis/apps/v1/namespaces/shop/replicasets/checkout-bbb',
      'POST /api/v1/namespaces/shop/events',
    ]);

    expect(recorder.records.map((r) => r.outcome)).toEqual(['rolled-back']);
    const deployment = apiserver.deployment('shop', 'checkout');
    expect(deployment.spec!.template.spec!.containers[0]!.image).toBe('shop/checkout:v1');
    expect(deployment.spec!.template.metadata!.labels).toEqual({ app: 'checkout' });
    expect(deployment.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration']).toBe('{"big":"x"}');
    expect(JSON.parse(deployment.metadata!.annotations![Annotations.rolledBackFrom]!)).toMatchObject({
      from: { revision: 2, replicaSet: 'checkout-bbb' },
      to: { revision: 1, replicaSet: 'checkout-aaa', images: { app: 'shop/checkout:v1' } },
    });
    expect(JSON.parse(apiserver.replicaSet('shop', 'checkout-bbb').metadata!.annotations![Annotations.badRevision]!)).toMatchObject({
      revision: 2,
      rolledBackTo: { revision: 1 },
    });
    expect(apiserver.events.map((event) => [event.reason, event.involvedObject.name, event.involvedObject.uid])).toEqual([
      ['RolledBack', 'checkout', 'uid-checkout'],
    ]);
  });

  test("1,000 identical decisions write one Event, at most 25 times (client-go's burst); a later write carries the whole count", async () => {
    const { pipeline, recorder, clock } = await replica();
    const ticket = (fingerprint: string) => alert({ fingerprint, labels: { ...alert().labels, slo_severity: 'ticket' } });
    const before = apiserver.requests.length;

    pipeline.submit(Array.from({ length: 1000 }, (_, index) => ticket(`f${index}`)));
    await pipeline.drain();

    expect(recorder.records).toHaveLength(1000);
    expect(new Set(recorder.records.map((record) => record.skip))).toEqual(new Set(['severity-not-selected']));
    const writes = apiserver.requests.slice(before).filter((request) => request.includes('/events'));
    expect(writes).toEqual(['POST /api/v1/namespaces/shop/events', ...Array<string>(24).fill(`PATCH /api/v1/namespaces/shop/events/${apiserver.events[0]!.metadata!.name}`)]);
    expect(apiserver.events).toHaveLength(1);
    expect(apiserver.events[0]).toMatchObject({ reason: 'RollbackSkipped', count: 25, involvedObject: { name: 'checkout', uid: 'uid-checkout' } });

    // Five minutes on, the bucket has one write again: it carries every decision of the series so far.
    clock.advance(5 * 60_000);
    pipeline.submit([ticket('late')]);
    await pipeline.drain();
    expect(apiserver.events).toHaveLength(1);
    expect(apiserver.events[0]).toMatchObject({ count: 1001, lastTimestamp: '2026-11-21T10:11:02Z' });
  });

  test('two replicas receiving the same alert: exactly one rolls back, the other changes nothing', async () => {
    const first = await replica();
    const second = await replica();

    first.pipeline.submit([alert()]);
    second.pipeline.submit([alert({ source: 'poll' })]);
    await Promise.all([first.pipeline.drain(), second.pipeline.drain()]);

    const outcomes = [...first.recorder.records, ...second.recorder.records].map((r) => r.outcome).sort();
    expect(outcomes).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === 'rolled-back')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'rolled-back' || outcome === 'failed')).toHaveLength(1);
    expect(apiserver.deploymentPatches.filter((patch) => patch.status === 200)).toHaveLength(1);
    // The loser (if it patched at all: its cache may already show the undo) was refused by the resourceVersion test.
    expect(apiserver.deploymentPatches.filter((patch) => patch.status !== 200).map((patch) => patch.status)).toEqual(
      apiserver.deploymentPatches.length === 2 ? [422] : [],
    );
    expect(apiserver.deployment('shop', 'checkout').spec!.template.spec!.containers[0]!.image).toBe('shop/checkout:v1');
  });

  test('a duplicate notification after the undo, on a fresh replica, does not flip back to the bad version', async () => {
    const first = await replica();
    first.pipeline.submit([alert()]);
    await first.pipeline.drain();
    await waitUntil(() => first.adapters.cache.replicaSetsOf({ namespace: 'shop', uid: 'uid-checkout' }).some((rs) => rs.revision === 3));

    const fresh = await replica();
    fresh.pipeline.submit([alert()]);
    await fresh.pipeline.drain();

    expect(fresh.recorder.records).toEqual([expect.objectContaining({ outcome: 'skipped', skip: 'started-before-rollout' })]);
    expect(apiserver.deploymentPatches.filter((patch) => patch.status === 200)).toHaveLength(1);
    expect(apiserver.deployment('shop', 'checkout').spec!.template.spec!.containers[0]!.image).toBe('shop/checkout:v1');
    expect(apiserver.replicaSet('shop', 'checkout-aaa').metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('3');
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met in 2s');
}
