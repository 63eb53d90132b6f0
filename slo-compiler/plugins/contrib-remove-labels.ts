import { AlertLabels } from '../../common/contract/alert-labels.js';
import { array, object, optional, string, type Infer } from '../inputs/schema.js';
import { isAlertingRule, type RuleGroup } from '../rules/rule.js';
import { sloIdLabels, SlothLabels } from '../rules/slo-labels.js';
import type { SloPlugin } from './plugin.js';

const config = optional(object({ preserveLabels: optional(array(string)), skipMetrics: optional(array(string)) }));

/**
 * `sloth.dev/contrib/remove_labels/v1`: the SLI and metadata recordings keep only the SLO's id labels (and
 * `sloth_window` on SLI recordings), the `preserveLabels` and, so that many clusters stay apart, `cluster`;
 * `sloth_slo_info` and the `skipMetrics` keep all theirs. metricops' hourly recordings count as SLI recordings.
 * Runs after the SLI and metadata rules.
 */
export const contribRemoveLabels: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/contrib/remove_labels/v1',
  config,
  process({ slo }, rules, settings) {
    const preserved = new Set([...Object.keys(sloIdLabels(slo)), AlertLabels.cluster, ...(settings?.preserveLabels ?? [])]);
    const skipped = new Set(['sloth_slo_info', ...(settings?.skipMetrics ?? [])]);
    const strip = (group: RuleGroup, keep: Set<string>): RuleGroup => ({
      ...group,
      rules: group.rules.map((rule) => {
        if (isAlertingRule(rule) || skipped.has(rule.record)) return rule;
        return { ...rule, labels: Object.fromEntries(Object.entries(rule.labels).filter(([name]) => keep.has(name))) };
      }),
    });
    const sliKeep = new Set([...preserved, SlothLabels.window]);
    return { ...rules, hourly: strip(rules.hourly, sliKeep), sli: strip(rules.sli, sliKeep), metadata: strip(rules.metadata, preserved) };
  },
};
