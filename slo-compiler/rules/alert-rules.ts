import { AlertLabels, type SloSeverity } from '../../common/contract/alert-labels.js';
import type { AlertSettings, Slo } from '../model.js';
import type { BurnRateWindow, BurnRateWindows } from './burn-rate.js';
import { clean, formatNumber } from './number.js';
import { formatPromDuration } from './prom-duration.js';
import type { AlertingRule } from './rule.js';
import { eventsOverWindow } from './event-counts.js';
import { sliErrorMetric, type LongWindowMode } from './sli-rules.js';
import { labelFilter, mergeLabels, sloIdLabels, SlothLabels, sloFilter } from './slo-labels.js';

/** The error budget as a ratio, without float noise: 99.9 -> 0.001. */
export function errorBudget(objectivePercent: number): number {
  return clean((100 - objectivePercent) / 100);
}

/**
 * The labels that tell this SLO's alert of one severity apart: `slo`, `slo_severity` and, with a target,
 * `namespace` and `deployment` (docs/design.md, "Alert labels"). Sloth specs also keep `sloth_severity`.
 */
export function contractLabels(slo: Slo, severity: SloSeverity): Record<string, string> {
  return mergeLabels(
    slo.format === 'sloth' ? { [SlothLabels.severity]: severity } : {},
    { [AlertLabels.slo]: slo.name, [AlertLabels.severity]: severity },
    slo.target ? { [AlertLabels.namespace]: slo.target.namespace, [AlertLabels.deployment]: slo.target.deployment } : {},
  );
}

/** Page and ticket multiwindow multi-burn-rate alerts (both windows of a pair must be over the threshold). */
export function sloAlertRules(slo: Slo, windows: BurnRateWindows, mode: LongWindowMode = 'counts'): AlertingRule[] {
  const pairs: Array<[SloSeverity, AlertSettings, BurnRateWindow, BurnRateWindow]> = [
    ['page', slo.alerting.page, windows.pageQuick, windows.pageSlow],
    ['ticket', slo.alerting.ticket, windows.ticketQuick, windows.ticketSlow],
  ];
  return pairs
    .filter(([, settings]) => !settings.disabled)
    .map(([severity, settings, quick, slow]) => ({
      alert: slo.alerting.name,
      expr: multiWindowExpr(slo, quick, slow, minEventsGuard(slo, windows, mode)),
      labels: mergeLabels(slo.alerting.labels, settings.labels, contractLabels(slo, severity)),
      annotations: mergeLabels(defaultAnnotations(severity), slo.alerting.annotations, settings.annotations),
    }));
}

/**
 * With `minEvents`, a pair fires only while its long window saw at least that many events (docs/design.md, "Thin
 * traffic"): the condition added to each pair, for a window; undefined without a minimum.
 */
type MinEventsGuard = ((windowMs: number) => string) | undefined;

function minEventsGuard(slo: Slo, windows: BurnRateWindows, mode: LongWindowMode): MinEventsGuard {
  const minimum = slo.alerting.minEvents;
  if (minimum === undefined) return undefined;
  return (windowMs) => {
    const events = eventsOverWindow(slo, windowMs, mode === 'counts' ? 'recorded' : 'raw', windows.pageQuick.shortWindow);
    if (events === null) throw new RangeError(`SLO "${slo.name}": minEvents needs an SLI that counts events (raw SLIs do not)`);
    return `${events} >= ${formatNumber(minimum)}`;
  };
}

function multiWindowExpr(slo: Slo, quick: BurnRateWindow, slow: BurnRateWindow, guard: MinEventsGuard): string {
  const filter = sloFilter(slo);
  const budget = formatNumber(errorBudget(slo.objective));
  const over = (windowMs: number, factor: number) =>
    `max(${sliErrorMetric(formatPromDuration(windowMs))}${filter} > (${formatNumber(factor)} * ${budget})) without (${SlothLabels.window})`;
  const enough = (window: BurnRateWindow) => (guard ? `\n    and on()\n    ${guard(window.longWindow)}` : '');
  const pair = (window: BurnRateWindow) =>
    `(\n    ${over(window.shortWindow, window.factor)}\n    and\n    ${over(window.longWindow, window.factor)}${enough(window)}\n)`;
  return `${pair(quick)}\nor\n${pair(slow)}\n`;
}

export function defaultAnnotations(severity: SloSeverity): Record<string, string> {
  const who = `{{$labels.${SlothLabels.service}}} {{$labels.${SlothLabels.slo}}}`;
  return {
    title: `(${severity}) ${who} SLO error budget burn rate is too fast.`,
    summary: `${who} SLO error budget burn rate is over expected.`,
  };
}
