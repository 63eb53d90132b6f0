import { schedule as cronSchedule } from 'node-cron';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { RuleSync, SyncOutcome } from './rule-sync.js';

/** Starts `tick` on a cron schedule; returns how to stop it. node-cron by default, a manual trigger in tests. */
export type Scheduler = (expression: string, tick: () => Promise<unknown>) => { stop(): void | Promise<void> };

export const cronScheduler: Scheduler = (expression, tick) => cronSchedule(expression, tick, { name: 'metricops-sync', noOverlap: true });

export type TickOutcome = SyncOutcome | { status: 'skipped' } | { status: 'failed'; error: string };

/**
 * Runs RuleSync on a schedule: one cycle at start, then one per cron tick. A tick while a cycle is still
 * running is skipped (never two cycles at once on the same clone). A failing cycle is logged, and the loop
 * goes on; it stops when `stop` resolves, after the running cycle ends.
 */
export class SyncLoop {
  private running: Promise<TickOutcome> | null = null;

  constructor(
    private readonly sync: Pick<RuleSync, 'runOnce'>,
    private readonly schedule: string,
    private readonly logger: Logger,
    private readonly scheduler: Scheduler = cronScheduler,
  ) {}

  /** One cycle, unless one is already running. Never throws. */
  tick(): Promise<TickOutcome> {
    if (this.running) {
      this.logger.warn('the previous sync is still running: skipping this one');
      return Promise.resolve({ status: 'skipped' });
    }
    const cycle = this.sync.runOnce().then(
      (outcome): TickOutcome => outcome,
      (error: unknown): TickOutcome => {
        const message = error instanceof MetricopsError ? error.message : String((error as Error)?.stack ?? error);
        this.logger.error({ err: error }, `sync failed, retrying at the next tick: ${message}`);
        return { status: 'failed', error: message };
      },
    );
    this.running = cycle.finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves when no sync is running. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Runs until `stop` resolves. */
  async run(stop: Promise<unknown>): Promise<void> {
    this.logger.info({ schedule: this.schedule }, 'sync started');
    const task = this.scheduler(this.schedule, () => this.tick());
    void this.tick();
    const signal = await stop;
    await task.stop();
    await this.idle();
    this.logger.info({ signal }, 'sync stopped');
  }
}
