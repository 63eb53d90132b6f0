/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics (tools/leaderelection):
 * - every retryPeriod, tryAcquireOrRenew(): read the Lease (create it if missing); a holder other than us is respected
 *   until leaseDuration has passed on OUR monotonic clock since we last saw the Lease record change (its renewTime is
 *   the holder's wall clock and is never compared with ours, so clock skew between replicas cannot shorten a lease);
 *   then write ourselves in with an update that carries the resourceVersion we read (optimistic concurrency: of two
 *   replicas racing for it, the apiserver lets exactly one through);
 * - a leader that has not renewed for renewDeadline (< leaseDuration) stops leading at that moment, by timer, even if
 *   a renew request is still hanging: its term's signal aborts and nothing more is started; the others can take the
 *   Lease only leaseDuration after its last renew, so the two never act at once;
 * - on stop, a leader releases the Lease (holderIdentity "", leaseDurationSeconds 1) so a follower takes over at
 *   its next retry instead of waiting out the lease.
 * The holder's URL is kept on the Lease (annotation metricops.io/leader-url) for followers to forward to.
 */
import type { Logger } from '../../common/logger.js';
import type { Leadership } from '../ports.js';
import { KubeApiError, type KubeApi } from './api-client.js';
import { Leases } from './resources.js';
import { describeApiError } from './retry.js';

export const LEADER_URL_ANNOTATION = 'metricops.io/leader-url';

export interface LeaderElectionSettings {
  namespace: string;
  /** The Lease's name. */
  name: string;
  /** This replica: unique per process (pod name + random suffix). */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Where this replica takes notifications, written on the Lease while it leads. */
  advertiseUrl?: string;
}

export const DEFAULT_LEASE_TIMINGS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** The time sources: the monotonic one for every duration, the wall clock only for the record's timestamps. */
export interface ElectionClock {
  monotonicMs(): number;
  now(): Date;
}

export const systemElectionClock: ElectionClock = { monotonicMs: () => performance.now(), now: () => new Date() };

export interface LeaderElectionHooks {
  onStartedLeading?(): void;
  onStoppedLeading?(reason: string): void;
  /** A new holder was observed (this replica or another; undefined: nobody). */
  onNewLeader?(identity: string | undefined): void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: LeaseSpec;
}

/** What the elector needs of the API client: read, create and update a Lease. */
export type LeaseApi = Pick<KubeApi, 'get' | 'create' | 'update'>;

export interface ObservedLeader {
  identity: string;
  url?: string;
}

/** Checks the timings as client-go does: leaseDuration > renewDeadline > retryPeriod * 1.2 (its jitter). */
export function leaseTimingProblem(settings: Pick<LeaderElectionSettings, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>): string | undefined {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = settings;
  if (retryPeriodMs < 1) return 'the retry period must be positive';
  if (leaseDurationMs <= renewDeadlineMs) return 'the lease duration must be longer than the renew deadline';
  if (renewDeadlineMs <= retryPeriodMs * 1.2) return 'the renew deadline must be longer than 1.2 x the retry period';
  if (leaseDurationMs < 1000) return 'the lease duration must be at least 1s (the Lease stores whole seconds)';
  return undefined;
}

/** RFC 3339 with microseconds, as metav1.MicroTime is written. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector implements Leadership {
  private observed: { key: string; at: number; holder: string; url?: string } | undefined;
  private leading: { controller: AbortController; lastRenewAt: number; expiry: NodeJS.Timeout } | undefined;
  private stopped = true;
  private advertiseUrl: string | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly api: LeaseApi,
    private readonly settings: LeaderElectionSettings,
    private readonly logger: Logger,
    private readonly clock: ElectionClock = systemElectionClock,
    private readonly hooks: LeaderElectionHooks = {},
  ) {
    const problem = leaseTimingProblem(settings);
    if (problem) throw new RangeError(problem);
    this.advertiseUrl = settings.advertiseUrl;
  }

  /** Where this replica takes notifications (known once it listens): written on the Lease from its next write on. */
  advertise(url: string): void {
    this.advertiseUrl = url;
  }

  get identity(): string {
    return this.settings.identity;
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  term(): AbortSignal | undefined {
    return this.leading?.controller.signal;
  }

  /** The holder this replica last saw, while its lease can still be valid (by this replica's observation). */
  leader(): ObservedLeader | undefined {
    const observed = this.observed;
    if (!observed || observed.holder === '') return undefined;
    if (observed.holder !== this.settings.identity && observed.at + this.settings.leaseDurationMs <= this.clock.monotonicMs()) return undefined;
    return { identity: observed.holder, ...(observed.url ? { url: observed.url } : {}) };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops trying; a leader stops leading and releases the Lease (best effort: a failure is logged). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.leading) {
      this.stopLeading('shutting down');
      await this.release();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const attemptAt = this.clock.monotonicMs();
      const ok = await this.tryAcquireOrRenew();
      if (this.stopped) return;
      if (ok) this.renewed(attemptAt);
      else if (this.leading && this.clock.monotonicMs() - this.leading.lastRenewAt >= this.settings.renewDeadlineMs) {
        this.stopLeading('the Lease was not renewed within the renew deadline');
      }
      const jitter = this.leading ? 1 : 1 + Math.random() * 0.2;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.settings.retryPeriodMs * jitter);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  /** A successful acquire or renew whose request started at attemptAt: leading until attemptAt + renewDeadline. */
  private renewed(attemptAt: number): void {
    const expiresIn = attemptAt + this.settings.renewDeadlineMs - this.clock.monotonicMs();
    if (expiresIn <= 0) {
      // The answer came too late to count: the deadline measured from the request has passed already.
      if (this.leading) this.stopLeading('the Lease was not renewed within the renew deadline');
      return;
    }
    if (this.leading) {
      clearTimeout(this.leading.expiry);
      this.leading.lastRenewAt = attemptAt;
      this.leading.expiry = this.expiryTimer(expiresIn);
      return;
    }
    this.leading = { controller: new AbortController(), lastRenewAt: attemptAt, expiry: this.expiryTimer(expiresIn) };
    this.logger.info({ identity: this.settings.identity, lease: `${this.settings.namespace}/${this.settings.name}` }, 'became the leader');
    this.hooks.onStartedLeading?.();
  }

  private expiryTimer(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.stopLeading('the Lease was not renewed within the renew deadline'), ms);
    timer.unref?.();
    return timer;
  }

  private stopLeading(reason: string): void {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    clearTimeout(leading.expiry);
    leading.controller.abort(new LeadershipEnded(reason));
    this.logger.warn({ identity: this.settings.identity, reason }, 'stopped leading');
    this.hooks.onStoppedLeading?.(reason);
  }

  /**
   * One attempt, client-go's tryAcquireOrRenew: true when this replica holds the Lease afterwards. Errors (the
   * apiserver away, forbidden, a conflict with another replica's write) are logged and count as false.
   */
  async tryAcquireOrRenew(afterCreateConflict = false): Promise<boolean> {
    const { namespace, name, identity } = this.settings;
    const timeoutMs = Math.max(500, Math.floor(this.settings.renewDeadlineMs / 2));
    const wallNow = microTime(this.clock.now());
    let lease: Lease;
    try {
      lease = await this.api.get<Lease>(Leases, namespace, name, { timeoutMs });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) return this.failed('read', error);
      const created: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace, ...(this.advertiseUrl ? { annotations: { [LEADER_URL_ANNOTATION]: this.advertiseUrl } } : {}) },
        spec: { holderIdentity: identity, leaseDurationSeconds: this.leaseSeconds, acquireTime: wallNow, renewTime: wallNow, leaseTransitions: 0 },
      };
      try {
        this.observe(await this.api.create<Lease>(Leases, namespace, created, {}, { timeoutMs }));
        return true;
      } catch (createError) {
        // Another replica created it first: read it once more now, so this one knows its leader at once.
        if (createError instanceof KubeApiError && createError.status === 409 && !afterCreateConflict) return this.tryAcquireOrRenew(true);
        return this.failed('create', createError);
      }
    }

    this.observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== identity && this.observed!.at + this.settings.leaseDurationMs > this.clock.monotonicMs()) {
      return false;
    }
    const mine = holder === identity && this.leading !== undefined;
    const annotations = { ...lease.metadata.annotations };
    if (this.advertiseUrl) annotations[LEADER_URL_ANNOTATION] = this.advertiseUrl;
    else delete annotations[LEADER_URL_ANNOTATION];
    const updated: Lease = {
      ...lease,
      metadata: { ...lease.metadata, annotations },
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseSeconds,
        renewTime: wallNow,
        acquireTime: mine ? (spec.acquireTime ?? wallNow) : wallNow,
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      this.observe(await this.api.update<Lease>(Leases, namespace, name, updated, {}, { timeoutMs }));
      return true;
    } catch (error) {
      return this.failed(mine ? 'renew' : 'acquire', error);
    }
  }

  private get leaseSeconds(): number {
    return Math.ceil(this.settings.leaseDurationMs / 1000);
  }

  /** Notes the record as seen now (by the monotonic clock) when it differs from the one seen before. */
  private observe(lease: Lease): void {
    const spec = lease.spec ?? {};
    const url = lease.metadata.annotations?.[LEADER_URL_ANNOTATION];
    const key = JSON.stringify([spec.holderIdentity ?? '', spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions, url]);
    if (this.observed?.key === key) return;
    const before = this.observed?.holder;
    this.observed = { key, at: this.clock.monotonicMs(), holder: spec.holderIdentity ?? '', ...(url ? { url } : {}) };
    if (before !== this.observed.holder) this.hooks.onNewLeader?.(this.observed.holder || undefined);
  }

  private failed(what: string, error: unknown): false {
    const level = error instanceof KubeApiError && error.status === 409 ? 'debug' : 'warn';
    this.logger[level]({ identity: this.settings.identity, lease: `${this.settings.namespace}/${this.settings.name}`, error: describeApiError(error) }, `could not ${what} the Lease`);
    return false;
  }

  /** Gives the Lease up (client-go's ReleaseOnCancel): an empty holder that the others may take at once. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.settings;
    try {
      const lease = await this.api.get<Lease>(Leases, namespace, name, { timeoutMs: 2_000 });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(this.clock.now());
      const annotations = { ...lease.metadata.annotations };
      delete annotations[LEADER_URL_ANNOTATION];
      await this.api.update(Leases, namespace, name, {
        ...lease,
        metadata: { ...lease.metadata, annotations },
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      }, {}, { timeoutMs: 2_000 });
      this.logger.info({ identity, lease: `${namespace}/${name}` }, 'released the Lease');
    } catch (error) {
      this.logger.warn({ identity, error: describeApiError(error) }, 'could not release the Lease: the others take it once it expires');
    }
  }
}

/** The reason a term's signal carries. */
export class LeadershipEnded extends Error {
  override readonly name = 'AbortError';
}
