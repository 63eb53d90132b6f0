import type { FeedbackMetrics } from '../metrics.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionRecorder } from '../ports.js';

/** Counts every decision and observes the rollback latency; a GitOps hold's later steps count as steps, not decisions. */
export class MetricsRecorder implements DecisionRecorder {
  readonly name = 'metrics';

  constructor(private readonly metrics: FeedbackMetrics) {}

  async record(record: DecisionRecord): Promise<void> {
    if (record.gitops && record.gitops.stage !== 'holding') {
      this.metrics.gitopsSteps.inc({ stage: record.gitops.stage });
      return;
    }
    this.metrics.decisions.inc({ outcome: record.outcome });
    if (record.latencyMs !== undefined && (record.outcome === 'rolled-back' || record.outcome === 'dry-run')) {
      this.metrics.rollbackLatency.observe(record.latencyMs / 1000);
    }
  }
}
