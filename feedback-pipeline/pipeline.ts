/**
 * The feedback pipeline's orchestrator: alerts in (from the webhook receiver and the Alertmanager poller),
 * decisions out (to every recorder). submit() returns at once so the intake answers Alertmanager fast;
 * drain() resolves when everything submitted so far is decided and recorded.
 *
 *   submit -> drop resolved and duplicates -> wait for the cache -> find the guarded Deployments
 *          -> per Deployment, one at a time: decide -> roll back (or dry run) -> write back -> record
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { MetricopsError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { alertName, labelledDeployment, matchAlertToDeployment } from './core/alert-matching.js';
import { decide, decideUnmatched, DEFAULT_DECISION_SETTINGS, type DecisionSettings, type Evaluation } from './core/decide.js';
import { parseDeploymentPolicy } from './core/policy.js';
import type { DeploymentCache, RollbackExecutor, RollbackResult } from './ports.js';
import type { RollbackCause } from '../common/contract/rolled-back-from.js';
import { templateImages } from '../common/contract/images.js';
import { deploymentKey, RecentRollbacks, SeenAlerts } from './core/seen-alerts.js';
import type { Alert, Decision, DecisionRecord, DecisionRecorder, DeploymentState, GitOpsWriter, ReplicaSetState } from './model.js';

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
  cache: DeploymentCache;
  executor: RollbackExecutor;
  recorders: DecisionRecorder[];
  gitOpsWriter?: GitOpsWriter;
  clock: Clock;
  logger: Logger;
  settings?: Partial<FeedbackPipelineSettings>;
}

type DeploymentRef = { namespace: string; name: string };

export class FeedbackPipeline {
  private readonly settings: DecisionSettings;
  private readonly seen: SeenAlerts;
  private readonly recentRollbacks = new RecentRollbacks();
  private readonly pending = new Set<Promise<void>>();
  /** Per Deployment, the tail of its chain of decisions: decisions for one Deployment never overlap. */
  private readonly queues = new Map<string, Promise<void>>();
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
    const targets = this.guardedDeployments(alert);
    if (targets.length === 0) {
      await this.record(alert, decideUnmatched(alert), {});
      return;
    }
    await Promise.all(targets.map((target) => this.serialized(target, () => this.decideFor(alert, target))));
  }

  /** The Deployments the alert guards: the one its labels name, and those listing it in metricops.io/rules. */
  private guardedDeployments(alert: Alert): DeploymentRef[] {
    const found = new Map<string, DeploymentRef>();
    const labelled = labelledDeployment(alert);
    if (labelled && this.options.cache.getDeployment(labelled.namespace, labelled.name)) {
      found.set(deploymentKey(labelled), labelled);
    }
    for (const deployment of this.options.cache.deploymentsGuardedBy(alertName(alert))) {
      const { policy } = parseDeploymentPolicy(deployment.annotations);
      if (matchAlertToDeployment(alert, deployment, policy).matched) {
        found.set(deploymentKey(deployment), { namespace: deployment.namespace, name: deployment.name });
      }
    }
    return [...found.values()];
  }

  private serialized(target: DeploymentRef, work: () => Promise<void>): Promise<void> {
    const key = deploymentKey(target);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  private async decideFor(alert: Alert, target: DeploymentRef): Promise<void> {
    const { cache, clock } = this.options;
    const deployment = cache.getDeployment(target.namespace, target.name);
    if (!deployment) {
      await this.record(alert, decideUnmatched(alert), {});
      return;
    }
    const lastRollbackAt = this.recentRollbacks.last(target);
    const replicaSets = cache.replicaSetsOf(deployment);
    const evaluation = decide({
      alert,
      deployment,
      replicaSets,
      now: clock.now(),
      settings: this.settings,
      ...(lastRollbackAt ? { lastRollbackAt } : {}),
    });
    const { decision } = evaluation;
    if (decision.action === 'skip') {
      await this.record(alert, decision, {});
      return;
    }
    if (decision.dryRun) {
      await this.record(alert, decision, { outcome: 'dry-run', ...plannedRevisions(deployment, evaluation) });
      return;
    }
    await this.rollBack(alert, decision, { deployment, replicaSets }, evaluation);
  }

  /** `observed`: the cache snapshot decide() read; the executor patches from it first (one API call, no re-read). */
  private async rollBack(
    alert: Alert,
    decision: Decision,
    observed: { deployment: DeploymentState; replicaSets: ReplicaSetState[] },
    evaluation: Evaluation,
  ): Promise<void> {
    const { deployment } = observed;
    const { executor, logger } = this.options;
    const cause: RollbackCause = {
      alert: { name: alertName(alert), fingerprint: alert.fingerprint, startsAt: alert.startsAt.toISOString() },
      time: this.options.clock.now().toISOString(),
      reason: decision.reason,
    };
    let result: RollbackResult;
    try {
      result = await executor.rollback({
        deployment: { namespace: deployment.namespace, name: deployment.name },
        expectedTemplate: deployment.template,
        cause,
        observed,
      });
    } catch (error) {
      this.seen.release(alert);
      await this.record(alert, decision, { outcome: 'failed', error: (error as Error).message, ...plannedRevisions(deployment, evaluation) });
      return;
    }
    if (result.outcome === 'already-rolled-back') {
      await this.record(alert, { ...skipOf(decision), skip: 'already-rolled-back', reason: result.reason }, { outcome: 'already-rolled-back' });
      return;
    }
    if (result.outcome === 'no-previous-good-revision') {
      await this.record(alert, { ...skipOf(decision), skip: 'no-previous-good-revision', reason: result.reason }, {});
      return;
    }
    this.recentRollbacks.record(deployment, result.patchedAt);
    const extra: Partial<DecisionRecord> = {
      outcome: 'rolled-back',
      from: result.from,
      to: result.to,
      latencyMs: Math.max(0, result.patchedAt.getTime() - alert.receivedAt.getTime()),
    };
    if (!result.markedBad) logger.warn({ deployment: deploymentKey(deployment) }, 'rolled back, but could not mark the bad ReplicaSet');
    await this.record(alert, decision, extra, evaluation.policy.gitPath);
  }

  private async record(alert: Alert, decision: Decision, extra: Partial<DecisionRecord>, gitPath?: string): Promise<void> {
    const { logger, recorders, gitOpsWriter } = this.options;
    const record = buildRecord(alert, decision, this.options.clock.now(), extra);
    if (gitPath && gitOpsWriter && record.outcome === 'rolled-back') {
      try {
        const commit = await gitOpsWriter.writeBack(record, gitPath);
        if (commit) record.gitCommit = commit;
      } catch (error) {
        record.error = `GitOps write-back of ${gitPath} failed: ${(error as Error).message}`;
        logger.error({ err: error, gitPath, deployment: record.deployment }, 'GitOps write-back failed');
      }
    }
    logger.info(
      {
        id: record.id,
        alert: record.alert.name,
        fingerprint: record.alert.fingerprint,
        deployment: record.deployment ? deploymentKey(record.deployment) : undefined,
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

function skipOf(decision: Decision): { action: 'skip'; deployment?: DeploymentRef } {
  return decision.deployment ? { action: 'skip', deployment: decision.deployment } : { action: 'skip' };
}

function plannedRevisions(deployment: DeploymentState, evaluation: Evaluation): Pick<DecisionRecord, 'from' | 'to'> {
  const from: NonNullable<DecisionRecord['from']> = { images: templateImages(deployment.template) };
  if (evaluation.target?.from) {
    from.revision = evaluation.target.from.revision;
    from.replicaSet = evaluation.target.from.name;
  }
  const to = evaluation.target?.to;
  return to
    ? { from, to: { revision: to.revision, replicaSet: to.name, images: templateImages(to.template) } }
    : { from };
}

/** A stable id: the same alert occurrence and Deployment always get the same one (across replicas and restarts). */
export function decisionId(alert: Pick<Alert, 'fingerprint' | 'startsAt'>, deployment?: DeploymentRef): string {
  const text = `${alert.fingerprint}|${alert.startsAt.toISOString()}|${deployment ? deploymentKey(deployment) : ''}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function buildRecord(alert: Alert, decision: Decision, now: Date, extra: Partial<DecisionRecord>): DecisionRecord {
  const record: DecisionRecord = {
    id: decisionId(alert, decision.deployment),
    time: now.toISOString(),
    outcome: decision.action === 'skip' ? 'skipped' : 'rolled-back',
    reason: decision.reason,
    alert: {
      name: alertName(alert),
      fingerprint: alert.fingerprint,
      labels: alert.labels,
      startsAt: alert.startsAt.toISOString(),
      source: alert.source,
    },
    ...extra,
  };
  if (decision.action === 'skip') record.skip = decision.skip;
  if (decision.deployment) record.deployment = decision.deployment;
  return record;
}
