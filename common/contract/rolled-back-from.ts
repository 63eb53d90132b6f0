/**
 * `metricops.io/rolled-back-from` on a Deployment: the feedback pipeline's record of its last rollback,
 * `{"alert":{"name","fingerprint","startsAt"},"time","reason","from":{...},"to":{...}}`.
 */
import { z } from 'zod';
import { parseJsonAnnotation, type AnnotationValue } from './annotation-value.js';
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

const images = z.record(z.string(), z.string());
/** The cause as read back (the readers show it; a missing field is a problem, an extra one is ignored). */
export const rollbackCauseSchema = z.object({
  alert: z.object({ name: z.string(), fingerprint: z.string(), startsAt: z.string() }),
  time: z.string(),
  reason: z.string(),
});
const rolledBackFromSchema = rollbackCauseSchema.extend({
  from: z.object({ revision: z.number().optional(), replicaSet: z.string().optional(), images }),
  to: z.object({ revision: z.number(), replicaSet: z.string(), images }),
});

/** The whole record, for readers that show it (the UI, `metricops status`). */
export function parseRolledBackFrom(text: string): AnnotationValue<RolledBackFromRecord> {
  return parseJsonAnnotation(text, rolledBackFromSchema, 'a JSON object {"alert", "time", "reason", "from", "to"} written by the feedback pipeline');
}
