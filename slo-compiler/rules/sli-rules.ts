import type { Slo } from '../model.js';
import { alertWindowList, type BurnRateWindows } from './burn-rate.js';
import { formatPromDuration } from './prom-duration.js';
import type { RecordingRule } from './rule.js';
import { errorRatioExpr, eventRates } from './sli-expression.js';
import { labelFilter, mergeLabels, sloIdLabels, SlothLabels } from './slo-labels.js';

export type LongWindowMode = 'exact' | 'reuse';

/** Sloth's SLI recording rule name for a window, e.g. slo:sli_error:ratio_rate5m. */
export function sliErrorMetric(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}
/** Recorded at the shortest window in `reuse` mode: error and total event rates, summed over long windows. */
export function errorEventsMetric(window: string): string {
  return `slo:sli_error_events:rate${window}`;
}
export function totalEventsMetric(window: string): string {
  return `slo:sli_events:rate${window}`;
}

/** In `reuse` mode, windows at least this long are computed from recorded short-window counts. */
export const REUSE_FROM_MS = 86_400_000;

/**
 * The SLI recording rules: one error ratio per alert window plus the SLO period (dashboards only).
 * `exact` computes every alert window from the raw series. `reuse` records the error and total event rates at
 * the shortest window and computes windows of 1d and longer as sum_over_time(errors) / sum_over_time(total):
 * a ratio of counts, never an average of ratios. Indicators without event counts (raw, boolGauge) keep their
 * exact form, except boolGauge whose time average is already exact.
 */
export function sliRecordingRules(slo: Slo, periodMs: number, windows: BurnRateWindows, mode: LongWindowMode): RecordingRule[] {
  const shortest = formatPromDuration(windows.pageQuick.shortWindow);
  const labelsFor = (window: string) => mergeLabels(sloIdLabels(slo), slo.labels, { [SlothLabels.window]: window });
  const filter = labelFilter(sloIdLabels(slo));
  const rates = eventRates(slo.indicator, shortest);
  const rules: RecordingRule[] = [];

  if (mode === 'reuse' && rates) {
    rules.push({ record: errorEventsMetric(shortest), expr: rates.errors, labels: labelsFor(shortest) });
    rules.push({ record: totalEventsMetric(shortest), expr: rates.total, labels: labelsFor(shortest) });
  }

  const reused = (window: string): string | null => {
    if (rates) {
      return `sum_over_time(${errorEventsMetric(shortest)}${filter}[${window}])\n/\n(sum_over_time(${totalEventsMetric(shortest)}${filter}[${window}]) > 0)\n`;
    }
    if (slo.indicator.kind === 'boolGauge') return `avg_over_time(${sliErrorMetric(shortest)}${filter}[${window}])\n`;
    return null;
  };

  for (const windowMs of alertWindowList(windows)) {
    const window = formatPromDuration(windowMs);
    const reuse = mode === 'reuse' && windowMs >= REUSE_FROM_MS && windowMs !== windows.pageQuick.shortWindow;
    const expr = (reuse ? reused(window) : null) ?? errorRatioExpr(slo.indicator, window);
    rules.push({ record: sliErrorMetric(window), expr, labels: labelsFor(window) });
  }

  const period = formatPromDuration(periodMs);
  if (!alertWindowList(windows).includes(periodMs)) {
    const expr = (mode === 'reuse' ? reused(period) : null) ?? slothPeriodExpr(shortest, filter, period);
    rules.push({ record: sliErrorMetric(period), expr, labels: labelsFor(period) });
  }
  return rules;
}

/** Sloth's period-window rule (informational, for dashboards): the mean of the shortest-window ratios. */
function slothPeriodExpr(shortest: string, filter: string, period: string): string {
  const metric = `${sliErrorMetric(shortest)}${filter}`;
  return `sum_over_time(${metric}[${period}])\n/ ignoring (${SlothLabels.window})\ncount_over_time(${metric}[${period}])\n`;
}
