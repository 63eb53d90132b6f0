import type { GuardingAlert, Slo } from '../model.js';
import { contractLabels } from './alert-rules.js';

/** The alerts an SLO can fire, as the webhook stamps them into `metricops.io/rules`. */
export function sloGuardingAlerts(slo: Slo): GuardingAlert[] {
  return (['page', 'ticket'] as const)
    .filter((severity) => !slo.alerting[severity].disabled)
    .map((severity) => ({ alert: slo.alerting.name, severity, slo: slo.name, labels: contractLabels(slo, severity) }));
}
