import type { Slo } from '../model.js';
import { formatNumber } from './number.js';
import { formatPromDuration } from './prom-duration.js';
import { eventRates } from './sli-expression.js';
import { totalEventsMetric } from './sli-rules.js';
import { sloFilter } from './slo-labels.js';

/**
 * The SLI's events (requests, probes) over a window, as one label-free number: what the thin-traffic guard and the
 * no-traffic alert compare. Null for raw SLIs, which count no events.
 * - `raw`: the total query over the window times its seconds (rate() divides by the whole range, so a window only
 *   partly filled with data counts what is there).
 * - `recorded` (`counts` mode): the recorded short-window event rate summed over the window, each sample standing for
 *   one evaluation interval, which is the short window's seconds over its sample count: no raw read of a 1d or 3d
 *   window, whatever the evaluation interval.
 */
export function eventsOverWindow(slo: Slo, windowMs: number, source: 'raw' | 'recorded', shortestMs: number): string | null {
  const window = formatPromDuration(windowMs);
  if (source === 'recorded') {
    const shortest = formatPromDuration(shortestMs);
    if (eventRates(slo.indicator, shortest) === null) return null;
    const recorded = `${totalEventsMetric(shortest)}${sloFilter(slo)}`;
    const seconds = formatNumber(shortestMs / 1000);
    if (windowMs === shortestMs) return `sum(${recorded}) * ${seconds}`;
    return `sum(sum_over_time(${recorded}[${window}])) * ${seconds} / sum(count_over_time(${recorded}[${shortest}]))`;
  }
  const rates = eventRates(slo.indicator, window);
  return rates === null ? null : `sum(${rates.total}) * ${formatNumber(windowMs / 1000)}`;
}
