/**
 * `metricops.io/bad-revision` on a ReplicaSet: why its revision was rolled back. A revision marked so is never a
 * rollback target again.
 */
import { Annotations } from './annotations.js';
import type { RollbackCause } from './rolled-back-from.js';

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
