import type { V1Deployment } from '@kubernetes/client-node';
import { applyPatch, type Operation } from 'fast-json-patch';
import { ManualClock } from '../../../../common/clock.js';
import { Annotations } from '../../../../common/contract/annotations.js';
import { FluxKeys } from '../../../../common/contract/flux.js';
import { formatGitOpsHold, parseGitOpsHold, type GitOpsHoldRecord } from '../../../../common/contract/gitops-hold.js';
import { silentLogger } from '../../../../common/logger.js';
import type { FluxEngine, FluxObjectRef } from '../../../../feedback-pipeline/actuators/flux-reconcile.js';
import { GitOpsHoldKeeper, type HoldCluster, type HoldWriter } from '../../../../feedback-pipeline/actuators/gitops-hold-keeper.js';
import { toDeploymentState } from '../../../../feedback-pipeline/actuators/cluster-rollback.js';
import type { DecisionRecord } from '../../../../feedback-pipeline/model.js';
import type { WriteBackRequest, WriteBackResult } from '../../../../feedback-pipeline/ports.js';

const GOOD = 'shop/checkout:v1';
const BAD = 'shop/checkout:v2';
const REF = { namespace: 'shop', name: 'checkout' };
const KUSTOMIZATION = { namespace: 'flux-system', name: 'apps' };

function hold(overrides: Partial<GitOpsHoldRecord> = {}): GitOpsHoldRecord {
  return {
    decision: 'd1',
    alert: { name: 'CheckoutBurn', fingerprint: 'fp', startsAt: '2026-11-30T10:00:00.000Z', source: 'webhook' },
    since: '2026-11-30T10:00:05.000Z',
    reason: 'burning',
    gitPath: 'deploy/checkout.yaml',
    from: { revision: 2, images: { app: BAD } },
    to: { revision: 1, images: { app: GOOD } },
    previousFluxReconcile: null,
    ...overrides,
  };
}

/** One Deployment in an apiserver that applies JSON Patches (a failing test op is a 422), and a cache that is always current. */
class FakeCluster implements HoldCluster {
  resourceVersion = 10;
  patches: Operation[][] = [];
  constructor(public object: V1Deployment) {}

  static held(record: GitOpsHoldRecord, image = GOOD, extra: Record<string, string> = {}): FakeCluster {
    return new FakeCluster({
      metadata: {
        ...REF, uid: 'u1', resourceVersion: '10',
        labels: { [FluxKeys.kustomizationName]: KUSTOMIZATION.name, [FluxKeys.kustomizationNamespace]: KUSTOMIZATION.namespace },
        annotations: { [Annotations.gitopsHold]: formatGitOpsHold(record), [FluxKeys.reconcile]: 'disabled', ...extra },
      },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image }] } } },
    });
  }

  async read(): Promise<V1Deployment> {
    return structuredClone(this.object);
  }

  async patch(_ref: unknown, ops: Operation[]): Promise<void> {
    try {
      this.object = applyPatch(structuredClone(this.object), ops, true, false).newDocument;
    } catch (error) {
      throw Object.assign(new Error(`422: ${(error as Error).message}`), { statusCode: 422 });
    }
    this.patches.push(ops);
    this.touch();
  }

  /** A write by someone else (Flux, a person). */
  setImage(image: string): void {
    this.object.spec!.template.spec!.containers[0]!.image = image;
    this.touch();
  }

  get annotations(): Record<string, string> {
    return this.object.metadata!.annotations ?? {};
  }

  get image(): string {
    return this.object.spec!.template.spec!.containers[0]!.image!;
  }

  cache() {
    return {
      getDeployment: () => toDeploymentState(this.object),
      deploymentsWithAnnotation: (annotation: string) => (this.annotations[annotation] ? [toDeploymentState(this.object)] : []),
    };
  }

  private touch(): void {
    this.resourceVersion += 1;
    this.object.metadata!.resourceVersion = String(this.resourceVersion);
  }
}

class FakeWriter implements HoldWriter {
  requests: WriteBackRequest[] = [];
  failures = 0;
  result: WriteBackResult = { commit: 'c0ffee', revision: 'c0ffee' };
  /** What Git's head has: revision -> descendants it is contained in. */
  contained = new Set<string>();
  head = false;
  async writeBack(request: WriteBackRequest): Promise<WriteBackResult> {
    this.requests.push(request);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('cannot fetch origin: Connection refused');
    }
    return this.result;
  }
  async contains(applied: string, revision: string): Promise<boolean> {
    return applied === revision || this.contained.has(`${applied}>${revision}`);
  }
  async headHas(): Promise<boolean> {
    return this.head;
  }
}

class FakeFlux implements FluxEngine {
  applied?: string;
  requests: Array<FluxObjectRef | undefined> = [];
  kustomizationOf(labels: Readonly<Record<string, string>> | undefined): FluxObjectRef | undefined {
    return labels?.[FluxKeys.kustomizationName] ? KUSTOMIZATION : undefined;
  }
  async status(): Promise<{ lastAppliedRevision?: string }> {
    return this.applied ? { lastAppliedRevision: this.applied } : {};
  }
  async requestReconcile(kustomization: FluxObjectRef | undefined): Promise<FluxObjectRef | undefined> {
    this.requests.push(kustomization);
    return { namespace: 'flux-system', name: 'gitops' };
  }
}

function setup(cluster: FakeCluster, options: { flux?: FakeFlux; writer?: FakeWriter } = {}) {
  const clock = new ManualClock('2026-11-30T10:00:06Z');
  const records: DecisionRecord[] = [];
  const writer = options.writer ?? new FakeWriter();
  const keeper = new GitOpsHoldKeeper({
    deployments: cluster.cache(),
    cluster,
    writer,
    ...(options.flux ? { flux: options.flux } : {}),
    recorders: [{ name: 'list', record: async (record) => void records.push(record) }],
    clock,
    logger: silentLogger(),
    settings: { settleMs: 60_000 },
  });
  const stages = () => records.map((record) => record.gitops?.stage);
  return { clock, records, writer, keeper, stages };
}

const holdOf = (cluster: FakeCluster) => {
  const text = cluster.annotations[Annotations.gitopsHold];
  if (text === undefined) return undefined;
  const parsed = parseGitOpsHold(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
};

describe('GitOpsHoldKeeper', () => {
  test('writes back, asks Flux to fetch, records the pushed revision, and releases once Flux applied a revision that contains it', async () => {
    const cluster = FakeCluster.held(hold());
    const flux = new FakeFlux();
    const { keeper, writer, stages } = setup(cluster, { flux });
    expect(await keeper.keep(REF, hold())).toEqual({ commit: 'c0ffee', revision: 'c0ffee' });
    expect(writer.requests.map((request) => [request.decision, request.to.images, request.gitPath])).toEqual([['d1', { app: GOOD }, 'deploy/checkout.yaml']]);

    await keeper.tick();
    expect(holdOf(cluster)?.writeBack).toMatchObject({ revision: 'c0ffee', commit: 'c0ffee' });
    expect(flux.requests).toEqual([KUSTOMIZATION]);
    expect(cluster.annotations[FluxKeys.reconcile]).toBe('disabled');

    flux.applied = 'main@sha1:0ld';
    await keeper.tick();
    expect(holdOf(cluster)).toBeDefined();

    // A later commit (someone pushed on top of the write-back) counts: it contains the write-back.
    writer.contained.add('beef>c0ffee');
    flux.applied = 'main@sha1:beef';
    await keeper.tick();
    expect(holdOf(cluster)).toBeUndefined();
    expect(cluster.annotations[FluxKeys.reconcile]).toBeUndefined();
    expect(cluster.image).toBe(GOOD);
    expect(stages()).toEqual(['released']);
    expect(keeper.size).toBe(0);
    expect(writer.requests).toHaveLength(1);
  });

  test('Git down: the hold stays, the write-back is retried with backoff, the first failure and the late success are recorded', async () => {
    const cluster = FakeCluster.held(hold());
    const writer = new FakeWriter();
    writer.failures = 3;
    const flux = new FakeFlux();
    const { keeper, clock, records, stages } = setup(cluster, { flux, writer });
    expect(await keeper.keep(REF, hold())).toEqual({ error: 'cannot fetch origin: Connection refused' });
    const attemptsAt: number[] = [];
    for (let second = 0; second < 10; second++) {
      clock.advance(1_000);
      const before = writer.requests.length;
      await keeper.tick();
      if (writer.requests.length > before) attemptsAt.push(second + 1);
    }
    // 1 s, then 2 s, then 4 s after each failure.
    expect(attemptsAt).toEqual([1, 3, 7]);
    expect(holdOf(cluster)?.writeBack?.revision).toBe('c0ffee');
    expect(cluster.annotations[FluxKeys.reconcile]).toBe('disabled');
    expect(stages()).toEqual(['write-back-failed', 'written-back']);
    expect(records[0]!.error).toContain('Connection refused');
    expect(records[1]!.reason).toContain('after 4 attempts');
    flux.applied = 'main@sha1:c0ffee';
    await keeper.tick();
    expect(stages()).toEqual(['write-back-failed', 'written-back', 'released']);
  });

  test('the bad image comes back while held (an apply that read the object just before the hold): put back at once and recorded', async () => {
    const cluster = FakeCluster.held(hold());
    const { keeper, stages } = setup(cluster, { flux: new FakeFlux() });
    await keeper.keep(REF, hold());
    await keeper.tick();
    cluster.setImage(BAD);
    await keeper.tick();
    expect(cluster.image).toBe(GOOD);
    expect(cluster.patches.at(-1)![0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: expect.any(String) });
    expect(stages()).toEqual(['reverted']);
    expect(holdOf(cluster)).toBeDefined();
  });

  test('someone deploys other images while held: the hold is released to them', async () => {
    const cluster = FakeCluster.held(hold());
    const { keeper, stages } = setup(cluster, { flux: new FakeFlux() });
    await keeper.keep(REF, hold());
    cluster.setImage('shop/checkout:v3');
    await keeper.tick();
    expect(cluster.image).toBe('shop/checkout:v3');
    expect(holdOf(cluster)).toBeUndefined();
    expect(stages()).toEqual(['superseded']);
  });

  test('a restart resumes the hold from the annotation: no second write-back, released on Flux status, the user\'s own Flux annotation put back', async () => {
    const pushed = hold({ previousFluxReconcile: 'disabled', writeBack: { revision: 'c0ffee', commit: 'c0ffee', pushedAt: '2026-11-30T10:00:06.000Z' } });
    const cluster = FakeCluster.held(pushed);
    const flux = new FakeFlux();
    flux.applied = 'main@sha1:c0ffee';
    const { keeper, writer, stages } = setup(cluster, { flux });
    keeper.start();
    await keeper.stop();
    expect(keeper.size).toBe(1);
    await keeper.tick();
    expect(writer.requests).toEqual([]);
    expect(holdOf(cluster)).toBeUndefined();
    expect(cluster.annotations[FluxKeys.reconcile]).toBe('disabled');
    expect(stages()).toEqual(['released']);
  });

  test('without Flux: released once Git has the write-back and the settle time has passed', async () => {
    const cluster = FakeCluster.held(hold());
    const { keeper, clock, writer, stages } = setup(cluster);
    await keeper.keep(REF, hold());
    writer.head = true;
    await keeper.tick();
    clock.advance(59_000);
    await keeper.tick();
    expect(holdOf(cluster)).toBeDefined();
    clock.advance(1_000);
    await keeper.tick();
    expect(holdOf(cluster)).toBeUndefined();
    expect(stages()).toEqual(['released']);
  });

  test('two keepers (two replicas) on one hold: one release lands, the other finds it released', async () => {
    const cluster = FakeCluster.held(hold());
    const flux = new FakeFlux();
    const a = setup(cluster, { flux });
    const b = setup(cluster, { flux });
    await a.keeper.keep(REF, hold());
    b.keeper.start();
    await b.keeper.stop();
    await Promise.all([a.keeper.tick(), b.keeper.tick()]);
    flux.applied = 'main@sha1:c0ffee';
    await Promise.all([a.keeper.tick(), b.keeper.tick()]);
    await Promise.all([a.keeper.tick(), b.keeper.tick()]);
    expect(holdOf(cluster)).toBeUndefined();
    expect([...a.stages(), ...b.stages()]).toEqual(['released']);
    expect([a.keeper.size, b.keeper.size]).toEqual([0, 0]);
  });
});
