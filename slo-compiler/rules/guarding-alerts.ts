import { AlertLabels, type SloSeverity } from '../../common/contract/alert-labels.js';
import type { GuardingAlert, Slo } from '../model.js';
import { contractLabels } from './alert-rules.js';
import { isAlertingRule, type RuleGroup } from './rule.js';

/**
 * The alerts an SLO's rules can fire that guard a Deployment, as the webhook stamps them into `metricops.io/rules`:
 * every alert rule of its groups with the `slo` label (page, ticket, no traffic), read from the rules themselves so
 * a plugin chain that drops or adds alerts is reflected. Plugin alerts without `slo` (e.g. ErrorBudgetExhausted)
 * only inform.
 */
export function sloGuardingAlerts(slo: Slo, groups: readonly RuleGroup[]): GuardingAlert[] {
  return groups.flatMap((group) =>
    group.rules.filter(isAlertingRule).flatMap((rule) => {
      if (rule.labels[AlertLabels.slo] !== slo.name) return [];
      const severity = (rule.labels[AlertLabels.severity] ?? 'page') as SloSeverity;
      return [{ alert: rule.alert, severity, slo: slo.name, labels: contractLabels(slo, severity) }];
    }),
  );
}
