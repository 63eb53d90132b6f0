/**
 * The decision: does this alert roll this Deployment back? Pure: everything it needs is passed in.
 * The checks run in a fixed order and the first one that fails names the skip; docs/design.md ("Decision") lists it.
 */
import { type SloSeverity } from '../../common/contract/alert-labels.js';
import { Annotations } from '../../common/contract/annotations.js';
import { formatDuration } from '../../common/duration.js';
import type { Alert, Decision, DeploymentPolicy, DeploymentState, ReplicaSetState, SkipReason } from '../model.js';
import { alertName, alertSeverity, matchAlertToDeployment, type AlertMatch } from './alert-matching.js';
import { formatAnnotationProblem, lastRollbackTime, parseDeploymentPolicy, type AnnotationProblem } from './policy.js';
import { selectRollbackTarget, type RollbackTarget } from './rollback-target.js';

export interface DecisionSettings {
  /** Severities (`slo_severity`) that may roll back; default ['page']. */
  severities: readonly SloSeverity[];
  /** After a rollback, no other rollback of the same Deployment for this long (milliseconds). */
  cooldownMs: number;
  /** Forces every rollback to a dry run. */
  dryRun: boolean;
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

export interface Evaluation {
  decision: Decision;
  policy: DeploymentPolicy;
  match: AlertMatch;
  /** Set when the decision got as far as choosing a target (always for a rollback). */
  target?: RollbackTarget;
}

/** The decision for an alert whose labels and `metricops.io/rules` point at no Deployment in the cache. */
export function decideUnmatched(alert: Pick<Alert, 'status' | 'labels'>): Decision {
  if (alert.status === 'resolved') return skip(undefined, 'alert-resolved', `alert ${describe(alert)} is resolved`);
  const namespace = alert.labels.namespace;
  const name = alert.labels.deployment;
  const deployment = namespace && name ? { namespace, name } : undefined;
  const why = deployment
    ? `no Deployment ${namespace}/${name} (from the alert's namespace and deployment labels) is known to the cache`
    : `the alert has no namespace and deployment labels, and no Deployment lists ${describe(alert)} in ${Annotations.rules}`;
  return skip(deployment, 'no-matching-deployment', why);
}

export function decide(input: DecisionInput): Evaluation {
  const { alert, deployment, now, settings } = input;
  const ref = { namespace: deployment.namespace, name: deployment.name };
  const { policy, problems } = parseDeploymentPolicy(deployment.annotations);
  const match = matchAlertToDeployment(alert, deployment, policy);
  const done = (decision: Decision, target?: RollbackTarget): Evaluation =>
    target ? { decision, policy, match, target } : { decision, policy, match };
  const name = describe(alert);

  if (alert.status === 'resolved') return done(skip(ref, 'alert-resolved', `alert ${name} is resolved`));
  if (!match.matched) {
    return done(skip(ref, 'no-matching-deployment', `alert ${name} does not guard Deployment ${ref.namespace}/${ref.name}`));
  }

  const severity = alertSeverity(alert, match);
  if (severity === undefined || !(settings.severities as readonly string[]).includes(severity)) {
    const has = severity === undefined ? 'has no slo_severity label' : `has severity ${severity}`;
    return done(skip(ref, 'severity-not-selected', `alert ${name} ${has}; rollbacks are on for ${settings.severities.join(', ')}`));
  }

  const invalid = invalidAnnotationReason(problems);
  if (invalid) return done(skip(ref, 'invalid-annotation', invalid));

  if (policy.rollback === 'disabled') {
    return done(skip(ref, 'rollback-disabled', `${Annotations.rollback} is disabled on Deployment ${ref.namespace}/${ref.name}`));
  }

  if (!policy.deployedAt) {
    return done(
      skip(ref, 'no-rollout-stamp', `Deployment ${ref.namespace}/${ref.name} has no ${Annotations.deployedAt} annotation: the webhook did not stamp its rollout, so no alert can be tied to it`),
    );
  }
  const startsAt = alert.startsAt.getTime();
  const deployedAt = policy.deployedAt.getTime();
  if (startsAt < deployedAt) {
    return done(
      skip(ref, 'started-before-rollout', `alert ${name} started at ${alert.startsAt.toISOString()}, before the rollout at ${policy.deployedAt.toISOString()}`),
    );
  }
  const lastRollback = latest(lastRollbackTime(deployment.annotations), input.lastRollbackAt);
  if (lastRollback && startsAt < lastRollback.getTime()) {
    return done(
      skip(ref, 'started-before-rollout', `alert ${name} started at ${alert.startsAt.toISOString()}, before the last rollback of Deployment ${ref.namespace}/${ref.name} at ${lastRollback.toISOString()}: it is about the revision rolled back from`),
    );
  }
  if (startsAt > deployedAt + policy.watchWindow) {
    return done(
      skip(ref, 'outside-watch-window', `alert ${name} started at ${alert.startsAt.toISOString()}, more than ${formatDuration(policy.watchWindow)} (${Annotations.watchWindow}) after the rollout at ${policy.deployedAt.toISOString()}`),
    );
  }

  if (deployment.paused) {
    return done(skip(ref, 'deployment-paused', `Deployment ${ref.namespace}/${ref.name} is paused: resume it to allow rollbacks`));
  }

  if (lastRollback && now.getTime() - lastRollback.getTime() < settings.cooldownMs) {
    return done(
      skip(ref, 'cooldown', `Deployment ${ref.namespace}/${ref.name} was rolled back at ${lastRollback.toISOString()}, less than ${formatDuration(settings.cooldownMs)} (the cooldown) ago`),
    );
  }

  const target = selectRollbackTarget(deployment, input.replicaSets);
  if (!target.to) {
    return done(
      skip(ref, 'no-previous-good-revision', `Deployment ${ref.namespace}/${ref.name} has no older revision with a different pod template that is not marked ${Annotations.badRevision}`),
      target,
    );
  }

  const dryRun = settings.dryRun || policy.rollback === 'dry-run';
  const mode = settings.dryRun ? ' (dry run: --dry-run)' : policy.rollback === 'dry-run' ? ` (dry run: ${Annotations.rollback})` : '';
  const reason = `alert ${name} (severity ${severity}) started ${formatAge(startsAt - deployedAt)} after the rollout at ${policy.deployedAt.toISOString()}: roll back to revision ${target.to.revision} (${target.to.name})${mode}`;
  return done({ action: 'rollback', deployment: ref, dryRun, reason }, target);
}

function invalidAnnotationReason(problems: AnnotationProblem[]): string | undefined {
  if (problems.length === 0) return undefined;
  return `not rolling back while an annotation is invalid: ${problems.map(formatAnnotationProblem).join('; ')}`;
}

function skip(deployment: { namespace: string; name: string } | undefined, reason: SkipReason, text: string): Decision {
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
