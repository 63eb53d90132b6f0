/**
 * `metricops.io/bad-revision` on a ReplicaSet: why its revision was rolled back. A revision marked so is never a
 * rollback target again.
 */
import { z } from 'zod';
import { parseJsonAnnotation, type AnnotationValue } from './annotation-value.js';
import { Annotations } from './annotations.js';
import { rollbackCauseSchema, type RollbackCause } from './rolled-back-from.js';

export interface BadRevisionRecord extends RollbackCause {
  revision: number;
  rolledBackTo: { revision: number; replicaSet: string };
}

export function formatBadRevision(record: BadRevisionRecord): string {
  return JSON.stringify(record);
}

export function isMarkedBad(annotations: Readonly<Record<string, string>>): boolean {
  return annotations[Annotations.badRevision] !== undefined;
}

const badRevisionSchema = rollbackCauseSchema.extend({
  revision: z.number(),
  rolledBackTo: z.object({ revision: z.number(), replicaSet: z.string() }),
});

/** The whole record, for readers that show why a revision is bad. */
export function parseBadRevision(text: string): AnnotationValue<BadRevisionRecord> {
  return parseJsonAnnotation(text, badRevisionSchema, 'a JSON object {"alert", "time", "reason", "revision", "rolledBackTo"} written by the feedback pipeline');
}
