import { silentLogger } from '../../../../common/logger.js';
import { KubeApiError } from '../../../../feedback-pipeline/kubernetes/api-client.js';
import { LEADER_URL_ANNOTATION, LeaderElector, leaseTimingProblem, type ElectionClock, type LeaseApi } from '../../../../feedback-pipeline/kubernetes/leader-election.js';

/** One Lease in memory with the apiserver's optimistic concurrency: an update must carry the current resourceVersion. */
class LeaseStore implements LeaseApi {
  lease: any;
  private version = 0;
  /** While set, every call fails with this (e.g. 503, 403): the apiserver refusing Lease updates. */
  refuse: number | undefined;
  writes = 0;

  async get<T>(): Promise<T> {
    this.check('GET');
    if (!this.lease) throw new KubeApiError(404, 'NotFound', 'leases "metricops-feedback" not found', 'GET lease');
    return structuredClone(this.lease) as T;
  }

  async create<T>(_resource: unknown, _namespace: string, body: any): Promise<T> {
    this.check('POST');
    if (this.lease) throw new KubeApiError(409, 'AlreadyExists', 'already exists', 'POST lease');
    this.lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    this.writes += 1;
    return structuredClone(this.lease) as T;
  }

  async update<T>(_resource: unknown, _namespace: string, _name: string, body: any): Promise<T> {
    this.check('PUT');
    if (body.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', 'the object has been modified', 'PUT lease');
    this.lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    this.writes += 1;
    return structuredClone(this.lease) as T;
  }

  /** A holder that wrote the Lease and went away (kill -9): its record, as the apiserver keeps it. */
  heldBy(holder: string, renewTime: string): void {
    this.lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: 'metricops-feedback', namespace: 'metricops', resourceVersion: String(++this.version) },
      spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 3 },
    };
  }

  private check(method: string): void {
    if (this.refuse !== undefined) throw new KubeApiError(this.refuse, undefined, 'refused', `${method} lease`);
  }
}

class ManualMonotonic implements ElectionClock {
  ms = 1_000_000;
  wall = new Date('2026-11-30T12:00:00Z');
  monotonicMs = () => this.ms;
  now = () => new Date(this.wall);
  advance(ms: number): void {
    this.ms += ms;
    this.wall = new Date(this.wall.getTime() + ms);
  }
}

const TIMINGS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function elector(store: LeaseApi, identity: string, clock: ElectionClock, extra: { advertiseUrl?: string; timings?: typeof TIMINGS } = {}): LeaderElector {
  return new LeaderElector(store, { namespace: 'metricops', name: 'metricops-feedback', identity, ...(extra.timings ?? TIMINGS), ...(extra.advertiseUrl ? { advertiseUrl: extra.advertiseUrl } : {}) }, silentLogger(), clock);
}

describe('LeaderElector.tryAcquireOrRenew (client-go semantics, one attempt at a time)', () => {
  test('no Lease: the first replica creates it and holds it; a second one does not take it while it is renewed', async () => {
    const store = new LeaseStore();
    const clock = new ManualMonotonic();
    const a = elector(store, 'a', clock, { advertiseUrl: 'http://10.0.0.1:9095' });
    const b = elector(store, 'b', clock);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(store.lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: '2026-11-30T12:00:00.000000Z' });
    expect(store.lease.metadata.annotations).toEqual({ [LEADER_URL_ANNOTATION]: 'http://10.0.0.1:9095' });
    for (let i = 0; i < 20; i++) {
      clock.advance(2_000);
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false);
    }
    expect(b.leader()).toEqual({ identity: 'a', url: 'http://10.0.0.1:9095' });
  });

  test('a Lease held by a dead holder is taken only once leaseDuration has passed since this replica first saw it, whatever its renewTime says', async () => {
    const store = new LeaseStore();
    const clock = new ManualMonotonic();
    store.heldBy('dead-pod_1234', '2026-11-30T11:00:00.000000Z'); // an hour before this replica's clock
    const b = elector(store, 'b', clock);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock.advance(14_999);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock.advance(1);
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.lease.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 4 });
  });

  test.each([
    { description: 'a holder whose clock is an hour behind (renewTime in the past) is respected while it renews', offsetMs: -3_600_000 },
    { description: 'a holder whose clock is an hour ahead (renewTime in the future) is taken over once it stops renewing', offsetMs: 3_600_000 },
  ])('clock skew: $description', async ({ offsetMs }) => {
    const store = new LeaseStore();
    const clock = new ManualMonotonic();
    const skewed: ElectionClock = { monotonicMs: clock.monotonicMs, now: () => new Date(clock.now().getTime() + offsetMs) };
    const a = elector(store, 'a', skewed);
    const b = elector(store, 'b', clock);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    for (let i = 0; i < 10; i++) {
      clock.advance(2_000);
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false);
    }
    // a stops (kill -9): b waits leaseDuration from the last change it saw, by its own clock, then takes over.
    clock.advance(14_000);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock.advance(2_000);
    expect(await b.tryAcquireOrRenew()).toBe(true);
  });

  test('two replicas racing for an expired Lease: the resourceVersion lets exactly one through', async () => {
    const store = new LeaseStore();
    const clock = new ManualMonotonic();
    store.heldBy('dead', '2026-11-30T12:00:00.000000Z');
    const replicas = ['a', 'b', 'c'].map((identity) => elector(store, identity, clock));
    await Promise.all(replicas.map((replica) => replica.tryAcquireOrRenew()));
    clock.advance(15_000);
    const won = await Promise.all(replicas.map((replica) => replica.tryAcquireOrRenew()));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(store.lease.spec.holderIdentity).toBe(['a', 'b', 'c'][won.indexOf(true)]);
  });

  test('the apiserver refusing Lease updates (403, 503): no attempt succeeds; once it answers again the Lease is taken', async () => {
    const store = new LeaseStore();
    const clock = new ManualMonotonic();
    const a = elector(store, 'a', clock);
    store.refuse = 403;
    expect(await a.tryAcquireOrRenew()).toBe(false);
    store.refuse = 503;
    expect(await a.tryAcquireOrRenew()).toBe(false);
    store.refuse = undefined;
    expect(await a.tryAcquireOrRenew()).toBe(true);
  });
});

describe('LeaderElector terms (real timers, short durations)', () => {
  const SHORT = { leaseDurationMs: 1_000, renewDeadlineMs: 400, retryPeriodMs: 100 };
  const realClock: ElectionClock = { monotonicMs: () => performance.now(), now: () => new Date() };
  const until = async (condition: () => boolean, what: string) => {
    for (let i = 0; i < 300 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!condition()) throw new Error(`timed out: ${what}`);
  };

  test('a leader that cannot renew stops leading by the renew deadline (its term aborts), and leads again when the apiserver is back, without a restart', async () => {
    const store = new LeaseStore();
    const a = elector(store, 'a', realClock, { timings: SHORT });
    a.start();
    try {
      await until(() => a.isLeader, 'a leads');
      const term = a.term()!;
      expect(term.aborted).toBe(false);
      store.refuse = 503;
      const refusedAt = performance.now();
      await until(() => term.aborted, 'the term ends');
      expect(a.isLeader).toBe(false);
      expect(a.term()).toBeUndefined();
      // Stopped before anyone else could take the Lease (lease duration after the last renew it saw).
      expect(performance.now() - refusedAt).toBeLessThan(SHORT.leaseDurationMs);
      store.refuse = undefined;
      await until(() => a.isLeader, 'a leads again');
      expect(a.term()).not.toBe(term);
    } finally {
      await a.stop();
    }
  });

  test('stop() releases the Lease: the follower takes it at its next try, not a lease duration later', async () => {
    const store = new LeaseStore();
    const a = elector(store, 'a', realClock, { timings: SHORT });
    const b = elector(store, 'b', realClock, { timings: SHORT });
    a.start();
    await until(() => a.isLeader, 'a leads');
    b.start();
    try {
      await until(() => b.leader()?.identity === 'a', 'b sees a');
      const stoppedAt = performance.now();
      await a.stop();
      expect(['', 'b']).toContain(store.lease.spec.holderIdentity);
      await until(() => b.isLeader, 'b leads');
      expect(performance.now() - stoppedAt).toBeLessThan(SHORT.leaseDurationMs);
    } finally {
      await b.stop();
    }
  });
});

describe('leaseTimingProblem', () => {
  test.each([
    { description: 'client-go\'s defaults are fine', timings: TIMINGS, problem: undefined },
    { description: 'a renew deadline as long as the lease', timings: { ...TIMINGS, renewDeadlineMs: 15_000 }, problem: 'the lease duration must be longer than the renew deadline' },
    { description: 'a retry period too close to the renew deadline', timings: { ...TIMINGS, retryPeriodMs: 9_000 }, problem: 'the renew deadline must be longer than 1.2 x the retry period' },
  ])('$description', ({ timings, problem }) => {
    expect(leaseTimingProblem(timings)).toBe(problem);
  });
});
