import { access, appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { namespacedName } from '../../common/contract/deployment-ref.js';
import type { Logger } from '../../common/logger.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionRecorder } from '../ports.js';
import { auditFileFor, AUDIT_DIR } from './audit-files.js';
import type { FeedbackMetrics } from '../metrics.js';
import type { RepositorySource } from '../git-target.js';

export interface AuditLogOptions {
  /** The audit repository: a clone of a remote may be made on first use (DeferredClone), so Git may be down at start. */
  repo: RepositorySource;
  /** Push every batch (with rebase retry, never forced): true when the repository is a clone of a remote. */
  push: boolean;
  clock: Clock;
  logger: Logger;
  metrics?: FeedbackMetrics;
  /** How long records gather before one commit. Default 1 s. */
  batchDelayMs?: number;
  /** First retry delay after a failed write, commit or push; doubles up to maxRetryDelayMs. Default 2 s. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * The durable audit log: one JSON line per decision in audit/<yyyy-mm-dd>.jsonl (UTC day of the decision),
 * committed to Git in batches and pushed when the repository has a remote. A record is never dropped: what
 * could not be written, committed or pushed stays queued and is retried with backoff (records wait in memory while a
 * remote has not been cloned yet, and on disk once written).
 */
export class GitAuditLog implements DecisionRecorder {
  readonly name = 'audit-log';
  private unwritten: DecisionRecord[] = [];
  private uncommitted: DecisionRecord[] = [];
  private unpushed = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private commitFailures = 0;
  private closed = false;

  constructor(private readonly options: AuditLogOptions) {}

  get directory(): string {
    return this.options.repo.dir;
  }

  /** Records not yet safely in Git (written and committed, and pushed when pushing). */
  get backlog(): number {
    return this.unwritten.length + this.uncommitted.length + this.unpushed;
  }

  /** Records still in memory only (not yet appended to a file): the history endpoint shows them too. */
  pending(): readonly DecisionRecord[] {
    return this.unwritten;
  }

  async record(record: DecisionRecord): Promise<void> {
    this.unwritten.push(record);
    this.updateBacklog();
    if (!this.closed) this.schedule(this.options.batchDelayMs ?? 1_000);
  }

  /** Commits (and pushes) what an earlier run left behind: lines written but not committed, commits not pushed. */
  async start(): Promise<void> {
    // One writer per audit repository: a lock left by a git process that died with an earlier run would refuse
    // every commit of this one.
    // A remote not cloned yet (Git unreachable at start) has nothing left behind: the flush retries the clone.
    const repo = await this.options.repo.get().catch(() => undefined);
    if (repo && (await repo.removeStaleIndexLock())) this.options.logger.warn({ dir: this.directory }, 'removed a stale .git/index.lock left by an earlier run');
    if (repo && this.options.push && (await repo.head()) !== null) this.unpushed = 1;
    await this.flush().catch(() => undefined);
  }

  /** Writes, commits and pushes everything queued now; rejects when some of it failed (it stays queued). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushOnce();
    try {
      await this.flushing;
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.options.metrics?.gitFailures.inc({ recorder: this.name });
      this.options.metrics?.auditFailingAttempts.set(this.failures);
      this.options.logger.warn({ err: (error as Error).message, backlog: this.backlog, failures: this.failures }, 'audit log not yet in Git, will retry');
      if (!this.closed) this.schedule(this.retryDelay());
      throw error;
    } finally {
      this.flushing = undefined;
      if (this.failures === 0) this.options.metrics?.auditFailingAttempts.set(0);
      this.updateBacklog();
    }
  }

  /** Stops the timer and makes a last attempt; what still fails is logged with the backlog (the lines are on disk). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => undefined);
    if (this.backlog > 0) this.options.logger.error({ backlog: this.backlog }, 'audit log closed with records not in Git');
  }

  private async flushOnce(): Promise<void> {
    // Until the repository is there (a remote not cloned yet) the records wait in memory, and this attempt fails.
    const repo = await this.options.repo.get();
    await this.writeLines();
    if (await exists(join(repo.dir, AUDIT_DIR))) {
      const records = this.uncommitted;
      // A commit that failed is not retried unchanged: the retry's message is the subject alone, so nothing the
      // records hold (their number, their text) can keep them out of Git. The lines are in the files either way.
      const message = this.commitFailures > 0 ? minimalCommitMessage(records.length) : commitMessage(records);
      let hash: string | null;
      try {
        hash = await repo.commit([AUDIT_DIR], message);
      } catch (error) {
        this.commitFailures += 1;
        this.options.logger.error(
          { err: (error as Error).message, records: records.length, messageBytes: Buffer.byteLength(message), attempt: this.commitFailures },
          'audit commit failed: the next attempt commits the same lines with a one-line message',
        );
        throw error;
      }
      this.commitFailures = 0;
      if (hash !== null && this.options.push) this.unpushed += Math.max(records.length, 1);
      this.uncommitted = [];
    }
    if (this.options.push && this.unpushed > 0) {
      await repo.pushWithRebase();
      this.unpushed = 0;
    }
  }

  /** Appends queued records file by file; a record leaves the queue only once its file took it. */
  private async writeLines(): Promise<void> {
    const byFile = new Map<string, DecisionRecord[]>();
    for (const record of this.unwritten) {
      const file = auditFileFor(record, this.options.clock);
      const records = byFile.get(file);
      if (records) records.push(record);
      else byFile.set(file, [record]);
    }
    for (const [file, records] of byFile) {
      const path = join(this.options.repo.dir, file);
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, records.map((record) => JSON.stringify(record) + '\n').join(''), 'utf8');
      const written = new Set(records);
      this.unwritten = this.unwritten.filter((record) => !written.has(record));
      this.uncommitted.push(...records);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, delayMs);
    this.timer.unref();
  }

  private retryDelay(): number {
    const first = this.options.retryDelayMs ?? 2_000;
    return Math.min(first * 2 ** Math.min(this.failures - 1, 10), this.options.maxRetryDelayMs ?? 60_000);
  }

  private updateBacklog(): void {
    this.options.metrics?.auditBacklog.set(this.backlog);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** How much of a commit message lists decisions; the rest are counted (every one is a line of the committed files). */
export const MAX_COMMIT_BODY_BYTES = 32 * 1024;
/** A summary's alert and Deployment names come from alert labels: one line each, and short. */
const MAX_NAME_CHARACTERS = 120;

/** One line per decision: outcome, Deployment and alert, so `git log` reads as the history. */
export function summarize(record: DecisionRecord): string {
  const target = record.deployment ? oneLine(namespacedName(record.deployment)) : 'no Deployment';
  const what = record.gitops && record.gitops.stage !== 'holding' ? `hold ${record.gitops.stage}` : record.outcome;
  return `${what} ${target} (${oneLine(record.alert.name)})`;
}

/**
 * The batch's commit message: a subject naming the first three decisions, and a body listing decisions with their
 * ids up to MAX_COMMIT_BODY_BYTES, then how many more there are (they are in the committed files).
 */
export function commitMessage(records: readonly DecisionRecord[]): string {
  if (records.length === 0) return 'audit: record decisions left by an earlier run';
  if (records.length === 1) return `audit: ${summarize(records[0]!)}\n\ndecision ${records[0]!.id}`;
  const head = records.slice(0, 3).map(summarize).join(', ');
  const lines: string[] = [];
  let bytes = 0;
  for (const record of records) {
    const line = `${summarize(record)} [${oneLine(record.id)}]`;
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > MAX_COMMIT_BODY_BYTES) break;
    lines.push(line);
  }
  const rest = records.length - lines.length;
  if (rest > 0) lines.push(`... and ${rest} more decisions: every decision of this commit is a line of its ${AUDIT_DIR}/*.jsonl changes`);
  return `audit: ${records.length} decisions: ${head}${records.length > 3 ? ', ...' : ''}\n\n${lines.join('\n')}`;
}

/** The message of the retry after a failed commit: nothing but the count. */
export function minimalCommitMessage(count: number): string {
  return count === 0 ? 'audit: record decisions left by an earlier run' : `audit: ${count} decision${count === 1 ? '' : 's'} (see the ${AUDIT_DIR}/*.jsonl changes)`;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length <= MAX_NAME_CHARACTERS ? flat : `${flat.slice(0, MAX_NAME_CHARACTERS - 3)}...`;
}
