import type { Slo } from '../model.js';
import { formatNumber } from './number.js';
import { formatPromDuration } from './prom-duration.js';
import { eventRates } from './sli-expression.js';
import { totalEventsMetric, type LongWindowMode } from './sli-rules.js';
import { labelFilter, sloIdLabels, sloFilter } from './slo-labels.js';

/**
 * The SLI's events (requests, probes) over a window, as one label-free number: what the thin-traffic guard and the
 * no-traffic alert compare. `counts` reads the recorded 5m event rate (its mean over the window, times the window's
 * seconds); `sloth` has no recorded rates and reads the raw series (the total query over the window). Null for raw
 * SLIs, which count no events.
 */
export function eventsOverWindow(slo: Slo, windowMs: number, mode: LongWindowMode, shortestMs: number): string | null {
  const window = formatPromDuration(windowMs);
  const seconds = formatNumber(windowMs / 1000);
  if (mode === 'counts') {
    const shortest = formatPromDuration(shortestMs);
    if (eventRates(slo.indicator, shortest) === null) return null;
    const recorded = `${totalEventsMetric(shortest)}${sloFilter(slo)}`;
    return windowMs === shortestMs ? `sum(${recorded}) * ${seconds}` : `sum(avg_over_time(${recorded}[${window}])) * ${seconds}`;
  }
  const rates = eventRates(slo.indicator, window);
  return rates === null ? null : `sum(${rates.total}) * ${seconds}`;
}
