import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionHistory, HistoryQuery } from '../ports.js';
import { AUDIT_DIR, newestFirst } from '../recorders/audit-files.js';

export function matchesQuery(record: DecisionRecord, query: HistoryQuery): boolean {
  if (query.namespace !== undefined && record.deployment?.namespace !== query.namespace) return false;
  if (query.deployment !== undefined && record.deployment?.name !== query.deployment) return false;
  return true;
}

function byTimeNewestFirst(a: DecisionRecord, b: DecisionRecord): number {
  return b.time < a.time ? -1 : b.time > a.time ? 1 : 0;
}

/** Reads the audit log's day files newest first (plus records still queued in memory) until `limit` match. */
export class AuditHistory implements DecisionHistory {
  constructor(
    private readonly repoDir: string,
    private readonly pending: () => readonly DecisionRecord[],
    private readonly logger: Logger,
  ) {}

  async query(query: HistoryQuery): Promise<DecisionRecord[]> {
    const found = this.pending().filter((record) => matchesQuery(record, query));
    const dir = join(this.repoDir, AUDIT_DIR);
    const names = newestFirst(await readdir(dir).catch(() => []));
    for (const name of names) {
      if (found.length >= query.limit) break;
      const text = await readFile(join(dir, name), 'utf8');
      text.split('\n').forEach((line, index) => {
        if (line.trim() === '') return;
        try {
          const record = JSON.parse(line) as DecisionRecord;
          if (matchesQuery(record, query)) found.push(record);
        } catch {
          this.logger.warn({ file: `${AUDIT_DIR}/${name}`, line: index + 1 }, 'audit log line is not JSON, skipped');
        }
      });
    }
    const unique = [...new Map(found.map((record) => [`${record.id}|${record.time}|${record.outcome}`, record])).values()];
    return unique.sort(byTimeNewestFirst).slice(0, query.limit);
  }
}
