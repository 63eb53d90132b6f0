/**
 * Which Deployment an alert guards: by its `namespace` + `deployment` labels, or by an entry of the Deployment's
 * `metricops.io/rules` annotation (same alertname, and every label of the entry equal on the alert). Pure.
 */
import { AlertLabels } from '../../common/contract/alert-labels.js';
import { deploymentOfLabels, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import type { GuardingAlertEntry } from '../../common/contract/guarding-alert.js';
import type { Alert, DeploymentPolicy } from '../model.js';

/** Prometheus' alert name label: what a `metricops.io/rules` entry's `alert` names. */
export const ALERTNAME_LABEL = 'alertname';

export type RuleEntry = GuardingAlertEntry;

export type AlertMatch =
  | { matched: false }
  | { matched: true; via: 'labels' | 'rules'; rule?: RuleEntry };

export function alertName(alert: Pick<Alert, 'labels'>): string {
  return alert.labels[ALERTNAME_LABEL] ?? '';
}

export function ruleMatchesAlert(rule: RuleEntry, alert: Pick<Alert, 'labels'>): boolean {
  return (
    rule.alert === alertName(alert) &&
    Object.entries(rule.labels).every(([label, value]) => alert.labels[label] === value)
  );
}

export function matchAlertToDeployment(
  alert: Pick<Alert, 'labels'>,
  deployment: DeploymentRef,
  policy: Pick<DeploymentPolicy, 'rules'>,
): AlertMatch {
  const rule = policy.rules.find((entry) => ruleMatchesAlert(entry, alert));
  const target = deploymentOfLabels(alert.labels);
  if (target && target.namespace === deployment.namespace && target.name === deployment.name) {
    return rule ? { matched: true, via: 'labels', rule } : { matched: true, via: 'labels' };
  }
  return rule ? { matched: true, via: 'rules', rule } : { matched: false };
}

/** The alert's severity: its `slo_severity` label, else the severity of the matching rules entry. */
export function alertSeverity(alert: Pick<Alert, 'labels'>, match: AlertMatch): string | undefined {
  return alert.labels[AlertLabels.severity] ?? (match.matched ? match.rule?.severity : undefined);
}
