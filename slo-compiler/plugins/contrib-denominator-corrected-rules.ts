import { boolean, object, optional, type Infer } from '../inputs/schema.js';
import { alertWindowList } from '../rules/burn-rate.js';
import { formatPromDuration } from '../rules/prom-duration.js';
import type { RecordingRule } from '../rules/rule.js';
import { eventRates, ratioOf } from '../rules/sli-expression.js';
import { sliErrorMetric, slothPeriodExpr } from '../rules/sli-rules.js';
import { labelFilter, mergeLabels, sloIdLabels, SlothLabels, sloFilter } from '../rules/slo-labels.js';
import type { SloPlugin } from './plugin.js';

const config = optional(object({ disableOptimized: optional(boolean) }));

/** The correction factor of a window: its share of the period's events (Sloth's `slo:numerator_correction:ratio<w>`). */
export const NUMERATOR_CORRECTION = 'slo:numerator_correction:ratio';

/**
 * `sloth.dev/contrib/denominator_corrected_rules/v1` (Sloth PR #459): errors in a window weigh by that window's
 * share of the period's traffic, so a few errors at night burn less budget than the same ratio at the peak. It
 * replaces the SLI recording rules (Sloth's expressions: the SLO is generated as with `--long-windows sloth`) and
 * adds one correction rule per alert window to the metadata group. Every denominator keeps metricops' `> 0` guard.
 */
export const contribDenominatorCorrectedRules: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/contrib/denominator_corrected_rules/v1',
  config,
  rewritesSli: true,
  requires: (slo) =>
    eventRates(slo.indicator, '5m') === null ? 'needs an SLI that counts events (events; or ratio, latency or boolGauge in a native spec): a raw error ratio has no traffic to correct by' : undefined,
  process({ slo, periodMs, windows }, rules, settings) {
    const filter = sloFilter(slo);
    const period = formatPromDuration(periodMs);
    const rates = (window: string) => eventRates(slo.indicator, window)!;
    const sliLabels = (window: string) => mergeLabels(sloIdLabels(slo), slo.labels, { [SlothLabels.window]: window });
    const sli: RecordingRule[] = alertWindowList(windows).map((windowMs) => {
      const window = formatPromDuration(windowMs);
      const { errors, total } = rates(window);
      return {
        record: sliErrorMetric(window),
        expr: `(\n${NUMERATOR_CORRECTION}${window}${filter}\n* on()\n${errors}\n)\n/\n((${total}) > 0)\n`,
        labels: sliLabels(window),
      };
    });
    if (!alertWindowList(windows).includes(periodMs)) {
      const shortest = formatPromDuration(windows.pageQuick.shortWindow);
      const expr = settings?.disableOptimized ? ratioOf(rates(period)) : slothPeriodExpr(shortest, filter, period);
      sli.push({ record: sliErrorMetric(period), expr, labels: sliLabels(period) });
    }
    const metadataLabels = mergeLabels(sloIdLabels(slo), slo.labels);
    const corrections: RecordingRule[] = alertWindowList(windows).map((windowMs) => {
      const window = formatPromDuration(windowMs);
      return { record: `${NUMERATOR_CORRECTION}${window}`, expr: `(${rates(window).total})/((${rates(period).total}) > 0)`, labels: metadataLabels };
    });
    return {
      ...rules,
      hourly: { ...rules.hourly, rules: [] },
      sli: { ...rules.sli, rules: sli },
      metadata: { ...rules.metadata, rules: [...rules.metadata.rules, ...corrections] },
    };
  },
};

