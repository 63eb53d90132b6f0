import type { FeedbackMetrics } from '../metrics.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionRecorder } from '../ports.js';

/** Counts every decision and observes the rollback latency. */
export class MetricsRecorder implements DecisionRecorder {
  readonly name = 'metrics';

  constructor(private readonly metrics: FeedbackMetrics) {}

  async record(record: DecisionRecord): Promise<void> {
    this.metrics.decisions.inc({ outcome: record.outcome });
    if (record.latencyMs !== undefined && (record.outcome === 'rolled-back' || record.outcome === 'dry-run')) {
      this.metrics.rollbackLatency.observe(record.latencyMs / 1000);
    }
  }
}
