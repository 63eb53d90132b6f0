/**
 * Which Deployment an alert guards: by its `namespace` + `deployment` labels, or by an entry of the Deployment's
 * `metricops.io/rules` annotation (same alertname, and every label of the entry equal on the alert). Pure.
 */
import { AlertLabels } from '../../common/contract/alert-labels.js';
import type { Alert, DeploymentPolicy, DeploymentState } from '../model.js';

export const ALERTNAME_LABEL = 'alertname';

export type RuleEntry = DeploymentPolicy['rules'][number];

export type AlertMatch =
  | { matched: false }
  | { matched: true; via: 'labels' | 'rules'; rule?: RuleEntry };

export function alertName(alert: Pick<Alert, 'labels'>): string {
  return alert.labels[ALERTNAME_LABEL] ?? '';
}

/** The namespace/name an alert's labels point at, when it carries both labels. */
export function labelledDeployment(alert: Pick<Alert, 'labels'>): { namespace: string; name: string } | undefined {
  const namespace = alert.labels[AlertLabels.namespace];
  const name = alert.labels[AlertLabels.deployment];
  return namespace && name ? { namespace, name } : undefined;
}

export function ruleMatchesAlert(rule: RuleEntry, alert: Pick<Alert, 'labels'>): boolean {
  return (
    rule.alert === alertName(alert) &&
    Object.entries(rule.labels).every(([label, value]) => alert.labels[label] === value)
  );
}

export function matchAlertToDeployment(
  alert: Pick<Alert, 'labels'>,
  deployment: Pick<DeploymentState, 'namespace' | 'name'>,
  policy: Pick<DeploymentPolicy, 'rules'>,
): AlertMatch {
  const rule = policy.rules.find((entry) => ruleMatchesAlert(entry, alert));
  const target = labelledDeployment(alert);
  if (target && target.namespace === deployment.namespace && target.name === deployment.name) {
    return rule ? { matched: true, via: 'labels', rule } : { matched: true, via: 'labels' };
  }
  return rule ? { matched: true, via: 'rules', rule } : { matched: false };
}

/** The alert's severity: its `slo_severity` label, else the severity of the matching rules entry. */
export function alertSeverity(alert: Pick<Alert, 'labels'>, match: AlertMatch): string | undefined {
  return alert.labels[AlertLabels.severity] ?? (match.matched ? match.rule?.severity : undefined);
}
