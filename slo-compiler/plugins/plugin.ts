import type { Schema } from '../inputs/schema.js';
import type { Slo } from '../model.js';
import type { BurnRateWindows } from '../rules/burn-rate.js';
import type { GeneratorInfo } from '../rules/metadata-rules.js';
import type { RuleGroup } from '../rules/rule.js';
import type { LongWindowMode } from '../rules/sli-rules.js';

/**
 * One SLO's rules as the plugin chain builds them, in Sloth's result shape (SLI recordings, metadata recordings,
 * alerts, extra groups) plus metricops' hourly group. Group names are given after the chain (slo-rule-groups.ts);
 * empty groups are left out of the output, as Sloth does.
 */
export interface SloRules {
  /** metricops' hourly group (`--long-windows counts`): evaluated once an hour, listed first. */
  hourly: RuleGroup;
  sli: RuleGroup;
  metadata: RuleGroup;
  alerts: RuleGroup;
  extra: RuleGroup[];
}

/** What every step of one SLO's chain sees. */
export interface PluginRequest {
  slo: Slo;
  periodMs: number;
  windows: BurnRateWindows;
  /** The SLO's long-window mode: `sloth` when a plugin of its chain rewrites the SLI rules (rewritesSli). */
  longWindows: LongWindowMode;
  info: GeneratorInfo;
}

/**
 * A Sloth SLO plugin (`prometheus/slo/v1`) run natively: the config it accepts (checked where the spec declares it),
 * what it needs from the SLO (checked when the spec is read) and the step itself, a pure function of the rules so
 * far. The steps run in Sloth's order (chain.ts).
 */
export interface SloPlugin<Config = unknown> {
  id: string;
  /** The `config` block (undefined when the declaration has none). */
  config: Schema<Config>;
  /** Why this SLO cannot use the plugin, or undefined. */
  requires?: (slo: Slo, config: Config) => string | undefined;
  /** The query dialect the plugin validates the SLI queries in (Sloth's validate plugins). */
  validates?: 'promql' | 'metricsql';
  /** It replaces the SLI recording rules: the SLO then uses Sloth's expressions (its windows read no recorded counts). */
  rewritesSli?: boolean;
  process(request: PluginRequest, rules: SloRules, config: Config): SloRules;
}

/** A plugin whose step changes nothing (validation happens when the spec is read). */
export function unchanged(_request: PluginRequest, rules: SloRules): SloRules {
  return rules;
}
