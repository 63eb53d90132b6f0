import type { GuardingAlert, InlineRule, Slo } from '../model.js';
import { contractLabels } from './alert-rules.js';
import { INLINE_RULE_ALERT, inlineRuleLabels } from './inline-rules.js';

/** The alerts an SLO can fire, as the webhook stamps them into `metricops.io/rules`. */
export function sloGuardingAlerts(slo: Slo): GuardingAlert[] {
  return (['page', 'ticket'] as const)
    .filter((severity) => !slo.alerting[severity].disabled)
    .map((severity) => ({ alert: slo.alerting.name, severity, slo: slo.name, labels: contractLabels(slo, severity) }));
}

export function inlineGuardingAlert(rule: InlineRule): GuardingAlert {
  return { alert: INLINE_RULE_ALERT, severity: 'page', labels: inlineRuleLabels(rule) };
}
