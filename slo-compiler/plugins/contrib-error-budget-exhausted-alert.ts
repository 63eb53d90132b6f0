import { annotationMap, duration, number, object, optional, string, type Infer } from '../inputs/schema.js';
import { formatNumber } from '../rules/number.js';
import { formatPromDuration } from '../rules/prom-duration.js';
import { labelFilter, mergeLabels, sloIdLabels } from '../rules/slo-labels.js';
import { pluginLabels } from './config-schemas.js';
import type { SloPlugin } from './plugin.js';

const notAGuard = 'this alert only informs (it does not guard a Deployment): leave the label out';
const config = optional(
  object({
    threshold: optional(number),
    for: optional(duration),
    annotations: optional(annotationMap),
    alert_name: optional(string),
    selector_labels: optional(pluginLabels(notAGuard)),
    alert_labels: optional(pluginLabels(notAGuard)),
  }),
);

/**
 * `sloth.dev/contrib/error_budget_exhausted_alert/v1`: one more alert in the SLO's alert group when the period's
 * error budget remaining is at or below `threshold` (default 0) for `for` (default 5m), named `alert_name` (default
 * ErrorBudgetExhausted), labelled only with `alert_labels`. It carries no `slo`/`slo_severity`, so it informs and
 * never rolls a Deployment back. Runs after the metadata rules.
 */
export const contribErrorBudgetExhaustedAlert: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/contrib/error_budget_exhausted_alert/v1',
  config,
  process({ slo }, rules, settings) {
    const selector = labelFilter(mergeLabels(sloIdLabels(slo), slo.labels, settings?.selector_labels));
    const alert = {
      alert: settings?.alert_name || 'ErrorBudgetExhausted',
      expr: `slo:period_error_budget_remaining:ratio${selector} <= ${formatNumber(settings?.threshold ?? 0)}`,
      for: formatPromDuration(settings?.for ?? 5 * 60_000),
      labels: mergeLabels(settings?.alert_labels),
      annotations: mergeLabels(settings?.annotations),
    };
    return { ...rules, alerts: { ...rules.alerts, rules: [...rules.alerts.rules, alert] } };
  },
};
