import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type NotificationSource = 'webhook' | 'poll';
export type NotificationResult = 'accepted' | 'invalid' | 'unauthorized' | 'too-large' | 'unavailable' | 'failed' | 'skipped';

/**
 * The feedback pipeline's Prometheus metrics, every metricops_feedback_* series in one place, registered on the
 * registry passed in (no global registry): intake counts notifications and polls, the actuators and the audit log
 * count Git failures, the recorders count decisions and observe the latency (recorders/metrics-recorder.ts).
 */
export class FeedbackMetrics {
  readonly notifications: Counter<'source' | 'result'>;
  readonly alertsReceived: Counter<'source'>;
  readonly decisions: Counter<'outcome'>;
  readonly rollbackLatency: Histogram;
  readonly auditBacklog: Gauge;
  readonly auditFailingAttempts: Gauge;
  readonly pollFailures: Counter;
  readonly pollInvalidAlerts: Counter;
  readonly gitFailures: Counter<'recorder'>;
  readonly gitopsHolds: Gauge;
  readonly gitopsSteps: Counter<'stage'>;
  readonly gitopsHoldSeconds: Histogram;
  readonly events: Counter<'result'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.notifications = new Counter({
      name: 'metricops_feedback_notifications_total',
      help: 'Alertmanager notifications (webhook) and polls (poll) by result.',
      labelNames: ['source', 'result'],
      registers,
    });
    this.alertsReceived = new Counter({
      name: 'metricops_feedback_alerts_received_total',
      help: 'Alerts handed to the pipeline, by intake path.',
      labelNames: ['source'],
      registers,
    });
    this.decisions = new Counter({
      name: 'metricops_feedback_decisions_total',
      help: 'Decisions by outcome (rolled-back, dry-run, skipped, already-rolled-back, failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.rollbackLatency = new Histogram({
      name: 'metricops_feedback_rollback_latency_seconds',
      help: 'From receiving the alert to the Deployment patched.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.auditBacklog = new Gauge({
      name: 'metricops_feedback_audit_backlog',
      help: 'Decision records written to the audit log but not yet committed (and pushed) to Git.',
      registers,
    });
    this.auditFailingAttempts = new Gauge({
      name: 'metricops_feedback_audit_consecutive_failures',
      help: 'Audit-log attempts (write, commit, push) that failed in a row; 0 once the backlog reached Git. Alert when it stays above 0.',
      registers,
    });
    this.pollFailures = new Counter({
      name: 'metricops_feedback_poll_failures_total',
      help: 'Alertmanager API polls that failed (unreachable, error status, invalid answer).',
      registers,
    });
    this.pollInvalidAlerts = new Counter({
      name: 'metricops_feedback_poll_invalid_alerts_total',
      help: 'Entries of Alertmanager API answers left out because they are not valid alerts (logged with their field paths).',
      registers,
    });
    this.gitFailures = new Counter({
      name: 'metricops_feedback_git_failures_total',
      help: 'Failed audit-log writes, commits or pushes (retried) and failed GitOps write-backs, by recorder (audit-log, gitops).',
      labelNames: ['recorder'],
      registers,
    });
    this.gitopsHolds = new Gauge({
      name: 'metricops_feedback_gitops_holds',
      help: 'Deployments rolled back and held against the GitOps engine until it has the write-back (metricops.io/gitops-hold).',
      registers,
    });
    this.gitopsSteps = new Counter({
      name: 'metricops_feedback_gitops_steps_total',
      help: 'Steps of GitOps holds after the rollback: write-back-failed, written-back, reverted, released, superseded.',
      labelNames: ['stage'],
      registers,
    });
    this.gitopsHoldSeconds = new Histogram({
      name: 'metricops_feedback_gitops_hold_seconds',
      help: 'From the rollback (hold set) to the hold released: the GitOps engine has the write-back revision.',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.events = new Counter({
      name: 'metricops_feedback_events_total',
      help: 'Kubernetes Event writes by result: created (a new series), updated (count of a repeated decision), suppressed (over the per-Deployment rate bound, not written), failed.',
      labelNames: ['result'],
      registers,
    });
  }
}
