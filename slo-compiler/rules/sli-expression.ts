import { parseDuration } from '../../common/duration.js';
import type { Indicator } from '../model.js';
import { formatNumber } from './number.js';
import { parseSelector, renderSelector } from './selector.js';

/**
 * The error-ratio PromQL of an indicator over one window, and (for indicators measured in events) its error and
 * total event rates separately, so long windows can be computed from recorded short-window counts.
 */
export function renderWindowTemplate(template: string, window: string): string {
  // The model's templates say {{window}} (inputs normalize Sloth's {{.window}}); the other spellings are rare.
  const rendered = template.replaceAll('{{window}}', window);
  return rendered.includes('{{') ? rendered.replace(/\{\{\s*\.?window\s*\}\}/g, window) : rendered;
}

export interface EventRates {
  errors: string;
  total: string;
}

/**
 * Error and total event rates (events per second) over the window, or null for raw indicators (a ratio with no
 * counts behind it). A boolGauge's events are its samples (probes): errors are the missing part of each sample,
 * `count_over_time - sum_over_time`, so a 0/1 gauge counts failed probes.
 */
export function eventRates(indicator: Indicator, window: string): EventRates | null {
  switch (indicator.kind) {
    case 'ratio':
      return { errors: `sum(rate(${indicator.errors}[${window}]))`, total: `sum(rate(${indicator.total}[${window}]))` };
    case 'events':
      return {
        errors: renderWindowTemplate(indicator.errorQuery, window).trim(),
        total: renderWindowTemplate(indicator.totalQuery, window).trim(),
      };
    case 'latency':
      return latencyRates(indicator, window);
    case 'boolGauge': {
      const seconds = formatNumber(parseDuration(window) / 1000);
      const range = `${indicator.metric}[${window}]`;
      return {
        errors: `sum(count_over_time(${range}) - sum_over_time(${range})) / ${seconds}`,
        total: `sum(count_over_time(${range})) / ${seconds}`,
      };
    }
    case 'raw':
      return null;
  }
}

/**
 * The bucket boundary matcher. Client libraries spell whole-number boundaries differently (Go: le="1",
 * Python and Java: le="1.0"), so those match both spellings.
 */
export function leMatcher(threshold: number): string {
  const text = formatNumber(threshold);
  return Number.isInteger(threshold) ? `le=~"${text}|${text}[.]0"` : `le="${text}"`;
}

function latencyRates(indicator: Extract<Indicator, { kind: 'latency' }>, window: string): EventRates {
  const { name, matchers } = parseSelector(indicator.histogram);
  const threshold = formatNumber(indicator.threshold);
  if (indicator.native) {
    const rate = `sum(rate(${renderSelector(name, matchers)}[${window}]))`;
    return {
      errors: `histogram_count(${rate}) * (1 - histogram_fraction(0, ${threshold}, ${rate}))`,
      total: `histogram_count(${rate})`,
    };
  }
  const total = `sum(rate(${renderSelector(`${name}_count`, matchers)}[${window}]))`;
  const fast = `sum(rate(${renderSelector(`${name}_bucket`, matchers, leMatcher(indicator.threshold))}[${window}]))`;
  return { errors: `(${total} - ${fast})`, total };
}

/**
 * The error ratio over the window. Event indicators follow Sloth's events form; the denominator is guarded
 * with `> 0` so a window without traffic yields no value instead of NaN (Sloth does the same).
 */
export function errorRatioExpr(indicator: Indicator, window: string): string {
  switch (indicator.kind) {
    case 'raw':
      return `(${renderWindowTemplate(indicator.errorRatioQuery, window).trim()})`;
    case 'boolGauge':
      return `1 - avg(avg_over_time(${indicator.metric}[${window}]))`;
    case 'latency':
      if (indicator.native) {
        const { name, matchers } = parseSelector(indicator.histogram);
        const rate = `sum(rate(${renderSelector(name, matchers)}[${window}]))`;
        return `1 - histogram_fraction(0, ${formatNumber(indicator.threshold)}, ${rate})`;
      }
      return ratioOf(eventRates(indicator, window)!);
    default:
      return ratioOf(eventRates(indicator, window)!);
  }
}

/** errors / total, the denominator guarded with `> 0` so an idle window has no value instead of NaN. */
export function ratioOf(rates: EventRates): string {
  return `(${rates.errors})\n/\n((${rates.total}) > 0)\n`;
}
