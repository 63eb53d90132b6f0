import { duration, object, optional, type Infer } from '../inputs/schema.js';
import { formatPromDuration } from '../rules/prom-duration.js';
import type { RuleGroup } from '../rules/rule.js';
import type { SloPlugin } from './plugin.js';

const config = object({
  interval: object({ default: duration, sliError: optional(duration), metadata: optional(duration), alert: optional(duration) }),
});

/**
 * `sloth.dev/contrib/rule_intervals/v1`: evaluation intervals for the SLI, metadata and alert groups (`default`,
 * required, for any not given). metricops' hourly group keeps its hour. Runs after the rule generation.
 */
export const contribRuleIntervals: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/contrib/rule_intervals/v1',
  config,
  process(_request, rules, { interval }) {
    const every = (group: RuleGroup, ms: number | undefined): RuleGroup => ({ ...group, interval: formatPromDuration(ms ?? interval.default) });
    return { ...rules, sli: every(rules.sli, interval.sliError), metadata: every(rules.metadata, interval.metadata), alerts: every(rules.alerts, interval.alert) };
  },
};
