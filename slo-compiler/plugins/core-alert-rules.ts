import { sloAlertRules } from '../rules/alert-rules.js';
import { noTrafficAlertRule } from '../rules/no-traffic-alert.js';
import { noConfig } from './config-schemas.js';
import type { SloPlugin } from './plugin.js';

/**
 * `sloth.dev/core/alert_rules/v1`: the page and ticket multiwindow multi-burn-rate alerts, with metricops' contract
 * labels, the minimum-events guard and the no-traffic alert when the SLO sets `minEvents`.
 */
export const coreAlertRules: SloPlugin<undefined> = {
  id: 'sloth.dev/core/alert_rules/v1',
  config: noConfig,
  process({ slo, windows, longWindows }, rules) {
    const noTraffic = noTrafficAlertRule(slo, windows);
    return { ...rules, alerts: { ...rules.alerts, rules: [...sloAlertRules(slo, windows, longWindows), ...(noTraffic ? [noTraffic] : [])] } };
  },
};
