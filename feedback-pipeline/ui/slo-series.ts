/**
 * The series the readers ask Prometheus for: the recording rules `metricops compile` emits, by their Sloth names and
 * labels (the same in every compile mode, and what Sloth's dashboards read). The readers never compute an SLI, a
 * budget or an alert factor themselves: the compiled rules did, Prometheus evaluated them. The `slo` label of a
 * guarding alert (and an SLO name in `metricops.io/slo`) equals the rules' `sloth_id` for every spec format.
 * Pure: PromQL text builders.
 */

export const SloSeries = {
  /** slo:sli_error:ratio_rate<window>: the SLI's error ratio over one window (every alert window, and the period). */
  errorRatioPrefix: 'slo:sli_error:ratio_rate',
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  errorBudget: 'slo:error_budget:ratio',
  objective: 'slo:objective:ratio',
  info: 'sloth_slo_info',
} as const;

export const SlothLabels = { id: 'sloth_id', slo: 'sloth_slo', service: 'sloth_service', window: 'sloth_window' } as const;

/** The window the current burn rate (slo:current_burn_rate:ratio) and the Deployment timeline read. */
export const CURRENT_WINDOW = '5m';

/** A PromQL string literal. */
export function promString(text: string): string {
  return JSON.stringify(text);
}

/** A RE2 pattern that matches exactly `text`. */
function literalPattern(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** `{sloth_id="a"}` for one SLO, `{sloth_id=~"a|b"}` for several (an exact alternative list). */
export function sloSelector(ids: readonly string[]): string {
  if (ids.length === 1) return `{${SlothLabels.id}=${promString(ids[0]!)}}`;
  return `{${SlothLabels.id}=~${promString(ids.map(literalPattern).join('|'))}}`;
}

/** One series by name for these SLOs. */
export function seriesOf(name: string, ids: readonly string[]): string {
  return `${name}${sloSelector(ids)}`;
}

/** Several series at once, by exact name, for these SLOs (one round trip). */
export function seriesNamed(names: readonly string[], ids: readonly string[]): string {
  const selector = sloSelector(ids).slice(1, -1);
  return `{__name__=~${promString(names.map(literalPattern).join('|'))},${selector}}`;
}

/** Every window's error ratio of these SLOs: the answer's `sloth_window` labels tell the windows (the longest is the period). */
export function errorRatiosOf(ids: readonly string[]): string {
  const selector = sloSelector(ids).slice(1, -1);
  return `{__name__=~${promString(`${literalPattern(SloSeries.errorRatioPrefix)}.+`)},${selector}}`;
}

export function errorRatioName(window: string): string {
  return `${SloSeries.errorRatioPrefix}${window}`;
}

/** The window of a `slo:sli_error:ratio_rate<window>` name, or undefined for another name. */
export function windowOfErrorRatio(name: string): string | undefined {
  return name.startsWith(SloSeries.errorRatioPrefix) && name.length > SloSeries.errorRatioPrefix.length ? name.slice(SloSeries.errorRatioPrefix.length) : undefined;
}
