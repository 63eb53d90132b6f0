/**
 * Which alerts guard a Deployment: those of the SLOs named in `metricops.io/slo` and the alert of its inline rule
 * (`metricops.io/rule`), looked up in the rules index. Pure.
 */
import { AlertLabels, Annotations } from '../common/contract.js';
import type { GuardingAlert } from '../slo-compiler/model.js';
import { inlineGuardingAlert } from '../slo-compiler/rules/guarding-alerts.js';
import { describeRulesIndex, inlineKey, type RulesIndex } from './rules-index.js';

export { INLINE_RULE_ALERT } from '../slo-compiler/rules/inline-rules.js';

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
    const compiled = index.inline.get(inlineKey(namespace, deployment));
    const location = { source: `Deployment ${namespace}/${deployment}`, path: `metadata.annotations["${Annotations.rule}"]` };
    alerts.push(...(compiled ?? [inlineGuardingAlert({ namespace, deployment, expr: inlineRule, for: annotations[Annotations.ruleFor] ?? '1m', location })]));
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
