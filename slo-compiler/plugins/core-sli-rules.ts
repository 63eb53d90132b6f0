import { boolean, object, optional, type Infer } from '../inputs/schema.js';
import { hourlyRecordingRules, sliRecordingRules } from '../rules/sli-rules.js';
import type { SloPlugin } from './plugin.js';

const config = optional(object({ disableOptimized: optional(boolean) }));

/**
 * `sloth.dev/core/sli_rules/v1`: the SLI recording rules, one error ratio per alert window and the period, computed
 * as `--long-windows` says (docs/design.md, "Long windows"). `disableOptimized: true` reads the period from the raw
 * series over the whole period, as Sloth does with it (no hourly group then).
 */
export const coreSliRules: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/core/sli_rules/v1',
  config,
  process({ slo, periodMs, windows, longWindows }, rules, settings) {
    const options = { rawPeriod: settings?.disableOptimized === true };
    return {
      ...rules,
      hourly: { ...rules.hourly, rules: hourlyRecordingRules(slo, periodMs, windows, longWindows, options) },
      sli: { ...rules.sli, rules: sliRecordingRules(slo, periodMs, windows, longWindows, options) },
    };
  },
};
