/**
 * Which alerts guard a Deployment: those of the SLOs named in `metricops.io/slo` and the alert of its inline rule
 * (`metricops.io/rule`), looked up in the rules index. Pure.
 */
import { AlertLabels } from '../common/contract/alert-labels.js';
import { Annotations } from '../common/contract/annotations.js';
import { namespacedName } from '../common/contract/deployment-ref.js';
import type { GuardingAlert } from '../common/contract/guarding-alert.js';
import { inlineGuardingAlert } from '../common/contract/inline-rule-alert.js';
import { describeRulesIndex, type RulesIndex } from './rules-index.js';

export interface GuardingAlertsResult {
  alerts: GuardingAlert[];
  /** SLO names from `metricops.io/slo` that have no alerts in the index. */
  missingSlos: string[];
  warnings: string[];
}

export function sloNames(annotation: string | undefined): string[] {
  if (annotation === undefined) return [];
  const names = annotation.split(',').map((name) => name.trim()).filter((name) => name !== '');
  return [...new Set(names)];
}

export function resolveGuardingAlerts(
  annotations: Readonly<Record<string, string>>,
  namespace: string,
  deployment: string,
  index: RulesIndex,
): GuardingAlertsResult {
  const alerts: GuardingAlert[] = [];
  const missingSlos: string[] = [];
  for (const slo of sloNames(annotations[Annotations.slo])) {
    const found = index.bySlo.get(slo);
    if (found && found.length > 0) alerts.push(...found);
    else missingSlos.push(slo);
  }
  const inlineRule = annotations[Annotations.rule];
  if (inlineRule !== undefined && inlineRule.trim() !== '') {
    const compiled = index.inline.get(namespacedName({ namespace, name: deployment }));
    alerts.push(...(compiled ?? [inlineGuardingAlert({ namespace, deployment })]));
  }
  const warnings = missingSlos.map(
    (slo) =>
      `metricops: ${Annotations.slo} names SLO "${slo}", but the rules loaded from ${describeRulesIndex(index)} have no alerts ` +
      `with label ${AlertLabels.slo}="${slo}"; stamped the other guards. Check the name or compile and sync its rules.`,
  );
  return { alerts: dedupe(alerts), missingSlos, warnings };
}

function dedupe(alerts: GuardingAlert[]): GuardingAlert[] {
  const seen = new Set<string>();
  return alerts.filter((alert) => {
    const key = JSON.stringify([alert.alert, alert.slo ?? '', Object.entries(alert.labels).sort()]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
