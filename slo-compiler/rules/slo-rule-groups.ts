import type { Slo } from '../model.js';
import { sloAlertRules } from './alert-rules.js';
import { burnRateWindows } from './burn-rate.js';
import { metadataRecordingRules, type GeneratorInfo } from './metadata-rules.js';
import { parseDuration } from '../../common/duration.js';
import { formatPromDuration } from './prom-duration.js';
import type { RuleGroup } from './rule.js';
import { HOUR_MS, hourlyRecordingRules, sliRecordingRules, type LongWindowMode } from './sli-rules.js';

export interface SloRulesOptions {
  longWindows: LongWindowMode;
  info: GeneratorInfo;
}

/**
 * The pipeline for one SLO, in Sloth's group layout and names: SLI recordings, metadata recordings, alerts.
 * `counts` mode adds a group evaluated once an hour (`metricops-slo-sli-hourly-<sloth_id>`) before them: it
 * reads only raw series, and listing it first is the order promtool tests evaluate groups in (the period then
 * includes the hour that just ended, as it does in Prometheus shortly after).
 * The alert group is left out when both alerts are disabled (Sloth does the same).
 */
export function sloRuleGroups(slo: Slo, options: SloRulesOptions): RuleGroup[] {
  const periodMs = parseDuration(slo.window);
  const windows = burnRateWindows(periodMs);
  const groups: RuleGroup[] = [];
  const hourly = hourlyRecordingRules(slo, periodMs, windows, options.longWindows);
  if (hourly.length > 0) groups.push({ name: `metricops-slo-sli-hourly-${slo.slothId}`, interval: formatPromDuration(HOUR_MS), rules: hourly });
  groups.push({ name: `sloth-slo-sli-recordings-${slo.slothId}`, rules: sliRecordingRules(slo, periodMs, windows, options.longWindows) });
  groups.push({ name: `sloth-slo-meta-recordings-${slo.slothId}`, rules: metadataRecordingRules(slo, periodMs, windows, options.info) });
  const alerts = sloAlertRules(slo, windows);
  if (alerts.length > 0) groups.push({ name: `sloth-slo-alerts-${slo.slothId}`, rules: alerts });
  return groups;
}
