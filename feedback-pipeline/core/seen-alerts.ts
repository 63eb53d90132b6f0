/**
 * Deduplication of the two intake paths (webhook and poll) and of Alertmanager's repeated notifications:
 * one decision per alert occurrence, keyed by fingerprint + startsAt. In memory, bounded by a retention time.
 */
import type { Clock } from '../../common/clock.js';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import type { Alert } from '../model.js';

export const DEFAULT_DEDUPE_RETENTION_MS = 24 * 60 * 60_000;

export function occurrenceKey(alert: Pick<Alert, 'fingerprint' | 'startsAt'>): string {
  return `${alert.fingerprint}@${alert.startsAt.toISOString()}`;
}

export class SeenAlerts {
  /** Key -> when first seen; Map order is insertion order, so the oldest entries come first. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly retentionMs: number = DEFAULT_DEDUPE_RETENTION_MS,
  ) {}

  /** True the first time an occurrence is claimed; false for every duplicate within the retention time. */
  claim(alert: Pick<Alert, 'fingerprint' | 'startsAt'>): boolean {
    const now = this.clock.now().getTime();
    this.prune(now);
    const key = occurrenceKey(alert);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }

  /** Forgets an occurrence so the next notification of it is decided again (after a failed rollback). */
  release(alert: Pick<Alert, 'fingerprint' | 'startsAt'>): void {
    this.seen.delete(occurrenceKey(alert));
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    for (const [key, firstSeen] of this.seen) {
      if (now - firstSeen < this.retentionMs) break;
      this.seen.delete(key);
    }
  }
}

/** The pipeline's memory of its own rollbacks, per Deployment: the cooldown survives a lagging cache. */
export class RecentRollbacks {
  private readonly times = new Map<string, Date>();

  record(deployment: DeploymentRef, time: Date): void {
    this.times.set(namespacedName(deployment), time);
  }

  last(deployment: DeploymentRef): Date | undefined {
    return this.times.get(namespacedName(deployment));
  }
}
