import type { Slo } from '../model.js';
import { alertWindowList, type BurnRateWindows } from './burn-rate.js';
import { formatPromDuration } from './prom-duration.js';
import type { RecordingRule } from './rule.js';
import { errorRatioExpr, eventRates, ratioOf } from './sli-expression.js';
import { labelFilter, mergeLabels, sloIdLabels, SlothLabels, sloFilter } from './slo-labels.js';

/**
 * How the SLI windows are computed (docs/design.md, "Long windows"):
 * - `counts`: every window and the period are errors / events over the window (a ratio of counts). The 5m error
 *   and event rates are recorded once; the 5m ratio divides them; 30m-6h read the raw series (as Sloth, so pages
 *   fire on the same evaluation as Sloth's); 1d and 3d sum the recorded 5m rates; the period sums the hourly means
 *   of those rates, recorded by a group evaluated once an hour (until its first run, the 5m rates of the last hour).
 * - `sloth`: Sloth's expressions exactly, including its period SLI (the mean of the 5m ratios).
 */
export type LongWindowMode = 'counts' | 'sloth';

export const LONG_WINDOW_MODES: readonly LongWindowMode[] = ['counts', 'sloth'];

/** Sloth's SLI recording rule name for a window, e.g. slo:sli_error:ratio_rate5m. */
export function sliErrorMetric(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}
/** Recorded at the shortest window in `counts` mode: error and total event rates, divided and summed over windows. */
export function errorEventsMetric(window: string): string {
  return `slo:sli_error_events:rate${window}`;
}
export function totalEventsMetric(window: string): string {
  return `slo:sli_events:rate${window}`;
}
/** Recorded once an hour in `counts` mode (the hourly group): the last hour's rates, summed over the period. */
export const HOURLY = { errors: 'slo:sli_error_events_hourly:rate1h', total: 'slo:sli_events_hourly:rate1h', ratio: 'slo:sli_error_hourly:ratio_rate1h' } as const;
export const HOUR_MS = 3_600_000;

export interface SliRulesOptions {
  /**
   * The period SLI read from the raw series over the whole period (Sloth's `disableOptimized`), instead of the
   * hourly sums (`counts`) or the mean of the 5m ratios (`sloth`); there is then no hourly group.
   */
  rawPeriod?: boolean;
}

/** In `counts` mode, windows at least this long are sums of the recorded 5m rates instead of raw reads. */
export const SUMMED_FROM_MS = 86_400_000;

/**
 * The SLI recording rules of the SLO's main group (evaluated at Prometheus' global interval): one error ratio per
 * alert window plus the SLO period, in Sloth's names and labels. See LongWindowMode for what each mode computes.
 * Raw indicators have no counts: their windows are Sloth's, their period the time average of the 5m ratio (Sloth's
 * value) from the hourly means.
 */
export function sliRecordingRules(slo: Slo, periodMs: number, windows: BurnRateWindows, mode: LongWindowMode, options: SliRulesOptions = {}): RecordingRule[] {
  const shortestMs = windows.pageQuick.shortWindow;
  const shortest = formatPromDuration(shortestMs);
  const labelsFor = (window: string) => mergeLabels(sloIdLabels(slo), slo.labels, { [SlothLabels.window]: window });
  const filter = sloFilter(slo);
  const rates = mode === 'counts' ? eventRates(slo.indicator, shortest) : null;
  const rules: RecordingRule[] = [];
  if (rates) {
    rules.push({ record: errorEventsMetric(shortest), expr: rates.errors, labels: labelsFor(shortest) });
    rules.push({ record: totalEventsMetric(shortest), expr: rates.total, labels: labelsFor(shortest) });
  }
  const recorded = (errors: string, total: string, over: (selector: string) => string) =>
    `${over(`${errors}${filter}`)}\n/\n(${over(`${total}${filter}`)} > 0)\n`;

  for (const windowMs of alertWindowList(windows)) {
    const window = formatPromDuration(windowMs);
    let expr = errorRatioExpr(slo.indicator, window);
    if (rates) {
      const [errors, total] = [errorEventsMetric(shortest), totalEventsMetric(shortest)];
      if (windowMs === shortestMs) expr = recorded(errors, total, (selector) => selector);
      else if (windowMs >= SUMMED_FROM_MS) expr = recorded(errors, total, (selector) => `sum_over_time(${selector}[${window}])`);
      else expr = ratioOf(eventRates(slo.indicator, window)!);
    }
    rules.push({ record: sliErrorMetric(window), expr, labels: labelsFor(window) });
  }

  const period = formatPromDuration(periodMs);
  if (!alertWindowList(windows).includes(periodMs)) {
    let expr = slothPeriodExpr(shortest, filter, period);
    if (options.rawPeriod) {
      expr = errorRatioExpr(slo.indicator, period);
    } else if (mode === 'counts') {
      const lastHour = formatPromDuration(HOUR_MS);
      const over = (range: string) => (selector: string) => `sum_over_time(${selector}[${range}])`;
      expr = rates
        ? untilHourlyRuns(recorded(HOURLY.errors, HOURLY.total, over(period)), recorded(errorEventsMetric(shortest), totalEventsMetric(shortest), over(lastHour)))
        : untilHourlyRuns(`avg_over_time(${HOURLY.ratio}${filter}[${period}])\n`, `avg_over_time(${sliErrorMetric(shortest)}${filter}[${lastHour}])\n`);
    }
    rules.push({ record: sliErrorMetric(period), expr, labels: labelsFor(period) });
  }
  return rules;
}

/**
 * The period SLI from the hourly means, or, while they have no series yet (the first hour after the rules are
 * loaded, before the hourly group's first run; or no events in the hours it read), from the 5m rates of the last
 * hour: every rate recorded so far then. So a budget has a value from the first evaluation on.
 */
function untilHourlyRuns(fromHourlyMeans: string, fromLastHour: string): string {
  return `(\n${fromHourlyMeans})\nor ignoring (${SlothLabels.window})\n(\n${fromLastHour})\n`;
}

/**
 * The hourly group's rules in `counts` mode (none when the period is an alert window): the mean of the recorded 5m
 * error and event rates over the last hour (raw indicators: of the 5m ratio), so the group reads no raw series.
 * Consecutive evaluations read consecutive hours, so summing them over the period counts every recorded 5m rate
 * once. The hour ends one second before the evaluation: Prometheus 2 ranges include their start and Prometheus 3
 * ranges do not, and this way a 5m rate recorded exactly on an hour boundary (as in promtool tests, where every
 * group runs at the same instants) belongs to one hour in both.
 */
export function hourlyRecordingRules(slo: Slo, periodMs: number, windows: BurnRateWindows, mode: LongWindowMode, options: SliRulesOptions = {}): RecordingRule[] {
  if (mode !== 'counts' || options.rawPeriod || alertWindowList(windows).includes(periodMs)) return [];
  const hour = formatPromDuration(HOUR_MS);
  const shortest = formatPromDuration(windows.pageQuick.shortWindow);
  const labels = mergeLabels(sloIdLabels(slo), slo.labels, { [SlothLabels.window]: hour });
  const filter = sloFilter(slo);
  const meanOverHour = (metric: string) => `avg_over_time(${metric}${filter}[${hour}] offset 1s)`;
  if (!eventRates(slo.indicator, shortest)) return [{ record: HOURLY.ratio, expr: meanOverHour(sliErrorMetric(shortest)), labels }];
  return [
    { record: HOURLY.errors, expr: meanOverHour(errorEventsMetric(shortest)), labels },
    { record: HOURLY.total, expr: meanOverHour(totalEventsMetric(shortest)), labels },
  ];
}

/** Sloth's period-window rule (informational, for dashboards): the mean of the shortest-window ratios. */
export function slothPeriodExpr(shortest: string, filter: string, period: string): string {
  const metric = `${sliErrorMetric(shortest)}${filter}`;
  return `sum_over_time(${metric}[${period}])\n/ ignoring (${SlothLabels.window})\ncount_over_time(${metric}[${period}])\n`;
}
