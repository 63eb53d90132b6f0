/**
 * The decision: does this alert roll this Deployment back, and to what? Pure: everything it needs is passed in.
 * It returns one Plan: the Deployment's annotations parsed once, the alert matched once, the target chosen once;
 * the pipeline carries the plan out (act) and records it, nothing decides again.
 *
 * The checks run in a fixed order, one per row of docs/design.md's "Decision" table, and the first one that fails
 * names the skip. To change one rollback-policy rule, change its check here.
 */
import { AlertLabels, type SloSeverity } from '../../common/contract/alert-labels.js';
import { Annotations } from '../../common/contract/annotations.js';
import { namespacedName, deploymentOfLabels, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { formatDuration } from '../../common/duration.js';
import type { Alert, DeploymentPolicy, DeploymentState, ReplicaSetState, RollbackDecision, SkipDecision, SkipReason } from '../model.js';
import { alertName, alertSeverity, matchAlertToDeployment, type AlertMatch } from './alert-matching.js';
import { formatAnnotationProblem, parseDeploymentPolicy, type AnnotationProblem } from './policy.js';
import { selectRollbackTarget, type RollbackTarget } from './rollback-target.js';

export interface DecisionSettings {
  /** Severities (`slo_severity`) that may roll back; default ['page']. */
  severities: readonly SloSeverity[];
  /** After a rollback, no other rollback of the same Deployment for this long (milliseconds). */
  cooldownMs: number;
  /** Forces every rollback to a dry run. */
  dryRun: boolean;
  /** Act only on alerts whose `cluster` label is this (`--cluster`); every alert when absent. */
  cluster?: string;
}

export const DEFAULT_COOLDOWN_MS = 10 * 60_000;
export const DEFAULT_DECISION_SETTINGS: DecisionSettings = {
  severities: ['page'],
  cooldownMs: DEFAULT_COOLDOWN_MS,
  dryRun: false,
};

export interface DecisionInput {
  alert: Pick<Alert, 'status' | 'labels' | 'startsAt' | 'fingerprint'>;
  deployment: DeploymentState;
  replicaSets: readonly ReplicaSetState[];
  now: Date;
  settings: DecisionSettings;
  /** The pipeline's own memory of its last rollback of this Deployment (the annotation is also read). */
  lastRollbackAt?: Date;
}

interface PlanParts {
  policy: DeploymentPolicy;
  match: AlertMatch;
}

/** A skip: why not; the target when the decision got as far as choosing one. */
export interface SkipPlan extends PlanParts {
  decision: SkipDecision;
  target?: RollbackTarget;
}

/** A rollback (or a dry run of one): the target it goes to. */
export interface RollbackPlan extends PlanParts {
  decision: RollbackDecision;
  target: RollbackTarget & { to: ReplicaSetState };
}

export type Plan = SkipPlan | RollbackPlan;

export function isRollback(plan: Plan): plan is RollbackPlan {
  return plan.decision.action === 'rollback';
}

/**
 * An alert about another cluster than `settings.cluster`: the reason, or undefined when it is this cluster's (or no
 * --cluster is set). An alert without the label is not this cluster's either: nothing says it is.
 */
export function otherCluster(alert: Pick<Alert, 'labels'>, settings: Pick<DecisionSettings, 'cluster'>): string | undefined {
  if (settings.cluster === undefined) return undefined;
  const cluster = alert.labels[AlertLabels.cluster];
  if (cluster === settings.cluster) return undefined;
  const has = cluster === undefined ? `has no ${AlertLabels.cluster} label` : `is about ${AlertLabels.cluster} ${cluster}`;
  return `alert ${describe(alert)} ${has}; this pipeline acts only on ${AlertLabels.cluster}=${settings.cluster} (--cluster)`;
}

/** The decision for an alert whose labels and `metricops.io/rules` point at no Deployment in the cache. */
export function decideUnmatched(alert: Pick<Alert, 'status' | 'labels'>, settings: Pick<DecisionSettings, 'cluster'> = {}): SkipDecision {
  if (alert.status === 'resolved') return skip(undefined, 'alert-resolved', `alert ${describe(alert)} is resolved`);
  const elsewhere = otherCluster(alert, settings);
  if (elsewhere) return skip(undefined, 'other-cluster', elsewhere);
  const deployment = deploymentOfLabels(alert.labels);
  const why = deployment
    ? `no Deployment ${namespacedName(deployment)} (from the alert's namespace and deployment labels) is known to the cache`
    : `the alert has no namespace and deployment labels, and no Deployment lists ${describe(alert)} in ${Annotations.rules}`;
  return skip(deployment, 'no-matching-deployment', why);
}

export function decide(input: DecisionInput): Plan {
  const { alert, deployment, now, settings } = input;
  const ref: DeploymentRef = { namespace: deployment.namespace, name: deployment.name };
  const key = namespacedName(ref);
  const { policy, problems } = parseDeploymentPolicy(deployment.annotations);
  const match = matchAlertToDeployment(alert, ref, policy);
  const done = (decision: SkipDecision, target?: RollbackTarget): SkipPlan =>
    target ? { decision, policy, match, target } : { decision, policy, match };
  const name = describe(alert);

  if (alert.status === 'resolved') return done(skip(ref, 'alert-resolved', `alert ${name} is resolved`));
  const elsewhere = otherCluster(alert, settings);
  if (elsewhere) return done(skip(ref, 'other-cluster', elsewhere));
  if (!match.matched) {
    return done(skip(ref, 'no-matching-deployment', `alert ${name} does not guard Deployment ${key}`));
  }

  const severity = alertSeverity(alert, match);
  if (severity === undefined || !(settings.severities as readonly string[]).includes(severity)) {
    const has = severity === undefined ? 'has no slo_severity label' : `has severity ${severity}`;
    return done(skip(ref, 'severity-not-selected', `alert ${name} ${has}; rollbacks are on for ${settings.severities.join(', ')}`));
  }

  const invalid = invalidAnnotationReason(problems);
  if (invalid) return done(skip(ref, 'invalid-annotation', invalid));

  if (policy.rollback === 'disabled') {
    return done(skip(ref, 'rollback-disabled', `${Annotations.rollback} is disabled on Deployment ${key}`));
  }

  if (!policy.deployedAt) {
    return done(
      skip(ref, 'no-rollout-stamp', `Deployment ${key} has no ${Annotations.deployedAt} annotation: the webhook did not stamp its rollout, so no alert can be tied to it`),
    );
  }
  const startsAt = alert.startsAt.getTime();
  const deployedAt = policy.deployedAt.getTime();
  if (startsAt < deployedAt) {
    return done(
      skip(ref, 'started-before-rollout', `alert ${name} started at ${alert.startsAt.toISOString()}, before the rollout at ${policy.deployedAt.toISOString()}`),
    );
  }
  const lastRollback = latest(policy.lastRollbackAt, input.lastRollbackAt);
  if (lastRollback && startsAt < lastRollback.getTime()) {
    return done(
      skip(ref, 'started-before-rollout', `alert ${name} started at ${alert.startsAt.toISOString()}, before the last rollback of Deployment ${key} at ${lastRollback.toISOString()}: it is about the revision rolled back from`),
    );
  }
  if (startsAt > deployedAt + policy.watchWindow) {
    return done(
      skip(ref, 'outside-watch-window', `alert ${name} started at ${alert.startsAt.toISOString()}, more than ${formatDuration(policy.watchWindow)} (${Annotations.watchWindow}) after the rollout at ${policy.deployedAt.toISOString()}`),
    );
  }

  if (deployment.paused) {
    return done(skip(ref, 'deployment-paused', `Deployment ${key} is paused: resume it to allow rollbacks`));
  }

  if (lastRollback && now.getTime() - lastRollback.getTime() < settings.cooldownMs) {
    return done(
      skip(ref, 'cooldown', `Deployment ${key} was rolled back at ${lastRollback.toISOString()}, less than ${formatDuration(settings.cooldownMs)} (the cooldown) ago`),
    );
  }

  const target = selectRollbackTarget(deployment, input.replicaSets);
  if (!target.to) {
    return done(
      skip(ref, 'no-previous-good-revision', `Deployment ${key} has no older revision with a different pod template that is not marked ${Annotations.badRevision}`),
      target,
    );
  }

  const dryRun = settings.dryRun || policy.rollback === 'dry-run';
  const mode = settings.dryRun ? ' (dry run: --dry-run)' : policy.rollback === 'dry-run' ? ` (dry run: ${Annotations.rollback})` : '';
  const reason = `alert ${name} (severity ${severity}) started ${formatAge(startsAt - deployedAt)} after the rollout at ${policy.deployedAt.toISOString()}: roll back to revision ${target.to.revision} (${target.to.name})${mode}`;
  return { decision: { action: 'rollback', deployment: ref, dryRun, reason }, policy, match, target: { ...target, to: target.to } };
}

function invalidAnnotationReason(problems: AnnotationProblem[]): string | undefined {
  if (problems.length === 0) return undefined;
  return `not rolling back while an annotation is invalid: ${problems.map(formatAnnotationProblem).join('; ')}`;
}

function skip(deployment: DeploymentRef | undefined, reason: SkipReason, text: string): SkipDecision {
  return deployment ? { action: 'skip', deployment, skip: reason, reason: text } : { action: 'skip', skip: reason, reason: text };
}

function describe(alert: Pick<Alert, 'labels'>): string {
  return alertName(alert) || '(no alertname)';
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

function formatAge(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  return seconds <= 0 ? '0s' : formatDuration(seconds * 1000);
}
