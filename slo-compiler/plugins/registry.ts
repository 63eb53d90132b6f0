import { contribDenominatorCorrectedRules } from './contrib-denominator-corrected-rules.js';
import { contribErrorBudgetExhaustedAlert } from './contrib-error-budget-exhausted-alert.js';
import { contribInfoLabels } from './contrib-info-labels.js';
import { contribRemoveLabels } from './contrib-remove-labels.js';
import { contribRuleIntervals } from './contrib-rule-intervals.js';
import { contribValidateVictoriaMetrics } from './contrib-validate-victoria-metrics.js';
import { coreAlertRules } from './core-alert-rules.js';
import { coreDebug } from './core-debug.js';
import { coreMetadataRules } from './core-metadata-rules.js';
import { coreNoop } from './core-noop.js';
import { coreSliRules } from './core-sli-rules.js';
import { coreValidate } from './core-validate.js';
import type { SloPlugin } from './plugin.js';

/** Every SLO plugin metricops runs: Sloth v0.16's core and contrib plugins, by ID. */
export const SLO_PLUGINS: ReadonlyMap<string, SloPlugin<any>> = new Map(
  [
    coreValidate,
    coreSliRules,
    coreMetadataRules,
    coreAlertRules,
    coreNoop,
    coreDebug,
    contribDenominatorCorrectedRules,
    contribErrorBudgetExhaustedAlert,
    contribInfoLabels,
    contribRemoveLabels,
    contribRuleIntervals,
    contribValidateVictoriaMetrics,
  ].map((plugin) => [plugin.id, plugin as SloPlugin<any>]),
);

/** Sloth's default chain, run at priority 0 unless a chain overrides it: validate, SLI, metadata and alert rules. */
export const DEFAULT_PLUGIN_IDS: readonly string[] = [coreValidate.id, coreSliRules.id, coreMetadataRules.id, coreAlertRules.id];

export function sloPlugin(id: string): SloPlugin<any> | undefined {
  return SLO_PLUGINS.get(id);
}

/** The closest known ID to a misspelt one (at most 4 edits away), for "did you mean". */
export function closestPluginId(id: string): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const known of SLO_PLUGINS.keys()) {
    const distance = editDistance(id, known);
    if (distance <= 4 && (!best || distance < best.distance)) best = { id: known, distance };
  }
  return best?.id;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
