import type { Clock } from '../../common/clock.js';
import type { DecisionRecord } from '../model.js';

/** The audit log's folder inside its Git repository. */
export const AUDIT_DIR = 'audit';

const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;

/** audit/<yyyy-mm-dd>.jsonl for the record's UTC day (the clock's day when its time is unreadable). */
export function auditFileFor(record: DecisionRecord, clock: Clock): string {
  const time = new Date(record.time);
  const day = (Number.isNaN(time.getTime()) ? clock.now() : time).toISOString().slice(0, 10);
  return `${AUDIT_DIR}/${day}.jsonl`;
}

/** Day files, newest first. */
export function newestFirst(names: readonly string[]): string[] {
  return names.filter((name) => DAY_FILE.test(name)).sort().reverse();
}
