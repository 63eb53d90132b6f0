/**
 * One guarded Deployment as the overview, its own page and `metricops status` show it: its stamps, its guards and
 * their state in Prometheus, its SLOs' budgets, its last rollback, and one status word. Pure.
 */
import { Annotations } from '../../common/contract/annotations.js';
import { parseRolledBackFrom } from '../../common/contract/rolled-back-from.js';
import { formatAnnotationProblem, parseDeploymentPolicy } from '../core/policy.js';
import { ruleMatchesAlert } from '../core/alert-matching.js';
import type { DeploymentSummary } from '../ports.js';
import type { ActiveAlert } from './prometheus-client.js';
import type { DeploymentStatus, GuardState, GuardView, LastRollback, OverviewRow, PrometheusStatus, SloNow } from './view-model.js';

/** What Prometheus said, for the rows of one page: per SLO its numbers, and the active alerts. */
export interface SloReadings {
  prometheus: PrometheusStatus;
  slos: ReadonlyMap<string, SloNow>;
  /** Every pending or firing alert; undefined when Prometheus did not answer. */
  alerts?: readonly ActiveAlert[];
}

/** A Deployment is guarded when a user named its SLOs or inline rule, or the webhook stamped its guarding alerts. */
export function isGuarded(deployment: Pick<DeploymentSummary, 'annotations'>): boolean {
  const { annotations } = deployment;
  return annotations[Annotations.slo] !== undefined || annotations[Annotations.rule] !== undefined || annotations[Annotations.rules] !== undefined;
}

/** The SLOs that guard it: those of its stamped guarding alerts, then those named in `metricops.io/slo` (not stamped yet). */
export function sloIdsOf(deployment: Pick<DeploymentSummary, 'annotations'>): string[] {
  const { policy } = parseDeploymentPolicy(deployment.annotations);
  const named = (deployment.annotations[Annotations.slo] ?? '').split(',').map((name) => name.trim());
  return [...new Set([...policy.rules.map((rule) => rule.slo ?? ''), ...named])].filter((id) => id !== '');
}

export function buildRow(deployment: DeploymentSummary, readings: SloReadings): OverviewRow {
  const { policy, problems } = parseDeploymentPolicy(deployment.annotations);
  const rollback = lastRollbackOf(deployment.annotations);
  const guards: GuardView[] = policy.rules.map((rule) => ({
    alert: rule.alert,
    severity: rule.severity,
    ...(rule.slo !== undefined ? { slo: rule.slo } : {}),
    state: guardState(readings.alerts, (alert) => ruleMatchesAlert(rule, alert)),
  }));
  const slos = sloIdsOf(deployment).map((id) => readings.slos.get(id) ?? { id });
  const row: OverviewRow = {
    namespace: deployment.namespace,
    name: deployment.name,
    status: 'unknown',
    statusReason: '',
    images: policy.images,
    slos,
    guards,
    problems: [...problems.map(formatAnnotationProblem), ...(rollback.problem ? [rollback.problem] : [])],
  };
  if (policy.deployedAt) row.deployedAt = policy.deployedAt.toISOString();
  if (rollback.value) row.lastRollback = rollback.value;
  const { status, reason } = statusOf({ paused: deployment.paused, images: policy.images, imagesStamped: deployment.annotations[Annotations.images] !== undefined, rollback: rollback.value, guards, slos, prometheus: readings.prometheus });
  row.status = status;
  row.statusReason = reason;
  return row;
}

function guardState(alerts: readonly ActiveAlert[] | undefined, matches: (alert: { labels: Record<string, string> }) => boolean): GuardState {
  if (alerts === undefined) return 'unknown';
  const states = alerts.filter(matches).map((alert) => alert.state);
  return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : 'inactive';
}

export function lastRollbackOf(annotations: Readonly<Record<string, string>>): { value?: LastRollback; problem?: string } {
  const text = annotations[Annotations.rolledBackFrom];
  if (text === undefined) return {};
  const parsed = parseRolledBackFrom(text);
  if (!parsed.ok) return { problem: `annotation ${Annotations.rolledBackFrom}: ${parsed.problem}` };
  const { time, reason, alert, from, to } = parsed.value;
  return { value: { time, reason, alert: alert.name, from, to } };
}

function sameImages(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

const BURNING_ABOVE = 1;

/**
 * The status word, first match wins: paused (metricops does not roll it back); rolled back (it still runs the
 * revision metricops rolled back to); burning (a guarding alert fires, or an SLO spends its budget faster than the
 * SLO allows: current burn rate above 1); healthy (Prometheus answered, nothing burns); unknown (no SLO data).
 */
export function statusOf(input: {
  paused: boolean;
  images: Record<string, string>;
  imagesStamped: boolean;
  rollback?: LastRollback | undefined;
  guards: GuardView[];
  slos: SloNow[];
  prometheus: PrometheusStatus;
}): { status: DeploymentStatus; reason: string } {
  if (input.paused) return { status: 'paused', reason: 'spec.paused is true: rollouts wait and metricops does not roll it back' };
  const { rollback } = input;
  if (rollback && (!input.imagesStamped || sameImages(input.images, rollback.to.images))) {
    const revisions = `${rollback.from.revision !== undefined ? `revision ${rollback.from.revision}` : 'the bad revision'} to revision ${rollback.to.revision}`;
    return { status: 'rolled-back', reason: `rolled back at ${rollback.time} from ${revisions} after alert ${rollback.alert}` };
  }
  const firing = input.guards.filter((guard) => guard.state === 'firing');
  if (firing.length > 0) return { status: 'burning', reason: `alert firing: ${[...new Set(firing.map((guard) => `${guard.alert} (${guard.severity})`))].join(', ')}` };
  const burning = input.slos.filter((slo) => (slo.currentBurnRate?.value ?? 0) > BURNING_ABOVE);
  if (burning.length > 0) {
    return { status: 'burning', reason: `burning error budget faster than the SLO allows: ${burning.map((slo) => `${slo.id} at ${slo.currentBurnRate!.text}x`).join(', ')}` };
  }
  if (input.prometheus.state === 'off') return { status: 'unknown', reason: 'no Prometheus configured (--prometheus-url): SLO numbers unknown' };
  if (input.prometheus.state === 'failed') return { status: 'unknown', reason: `Prometheus did not answer: ${input.prometheus.message}` };
  const withData = input.slos.filter((slo) => slo.currentBurnRate !== undefined || slo.budgetRemaining !== undefined);
  if (input.slos.length > 0 && withData.length === 0) return { status: 'unknown', reason: `Prometheus has no data for ${input.slos.map((slo) => slo.id).join(', ')}` };
  return { status: 'healthy', reason: 'no guarding alert firing, no SLO burning faster than its budget allows' };
}
