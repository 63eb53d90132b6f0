import type { Slo } from '../model.js';
import type { BurnRateWindows } from './burn-rate.js';
import { contractLabels } from './alert-rules.js';
import { eventsOverWindow } from './event-counts.js';
import { formatNumber } from './number.js';
import { formatPromDuration } from './prom-duration.js';
import type { AlertingRule } from './rule.js';
import { mergeLabels, sloIdLabels } from './slo-labels.js';

/** The no-traffic alert's name: one for every SLO, told apart by its `slo` label. */
export const NO_TRAFFIC_ALERT = 'MetricopsNoTraffic';

/**
 * When the SLI's events stop, the error ratio has no value (its denominator is guarded with `> 0`) and no burn
 * alert can fire: a rollout that takes traffic to zero would go unnoticed. The no-traffic alert catches it: no
 * events in the SLI's short window for QUIET_FOR (so for short window + QUIET_FOR, 10 minutes), after at least
 * REFERENCE_EVENTS in the hour before. A service at that rate (2 a minute) is silent for 10 minutes by chance with
 * probability e^-20; a quieter one cannot be told from idle, so it gets no alert. Generated with `minEvents` only
 * (docs/design.md, "Thin traffic").
 */
export const QUIET_FOR_MS = 5 * 60_000;
export const REFERENCE_EVENTS = 120;
const REFERENCE_WINDOW_MS = 60 * 60_000;

export function noTrafficAlertRule(slo: Slo, windows: BurnRateWindows): AlertingRule | undefined {
  const settings = slo.alerting.noTraffic;
  if (slo.alerting.minEvents === undefined || settings?.disabled) return undefined;
  const shortestMs = windows.pageQuick.shortWindow;
  // Raw series in both modes: when a rollout takes the service's series away, recorded rates stop with them.
  const quiet = eventsOverWindow(slo, shortestMs, 'raw', shortestMs);
  // The reference window ends now: its events are the hour's before the quiet minutes (which added none).
  const reference = eventsOverWindow(slo, REFERENCE_WINDOW_MS + shortestMs + QUIET_FOR_MS, 'raw', shortestMs);
  if (quiet === null || reference === null) return undefined;
  // Written out: the expression has no labels, and annotation templates see only the expression's ($labels).
  const who = `${slo.service} ${slo.slothSlo}`;
  const silentFor = formatPromDuration(shortestMs + QUIET_FOR_MS);
  return {
    alert: NO_TRAFFIC_ALERT,
    expr: `(${quiet} or vector(0)) == 0\nand on()\n${reference} >= ${formatNumber(REFERENCE_EVENTS)}\n`,
    for: formatPromDuration(QUIET_FOR_MS),
    // The expression keeps no series labels: the SLO's are set here, so the alert reads like its burn alerts.
    labels: mergeLabels(sloIdLabels(slo), slo.labels, slo.alerting.labels, settings?.labels, contractLabels(slo, 'page')),
    annotations: mergeLabels(
      {
        title: `(page) ${who} SLO has no traffic.`,
        summary: `${who} SLO received no events for ${silentFor} after at least ${REFERENCE_EVENTS} in the hour before.`,
      },
      slo.alerting.annotations,
      settings?.annotations,
    ),
  };
}
