import { parseDuration } from '../../common/duration.js';
import type { Slo } from '../model.js';
import { chainRewritesSli, DEFAULT_CHAIN, runChain } from '../plugins/chain.js';
import type { SloRules } from '../plugins/plugin.js';
import { burnRateWindows } from './burn-rate.js';
import type { GeneratorInfo } from './metadata-rules.js';
import { formatPromDuration } from './prom-duration.js';
import type { RuleGroup } from './rule.js';
import { HOUR_MS, type LongWindowMode } from './sli-rules.js';

export interface SloRulesOptions {
  longWindows: LongWindowMode;
  info: GeneratorInfo;
}

/** Group name prefixes, Sloth's (its dashboards select by them) and the hourly group's. */
export const GROUP_PREFIXES = {
  hourly: 'metricops-slo-sli-hourly-',
  sli: 'sloth-slo-sli-recordings-',
  metadata: 'sloth-slo-meta-recordings-',
  alerts: 'sloth-slo-alerts-',
  extra: 'sloth-slo-extra-rules-',
} as const;

/**
 * The pipeline for one SLO: its plugin chain (Sloth's default chain unless the spec declares one: validate, SLI
 * recordings, metadata recordings, alerts) run step by step over Sloth's result shape, then the groups in Sloth's
 * layout and names. `counts` mode adds a group evaluated once an hour (`metricops-slo-sli-hourly-<sloth_id>`) before
 * them: it reads only recorded series, and listing it first is the order promtool tests evaluate groups in (the
 * period then includes the hour that just ended, as it does in Prometheus shortly after). Empty groups are left out
 * (Sloth does the same: no alert group when both alerts are disabled).
 */
export function sloRuleGroups(slo: Slo, options: SloRulesOptions): RuleGroup[] {
  const periodMs = parseDuration(slo.window);
  const windows = burnRateWindows(periodMs, slo.alertWindows);
  const steps = slo.plugins ?? DEFAULT_CHAIN;
  const longWindows = chainRewritesSli(steps) ? 'sloth' : options.longWindows;
  const id = slo.slothId;
  const empty: SloRules = {
    hourly: { name: `${GROUP_PREFIXES.hourly}${id}`, interval: formatPromDuration(HOUR_MS), rules: [] },
    sli: { name: `${GROUP_PREFIXES.sli}${id}`, rules: [] },
    metadata: { name: `${GROUP_PREFIXES.metadata}${id}`, rules: [] },
    alerts: { name: `${GROUP_PREFIXES.alerts}${id}`, rules: [] },
    extra: [],
  };
  const rules = runChain(steps, { slo, periodMs, windows, longWindows, info: options.info }, empty);
  const extra = rules.extra.map((group, index) => ({ ...group, name: group.name || `${GROUP_PREFIXES.extra}${String(index).padStart(3, '0')}-${id}` }));
  return [rules.hourly, rules.sli, rules.metadata, rules.alerts, ...extra].filter((group) => group.rules.length > 0);
}
