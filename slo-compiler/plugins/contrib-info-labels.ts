import { object, optional, refine, string, type Infer } from '../inputs/schema.js';
import { mergeLabels } from '../rules/slo-labels.js';
import { pluginLabels } from './config-schemas.js';
import type { SloPlugin } from './plugin.js';

const config = refine(
  object({ labels: pluginLabels('info labels describe the SLO: leave the label out'), metricName: optional(string) }),
  (settings) => Object.keys(settings.labels).length > 0,
  () => 'labels is empty: give at least one label to put on the info metric',
);

/**
 * `sloth.dev/contrib/info_labels/v1`: adds `labels` (at least one) to the first metadata rule recording
 * `metricName` (default `sloth_slo_info`). Runs after the metadata rules.
 */
export const contribInfoLabels: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/contrib/info_labels/v1',
  config,
  process(_request, rules, settings) {
    const metric = settings.metricName || 'sloth_slo_info';
    const index = rules.metadata.rules.findIndex((rule) => 'record' in rule && rule.record === metric);
    if (index < 0) return rules;
    const updated = rules.metadata.rules.map((rule, at) => (at === index ? { ...rule, labels: mergeLabels(rule.labels, settings.labels) } : rule));
    return { ...rules, metadata: { ...rules.metadata, rules: updated } };
  },
};
