import { jest } from '@jest/globals';
import { ManualClock } from '../../../common/clock.js';
import { Annotations } from '../../../common/contract/annotations.js';
import { silentLogger } from '../../../common/logger.js';
import type { DecisionRecord, DeploymentState, ReplicaSetState } from '../../../feedback-pipeline/model.js';
import type {
  DecisionRecorder, DeploymentCache, GitOpsHolds, GitOpsWriter, RollbackExecutor, RollbackRequest, RollbackResult, WriteBackRequest,
} from '../../../feedback-pipeline/ports.js';
import { FeedbackPipeline, PipelineBusyError, PipelineClosedError } from '../../../feedback-pipeline/pipeline.js';
import { alert, deploymentState, simpleHistory } from './core/fixtures.js';

class FakeCache implements DeploymentCache {
  deployments: DeploymentState[] = [deploymentState()];
  replicaSets: ReplicaSetState[] = simpleHistory();
  synced: Promise<void> = Promise.resolve();
  waitForSync = () => this.synced;
  getDeployment = (namespace: string, name: string) => this.deployments.find((d) => d.namespace === namespace && d.name === name);
  deploymentsGuardedBy = (alertName: string) =>
    this.deployments.filter((d) => (d.annotations[Annotations.rules] ?? '').includes(`"alert":"${alertName}"`));
  replicaSetsOf = () => this.replicaSets;
}

class FakeExecutor implements RollbackExecutor {
  readonly requests: RollbackRequest[] = [];
  running = 0;
  maxRunning = 0;
  constructor(private readonly answer: (request: RollbackRequest) => Promise<RollbackResult>) {}
  async rollback(request: RollbackRequest): Promise<RollbackResult> {
    this.requests.push(request);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      return await this.answer(request);
    } finally {
      this.running--;
    }
  }
}

class ListRecorder implements DecisionRecorder {
  readonly name = 'list';
  readonly records: DecisionRecord[] = [];
  async record(record: DecisionRecord): Promise<void> {
    this.records.push(record);
  }
}

const PATCHED_AT = new Date('2026-11-21T10:06:03Z');
const rolledBack = async (): Promise<RollbackResult> => ({
  outcome: 'rolled-back',
  from: { revision: 2, replicaSet: 'checkout-hshopcheckoutv2', images: { app: 'shop/checkout:v2' } },
  to: { revision: 1, replicaSet: 'checkout-hshopcheckoutv1', images: { app: 'shop/checkout:v1' } },
  patchedAt: PATCHED_AT,
  markedBad: true,
});

function setup(
  options: { executor?: FakeExecutor; dryRun?: boolean; gitOpsWriter?: GitOpsWriter; gitOpsHolds?: GitOpsHolds; recorders?: DecisionRecorder[]; maxPending?: number; cluster?: string } = {},
) {
  const cache = new FakeCache();
  const executor = options.executor ?? new FakeExecutor(rolledBack);
  const recorder = new ListRecorder();
  const pipeline = new FeedbackPipeline({
    cache,
    executor,
    recorders: [...(options.recorders ?? []), recorder],
    ...(options.gitOpsWriter ? { gitOpsWriter: options.gitOpsWriter } : {}),
    ...(options.gitOpsHolds ? { gitOpsHolds: options.gitOpsHolds } : {}),
    clock: new ManualClock('2026-11-21T10:06:02Z'),
    logger: silentLogger(),
    settings: {
      dryRun: options.dryRun ?? false,
      ...(options.maxPending !== undefined ? { maxPending: options.maxPending } : {}),
      ...(options.cluster !== undefined ? { cluster: options.cluster } : {}),
    },
  });
  return { cache, executor, recorder, pipeline };
}

describe('FeedbackPipeline', () => {
  test('a firing page alert after a rollout rolls back once and records the rollback with its latency', async () => {
    const { executor, recorder, pipeline } = setup();

    pipeline.submit([alert()]);
    await pipeline.drain();

    expect(executor.requests).toEqual([
      {
        deployment: { namespace: 'shop', name: 'checkout' },
        expectedTemplate: deploymentState().template,
        cause: {
          alert: { name: 'CheckoutHighErrorBudgetBurn', fingerprint: 'f00d', startsAt: '2026-11-21T10:05:00.000Z' },
          time: '2026-11-21T10:06:02.000Z',
          reason: expect.stringMatching(/roll back to revision 1/),
        },
        planned: { deployment: deploymentState(), from: simpleHistory()[1], to: simpleHistory()[0] },
      },
    ]);
    expect(recorder.records).toEqual([
      expect.objectContaining({
        outcome: 'rolled-back',
        deployment: { namespace: 'shop', name: 'checkout' },
        alert: expect.objectContaining({ name: 'CheckoutHighErrorBudgetBurn', fingerprint: 'f00d', source: 'webhook' }),
        from: expect.objectContaining({ revision: 2 }),
        to: expect.objectContaining({ revision: 1, images: { app: 'shop/checkout:v1' } }),
        latencyMs: 3000,
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
      }),
    ]);
  });

  test('the executor gets the cache snapshot the decision was made on and the target chosen there (the same objects, read from the cache once)', async () => {
    const { cache, executor, pipeline } = setup();
    const replicaSetsOf = jest.spyOn(cache, 'replicaSetsOf');

    pipeline.submit([alert()]);
    await pipeline.drain();

    expect(executor.requests).toHaveLength(1);
    const planned = executor.requests[0]!.planned!;
    expect(planned.deployment).toBe(cache.deployments[0]);
    expect(planned.from).toBe(cache.replicaSets[1]);
    expect(planned.to).toBe(cache.replicaSets[0]);
    expect(executor.requests[0]!.expectedTemplate).toBe(planned.deployment.template);
    expect(replicaSetsOf).toHaveBeenCalledTimes(1);
  });

  test.each([
    { description: 'the same alert from the webhook and the poller is decided once', second: alert({ source: 'poll' }), decisions: 1 },
    { description: 'a repeated notification of the same alert is decided once', second: alert(), decisions: 1 },
    {
      description: 'the same alert firing again later (new startsAt) is a new occurrence',
      second: alert({ startsAt: new Date('2026-11-21T10:07:00Z') }),
      decisions: 2,
    },
  ])('$description', async ({ second, decisions }) => {
    const { recorder, pipeline } = setup();
    pipeline.submit([alert()]);
    pipeline.submit([second]);
    await pipeline.drain();
    expect(recorder.records).toHaveLength(decisions);
  });

  test('a resolved alert is not recorded', async () => {
    const { executor, recorder, pipeline } = setup();
    pipeline.submit([alert({ status: 'resolved' })]);
    await pipeline.drain();
    expect(recorder.records).toEqual([]);
    expect(executor.requests).toEqual([]);
  });

  test("with --cluster, another cluster's alert is dropped before deciding (no record); an unlabelled one is recorded; its own rolls back", async () => {
    const { executor, recorder, pipeline } = setup({ cluster: 'eu-1' });
    pipeline.submit([alert({ fingerprint: 'us', labels: { ...alert().labels, cluster: 'us-2' } })]);
    pipeline.submit([alert({ fingerprint: 'none' })]);
    await pipeline.drain();
    expect(executor.requests).toEqual([]);
    expect(recorder.records).toEqual([
      expect.objectContaining({ outcome: 'skipped', skip: 'other-cluster', deployment: { namespace: 'shop', name: 'checkout' }, reason: expect.stringMatching(/has no cluster label/) }),
    ]);

    pipeline.submit([alert({ fingerprint: 'eu', labels: { ...alert().labels, cluster: 'eu-1' } })]);
    await pipeline.drain();
    expect(executor.requests).toHaveLength(1);
    expect(recorder.records[1]).toMatchObject({ outcome: 'rolled-back', alert: { fingerprint: 'eu' } });
  });

  test('an alert for an unknown Deployment is recorded as skipped without calling the executor', async () => {
    const { executor, recorder, pipeline } = setup();
    pipeline.submit([alert({ labels: { alertname: 'X', slo_severity: 'page', namespace: 'shop', deployment: 'gone' } })]);
    await pipeline.drain();
    expect(executor.requests).toEqual([]);
    expect(recorder.records).toEqual([
      expect.objectContaining({ outcome: 'skipped', skip: 'no-matching-deployment', deployment: { namespace: 'shop', name: 'gone' } }),
    ]);
  });

  test('an alert without labels is matched through metricops.io/rules', async () => {
    const { cache, executor, recorder, pipeline } = setup();
    const stamped = deploymentState();
    stamped.annotations[Annotations.rules] = JSON.stringify([{ alert: 'CheckoutLatency', severity: 'page', labels: { slo: 'checkout-latency' } }]);
    cache.deployments = [stamped];
    pipeline.submit([alert({ labels: { alertname: 'CheckoutLatency', slo: 'checkout-latency' } })]);
    await pipeline.drain();
    expect(executor.requests).toHaveLength(1);
    expect(recorder.records[0]).toMatchObject({ outcome: 'rolled-back', deployment: { namespace: 'shop', name: 'checkout' } });
  });

  test('global dry run records what would happen and patches nothing', async () => {
    const { executor, recorder, pipeline } = setup({ dryRun: true });
    pipeline.submit([alert()]);
    await pipeline.drain();
    expect(executor.requests).toEqual([]);
    expect(recorder.records).toEqual([
      expect.objectContaining({
        outcome: 'dry-run',
        from: { revision: 2, replicaSet: 'checkout-hshopcheckoutv2', images: { app: 'shop/checkout:v2' } },
        to: { revision: 1, replicaSet: 'checkout-hshopcheckoutv1', images: { app: 'shop/checkout:v1' } },
      }),
    ]);
  });

  test('the executor finding the rollback already done is recorded as already-rolled-back', async () => {
    const executor = new FakeExecutor(async () => ({ outcome: 'already-rolled-back', reason: 'template changed' }));
    const { recorder, pipeline } = setup({ executor });
    pipeline.submit([alert()]);
    await pipeline.drain();
    expect(recorder.records).toEqual([expect.objectContaining({ outcome: 'already-rolled-back', skip: 'already-rolled-back', reason: 'template changed' })]);
  });

  test('a failed rollback is recorded with the error, and the next notification of the alert is decided again', async () => {
    let fail = true;
    const executor = new FakeExecutor(async () => {
      if (fail) throw new Error('rollback of Deployment shop/checkout failed: HTTP 403');
      return rolledBack();
    });
    const { recorder, pipeline } = setup({ executor });
    pipeline.submit([alert()]);
    await pipeline.drain();
    fail = false;
    pipeline.submit([alert({ source: 'poll' })]);
    await pipeline.drain();
    expect(recorder.records.map((r) => [r.outcome, r.error])).toEqual([
      ['failed', 'rollback of Deployment shop/checkout failed: HTTP 403'],
      ['rolled-back', undefined],
    ]);
  });

  test('decisions for one Deployment are serialized: a second alert waits, then sees the cooldown', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const executor = new FakeExecutor(async () => {
      await gate;
      return rolledBack();
    });
    const { recorder, pipeline } = setup({ executor });
    pipeline.submit([alert()]);
    pipeline.submit([
      alert({ fingerprint: 'beef', labels: { ...alert().labels, alertname: 'CheckoutLatency' }, startsAt: new Date('2026-11-21T10:06:30Z') }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.records).toEqual([]);
    release();
    await pipeline.drain();
    expect(executor.maxRunning).toBe(1);
    expect(executor.requests).toHaveLength(1);
    expect(recorder.records.map((r) => [r.alert.name, r.outcome, r.skip])).toEqual([
      ['CheckoutHighErrorBudgetBurn', 'rolled-back', undefined],
      ['CheckoutLatency', 'skipped', 'cooldown'],
    ]);
  });

  test('decisions wait for the cache to sync', async () => {
    const { cache, recorder, pipeline } = setup();
    let synced!: () => void;
    cache.synced = new Promise((resolve) => (synced = resolve));
    pipeline.submit([alert()]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.records).toEqual([]);
    synced();
    await pipeline.drain();
    expect(recorder.records).toHaveLength(1);
  });

  test('a failing recorder does not keep the others from recording', async () => {
    const broken: DecisionRecorder = { name: 'broken', record: async () => Promise.reject(new Error('disk full')) };
    const { recorder, pipeline } = setup({ recorders: [broken] });
    pipeline.submit([alert()]);
    await pipeline.drain();
    expect(recorder.records).toHaveLength(1);
  });

  test.each([
    {
      description: 'a Deployment with metricops.io/git-path gets its good images written back',
      writeBack: async () => ({ commit: 'c0ffee', revision: 'c0ffee' }),
      commit: 'c0ffee',
      error: undefined,
    },
    {
      description: 'a failed write-back keeps the rollback and says why in the record',
      writeBack: async () => Promise.reject(new Error('push rejected')),
      commit: undefined,
      error: 'GitOps write-back of apps/checkout.yaml failed: push rejected',
    },
  ])('$description', async ({ writeBack, commit, error }) => {
    const calls: WriteBackRequest[] = [];
    const gitOpsWriter: GitOpsWriter = {
      writeBack: (request) => {
        calls.push(request);
        return writeBack();
      },
    };
    const { cache, recorder, pipeline } = setup({ gitOpsWriter });
    cache.deployments[0]!.annotations[Annotations.gitPath] = 'apps/checkout.yaml';
    pipeline.submit([alert()]);
    await pipeline.drain();
    expect(calls.map((request) => [request.decision, request.to.images, request.gitPath])).toEqual([[recorder.records[0]!.id, { app: 'shop/checkout:v1' }, 'apps/checkout.yaml']]);
    expect(recorder.records[0]).toMatchObject({ outcome: 'rolled-back' });
    expect(recorder.records[0]!.gitCommit).toBe(commit);
    expect(recorder.records[0]!.error).toBe(error);
  });

  test.each([
    { description: 'with the hold keeper, the rollback holds the Deployment and the keeper writes back: the record says held, with the commit', written: { commit: 'c0ffee', revision: 'c0ffee' }, commit: 'c0ffee', error: undefined },
    {
      description: 'a first write-back that fails keeps the hold (retried by the keeper) and says so in the record',
      written: { error: 'cannot fetch origin' },
      commit: undefined,
      error: 'GitOps write-back of apps/checkout.yaml failed: cannot fetch origin; the Deployment stays held and the write-back is retried',
    },
  ])('$description', async ({ written, commit, error }) => {
    const hold = { decision: 'd', alert: { name: 'a', fingerprint: 'f', startsAt: 's', source: 'webhook' as const }, since: '2026-11-21T10:06:03.000Z', reason: 'r', gitPath: 'apps/checkout.yaml', from: { images: {} }, to: { images: {} }, previousFluxReconcile: null };
    const executor = new FakeExecutor(async (request) => ({ ...(await rolledBack()), ...(request.hold ? { hold } : {}) }));
    const kept: unknown[] = [];
    const gitOpsHolds: GitOpsHolds = { keep: async (deployment, record) => (kept.push([deployment, record]), written) };
    const { cache, recorder, pipeline } = setup({ executor, gitOpsHolds });
    cache.deployments[0]!.annotations[Annotations.gitPath] = 'apps/checkout.yaml';
    pipeline.submit([alert()]);
    await pipeline.drain();
    expect(executor.requests[0]!.hold).toEqual({ decision: recorder.records[0]!.id, gitPath: 'apps/checkout.yaml', source: 'webhook' });
    expect(kept).toEqual([[{ namespace: 'shop', name: 'checkout' }, hold]]);
    expect(recorder.records[0]).toMatchObject({ outcome: 'rolled-back', gitops: { stage: 'holding', heldSince: hold.since } });
    expect(recorder.records[0]!.gitCommit).toBe(commit);
    expect(recorder.records[0]!.error).toBe(error);
  });

  test('without metricops.io/git-path there is no hold', async () => {
    const gitOpsHolds: GitOpsHolds = { keep: async () => ({ error: 'never called' }) };
    const { executor, recorder, pipeline } = setup({ gitOpsHolds });
    pipeline.submit([alert()]);
    await pipeline.drain();
    expect(executor.requests[0]!.hold).toBeUndefined();
    expect(recorder.records[0]!.gitops).toBeUndefined();
  });

  test('beyond maxPending waiting alerts, submit throws PipelineBusyError and takes none of them', async () => {
    const { cache, recorder, pipeline } = setup({ maxPending: 2 });
    let synced!: () => void;
    cache.synced = new Promise((resolve) => (synced = resolve));
    pipeline.submit([alert({ fingerprint: 'a' }), alert({ fingerprint: 'b' })]);
    expect(() => pipeline.submit([alert({ fingerprint: 'c' })])).toThrow(PipelineBusyError);
    expect(() => pipeline.submit([alert({ fingerprint: 'c' })])).toThrow('2 alerts waiting for a decision (limit 2): retry later');
    synced();
    await pipeline.drain();
    pipeline.submit([alert({ fingerprint: 'c' })]);
    await pipeline.drain();
    expect(recorder.records.map((r) => r.alert.fingerprint)).toEqual(['a', 'b', 'c']);
  });

  test('close() records what is pending, then submit throws PipelineClosedError', async () => {
    const { recorder, pipeline } = setup();
    pipeline.submit([alert()]);
    await pipeline.close();
    expect(recorder.records).toHaveLength(1);
    expect(() => pipeline.submit([alert({ fingerprint: 'later' })])).toThrow(PipelineClosedError);
  });
});
