/**
 * The feedback pipeline: alerts in (from the webhook receiver and the Alertmanager poller), decision records out.
 * submit() returns at once so the intake answers Alertmanager fast; drain() resolves when everything submitted so far
 * is decided, carried out and recorded.
 *
 *   submit -> drop resolved, other clusters' and duplicates -> wait for the cache -> the Deployments the alert may guard
 *          -> per Deployment, one at a time:
 *               decide  (core/decide.ts: one Plan, pure)
 *            -> act     (the actuators: roll the cluster back, then write the good images back to Git)
 *            -> record  (the recorders: Event, audit log, metrics; they only record)
 */
import type { Clock } from '../common/clock.js';
import { namespacedName, deploymentOfLabels, type DeploymentRef } from '../common/contract/deployment-ref.js';
import { MetricopsError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { alertName } from './core/alert-matching.js';
import { buildRecord, decisionId, plannedRevisions } from './core/decision-record.js';
import { AlertLabels } from '../common/contract/alert-labels.js';
import { decide, decideUnmatched, DEFAULT_DECISION_SETTINGS, isRollback, otherCluster, type DecisionSettings, type Plan, type RollbackPlan } from './core/decide.js';
import { RecentRollbacks, SeenAlerts } from './core/seen-alerts.js';
import type { Alert, Decision, DecisionRecord, DeploymentState } from './model.js';
import type { GitOpsHoldRecord } from '../common/contract/gitops-hold.js';
import type {
  AlertSink, DecisionRecorder, DeploymentCache, GitOpsHolds, GitOpsWriter, RollbackExecutor, RollbackRequest, RollbackResult, WriteBackRequest,
} from './ports.js';

export interface FeedbackPipelineSettings extends DecisionSettings {
  /** How long an alert occurrence (fingerprint + startsAt) is remembered for deduplication. Default 24h. */
  dedupeRetentionMs?: number;
  /** How many alert occurrences may wait for a decision; beyond it submit() throws PipelineBusyError. Default 10000. */
  maxPending?: number;
}

export const DEFAULT_MAX_PENDING = 10_000;

/** submit() cannot take the alerts now (too many waiting): intake answers 503 so Alertmanager retries. */
export class PipelineBusyError extends MetricopsError {}
/** submit() after close(): the process is shutting down; intake answers 503. */
export class PipelineClosedError extends MetricopsError {}

export interface FeedbackPipelineOptions {
  /** What decisions read. */
  cache: DeploymentCache;
  /** Act: the cluster actuator. */
  executor: RollbackExecutor;
  /** Act: the GitOps actuator, for Deployments with `metricops.io/git-path`; off when absent. */
  gitOpsWriter?: GitOpsWriter;
  /**
   * Act: the hold keeper. With it, a rollback of a Deployment with `metricops.io/git-path` also holds it against the
   * GitOps engine (same patch) and the keeper writes back (first attempt here, retries after) and releases the hold;
   * gitOpsWriter is then not used by the pipeline.
   */
  gitOpsHolds?: GitOpsHolds;
  /** Record: every decision record goes to each of them. */
  recorders: DecisionRecorder[];
  clock: Clock;
  logger: Logger;
  settings?: Partial<FeedbackPipelineSettings>;
}

export class FeedbackPipeline implements AlertSink {
  private readonly settings: DecisionSettings;
  private readonly seen: SeenAlerts;
  private readonly recentRollbacks = new RecentRollbacks();
  private readonly pending = new Set<Promise<void>>();
  /** Per Deployment, the tail of its chain of decisions: decisions for one Deployment never overlap. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly maxPending: number;
  private closed = false;

  constructor(private readonly options: FeedbackPipelineOptions) {
    const { dedupeRetentionMs, maxPending, ...settings } = options.settings ?? {};
    this.settings = { ...DEFAULT_DECISION_SETTINGS, ...settings };
    this.seen = new SeenAlerts(options.clock, dedupeRetentionMs);
    this.maxPending = maxPending ?? DEFAULT_MAX_PENDING;
  }

  /**
   * Takes alerts for decision and returns at once. Throws PipelineClosedError after close() and PipelineBusyError
   * when more than maxPending occurrences are waiting; then none of the alerts is taken.
   */
  submit(alerts: Alert[]): void {
    if (this.closed) throw new PipelineClosedError('the feedback pipeline is shutting down: alerts are not taken');
    const firing = alerts.filter((alert) => alert.status === 'firing').length;
    if (this.pending.size + firing > this.maxPending) {
      throw new PipelineBusyError(
        `the feedback pipeline has ${this.pending.size} alerts waiting for a decision (limit ${this.maxPending}): retry later`,
      );
    }
    for (const alert of alerts) {
      const log = { alert: alertName(alert), fingerprint: alert.fingerprint, source: alert.source };
      if (alert.status === 'resolved') {
        this.options.logger.debug(log, 'resolved alert: nothing to decide');
        continue;
      }
      // Another cluster's alert is that cluster's pipeline's to decide: no record here (an alert without the label
      // is recorded as an other-cluster skip by decide(), so a missing label shows).
      if (alert.labels[AlertLabels.cluster] !== undefined && otherCluster(alert, this.settings)) {
        this.options.logger.debug({ ...log, cluster: alert.labels[AlertLabels.cluster] }, "another cluster's alert: not decided here");
        continue;
      }
      if (!this.seen.claim(alert)) {
        this.options.logger.debug(log, 'duplicate alert: already decided');
        continue;
      }
      this.track(this.process(alert));
    }
  }

  /** Resolves when every alert submitted so far is decided and recorded. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops taking alerts (submit throws PipelineClosedError) and resolves once the pending ones are recorded. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  /** The most firing alerts one submit() can take: more than that are never taken, however long one waits. */
  get maxBatch(): number {
    return this.maxPending;
  }

  /** Alert occurrences submitted and not yet recorded. */
  get pendingCount(): number {
    return this.pending.size;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'feedback pipeline: unexpected error');
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private async process(alert: Alert): Promise<void> {
    await this.options.cache.waitForSync();
    const candidates = this.candidates(alert);
    const handled = await Promise.all(candidates.map((ref) => this.serialized(ref, () => this.handle(alert, ref))));
    if (!handled.includes(true)) await this.record(this.recordOf(alert, decideUnmatched(alert, this.settings), {}));
  }

  /**
   * The Deployments the alert may guard: the one its labels name and those whose `metricops.io/rules` list its
   * name (the cache's index). Which of them it really guards, decide() says.
   */
  private candidates(alert: Alert): DeploymentRef[] {
    const { cache } = this.options;
    const found = new Map<string, DeploymentRef>();
    const labelled = deploymentOfLabels(alert.labels);
    if (labelled && cache.getDeployment(labelled.namespace, labelled.name)) found.set(namespacedName(labelled), labelled);
    for (const deployment of cache.deploymentsGuardedBy(alertName(alert))) {
      found.set(namespacedName(deployment), { namespace: deployment.namespace, name: deployment.name });
    }
    return [...found.values()];
  }

  private serialized<T>(target: DeploymentRef, work: () => Promise<T>): Promise<T> {
    const key = namespacedName(target);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** decide -> act -> record for one Deployment, from the cache as it is now; false when the alert does not guard it. */
  private async handle(alert: Alert, ref: DeploymentRef): Promise<boolean> {
    const { cache, clock } = this.options;
    const deployment = cache.getDeployment(ref.namespace, ref.name);
    if (!deployment) return false;
    const lastRollbackAt = this.recentRollbacks.last(ref);
    const plan = decide({
      alert,
      deployment,
      replicaSets: cache.replicaSetsOf(deployment),
      now: clock.now(),
      settings: this.settings,
      ...(lastRollbackAt ? { lastRollbackAt } : {}),
    });
    if (!plan.match.matched) return false;
    await this.record(await this.act(alert, deployment, plan));
    return true;
  }

  /**
   * Carries the plan out and says what came of it, as the record to keep: a skip does nothing; a dry run shows the
   * planned revisions; a rollback goes through the cluster actuator, then, for a Deployment with
   * `metricops.io/git-path`, through the GitOps write-back, whose commit (or failure) the record carries.
   */
  private async act(alert: Alert, deployment: DeploymentState, plan: Plan): Promise<DecisionRecord> {
    if (!isRollback(plan)) return this.recordOf(alert, plan.decision, {});
    const { decision, target } = plan;
    const planned = plannedRevisions(deployment, target);
    if (decision.dryRun) return this.recordOf(alert, decision, { outcome: 'dry-run', ...planned });

    let result: RollbackResult;
    try {
      result = await this.options.executor.rollback(this.rollbackRequest(alert, deployment, plan, decisionId(alert, decision.deployment)));
    } catch (error) {
      this.seen.release(alert);
      return this.recordOf(alert, decision, { outcome: 'failed', error: (error as Error).message, ...planned });
    }
    if (result.outcome !== 'rolled-back') {
      const skip = { action: 'skip' as const, deployment: decision.deployment, skip: result.outcome, reason: result.reason };
      return this.recordOf(alert, skip, result.outcome === 'already-rolled-back' ? { outcome: 'already-rolled-back' } : {});
    }
    this.recentRollbacks.record(decision.deployment, result.patchedAt);
    if (!result.markedBad) this.options.logger.warn({ deployment: namespacedName(decision.deployment) }, 'rolled back, but could not mark the bad ReplicaSet');
    const rolledBack = this.recordOf(alert, decision, {
      outcome: 'rolled-back',
      from: result.from,
      to: result.to,
      latencyMs: Math.max(0, result.patchedAt.getTime() - alert.receivedAt.getTime()),
    });
    if (result.hold && this.options.gitOpsHolds) return this.hold(rolledBack, result.hold, this.options.gitOpsHolds);
    return plan.policy.gitPath ? this.writeBack(rolledBack, plan.policy.gitPath) : rolledBack;
  }

  /** The plan for the cluster actuator: the snapshot decide() read and the target it chose, patched as planned first. */
  private rollbackRequest(alert: Alert, deployment: DeploymentState, plan: RollbackPlan, decision: string): RollbackRequest {
    const { from, to } = plan.target;
    const { gitPath } = plan.policy;
    return {
      ...(gitPath && this.options.gitOpsHolds ? { hold: { decision, gitPath, source: alert.source } } : {}),
      deployment: plan.decision.deployment,
      expectedTemplate: deployment.template,
      cause: {
        alert: { name: alertName(alert), fingerprint: alert.fingerprint, startsAt: alert.startsAt.toISOString() },
        time: this.options.clock.now().toISOString(),
        reason: plan.decision.reason,
      },
      planned: from ? { deployment, from, to } : { deployment, to },
    };
  }

  /**
   * A rollback that set the hold: the keeper makes the first write-back attempt (its commit, or why it failed, goes
   * into the record) and keeps the hold until the GitOps engine has the write-back.
   */
  private async hold(record: DecisionRecord, hold: GitOpsHoldRecord, holds: GitOpsHolds): Promise<DecisionRecord> {
    const written = await holds.keep(record.deployment!, hold);
    const held: DecisionRecord = { ...record, gitops: { stage: 'holding', heldSince: hold.since, ...('revision' in written ? { revision: written.revision } : {}) } };
    if ('error' in written) {
      return { ...held, error: `GitOps write-back of ${hold.gitPath} failed: ${written.error}; the Deployment stays held and the write-back is retried` };
    }
    return written.commit ? { ...held, gitCommit: written.commit } : held;
  }

  /** The GitOps write-back of a rollback done in the cluster, without a hold: its commit, or why it failed, goes into the record. */
  private async writeBack(record: DecisionRecord, gitPath: string): Promise<DecisionRecord> {
    const { gitOpsWriter, logger } = this.options;
    if (!gitOpsWriter) return record;
    try {
      const { commit } = await gitOpsWriter.writeBack(writeBackRequestOf(record, gitPath));
      return commit ? { ...record, gitCommit: commit } : record;
    } catch (error) {
      logger.error({ err: error, gitPath, deployment: record.deployment }, 'GitOps write-back failed');
      return { ...record, error: `GitOps write-back of ${gitPath} failed: ${(error as Error).message}` };
    }
  }

  private recordOf(alert: Alert, decision: Decision, extra: Partial<DecisionRecord>): DecisionRecord {
    return buildRecord(alert, decision, this.options.clock.now(), extra);
  }

  /** Records a decision: one log line, then every recorder (a failing one does not stop the others). Only records. */
  private async record(record: DecisionRecord): Promise<void> {
    const { logger, recorders } = this.options;
    logger.info(
      {
        id: record.id,
        alert: record.alert.name,
        fingerprint: record.alert.fingerprint,
        deployment: record.deployment ? namespacedName(record.deployment) : undefined,
        outcome: record.outcome,
        skip: record.skip,
        toRevision: record.to?.revision,
        latencyMs: record.latencyMs,
        error: record.error,
      },
      record.reason,
    );
    const results = await Promise.allSettled(recorders.map((recorder) => recorder.record(record)));
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        logger.error({ err: result.reason, recorder: recorders[index]?.name, id: record.id }, 'a decision recorder failed');
      }
    });
  }
}

/** What the write-back of a rollback (as recorded) commits. */
export function writeBackRequestOf(record: DecisionRecord, gitPath: string): WriteBackRequest {
  const { deployment, to, from } = record;
  if (!deployment || !to) throw new MetricopsError(`decision ${record.id} has no Deployment or target revision to write back`);
  return {
    decision: record.id,
    deployment,
    gitPath,
    alert: { name: record.alert.name, fingerprint: record.alert.fingerprint, startsAt: record.alert.startsAt },
    reason: record.reason,
    from: { ...(from?.revision !== undefined ? { revision: from.revision } : {}), images: from?.images ?? {} },
    to: { revision: to.revision, images: to.images },
  };
}
