/**
 * `metricops.io/rolled-back-from` on a Deployment: the feedback pipeline's record of its last rollback,
 * `{"alert":{"name","fingerprint","startsAt"},"time","reason","from":{...},"to":{...}}`.
 */
import { parseRfc3339 } from '../rfc3339.js';

/** Why and when a rollback happened: the part every rollback record shares. */
export interface RollbackCause {
  alert: { name: string; fingerprint: string; startsAt: string };
  /** RFC 3339 time of the rollback. */
  time: string;
  reason: string;
}

/** The revision rolled back from: its ReplicaSet is unknown when the controller had not created it yet. */
export interface RevisionRef {
  revision?: number;
  replicaSet?: string;
  images: Record<string, string>;
}

/** The revision rolled back to. */
export interface Revision {
  revision: number;
  replicaSet: string;
  images: Record<string, string>;
}

export interface RolledBackFromRecord extends RollbackCause {
  from: RevisionRef;
  to: Revision;
}

export function formatRolledBackFrom(record: RolledBackFromRecord): string {
  return JSON.stringify(record);
}

/** When the last rollback happened, or undefined when the value is missing or unreadable (it only extends a cooldown). */
export function rolledBackAt(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as { time?: unknown };
    if (typeof record.time !== 'string') return undefined;
    const time = parseRfc3339(record.time);
    return time.ok ? time.value : undefined;
  } catch {
    return undefined;
  }
}
