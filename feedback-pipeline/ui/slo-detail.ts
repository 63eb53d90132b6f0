/**
 * One SLO's page: its objective, budget and burn rates as Prometheus evaluated the compiled rules, and each alert's
 * windows against the thresholds of the rule Prometheus runs (alert-thresholds.ts). Pure.
 */
import { AlertLabels } from '../../common/contract/alert-labels.js';
import type { DeploymentRef } from '../../common/contract/deployment-ref.js';
import { parseDuration } from '../../common/duration.js';
import { ALERTNAME_LABEL } from '../core/alert-matching.js';
import { windowGroups } from './alert-thresholds.js';
import type { ActiveAlert, AlertingRule, InstantSample } from './prometheus-client.js';
import { SloSeries, SlothLabels } from './slo-series.js';
import type { ChartData, GuardState, PrometheusStatus, Reading, SloAlertView, SloDetail, TimeRange } from './view-model.js';

export function readingOf(sample: Pick<InstantSample, 'value'>): Reading {
  const value = Number(sample.value);
  return { value: Number.isFinite(value) ? value : null, text: sample.value };
}

function windowMs(window: string): number {
  try {
    return parseDuration(window);
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

/** The first sample of each metric name (one SLO has one series per name). */
function byName(samples: readonly InstantSample[]): Map<string, InstantSample> {
  const found = new Map<string, InstantSample>();
  for (const sample of samples) {
    const name = sample.labels.__name__ ?? '';
    if (!found.has(name)) found.set(name, sample);
  }
  return found;
}

export interface SloAnswers {
  /** The meta series (objective, budget, burn rates, info) at the page's time. */
  meta: readonly InstantSample[];
  /** Every window's error ratio at the page's time. */
  errorRatios: readonly InstantSample[];
  rules: readonly AlertingRule[];
  /** Undefined when Prometheus did not answer: the alerts' states are unknown. */
  alerts?: readonly ActiveAlert[];
}

export function buildSloDetail(input: {
  id: string;
  answers?: SloAnswers;
  deployments: DeploymentRef[];
  range: TimeRange;
  burndown?: ChartData;
  burnRates?: ChartData;
  prometheus: PrometheusStatus;
  now: Date;
}): SloDetail {
  const { id, answers } = input;
  const meta = byName(answers?.meta ?? []);
  const reading = (name: string): Reading | undefined => {
    const sample = meta.get(name);
    return sample ? readingOf(sample) : undefined;
  };
  const errorBudget = reading(SloSeries.errorBudget);
  const budget = errorBudget?.value ?? null;
  const burn = (ratio: number | null): number | null => (ratio === null || budget === null || budget === 0 ? null : ratio / budget);

  const windows = [...(answers?.errorRatios ?? [])]
    .filter((sample) => sample.labels[SlothLabels.window] !== undefined)
    .map((sample) => ({ window: sample.labels[SlothLabels.window]!, errorRatio: readingOf(sample) }))
    .sort((a, b) => windowMs(a.window) - windowMs(b.window))
    .map((entry) => ({ ...entry, burnRate: burn(entry.errorRatio.value) }));
  const ratioOf = new Map(windows.map((entry) => [entry.window, entry.errorRatio]));

  const alerts: SloAlertView[] = (answers?.rules ?? [])
    .filter((rule) => rule.labels[AlertLabels.slo] === id)
    .map((rule) => {
      const severity = rule.labels[AlertLabels.severity] ?? '';
      return {
        alert: rule.name,
        severity,
        state: alertState(answers?.alerts, rule.name, id, severity),
        groups: windowGroups(rule.query).map((group) =>
          group.map(({ window, errorRatio: threshold }) => {
            const errorRatio = ratioOf.get(window);
            const value = errorRatio?.value ?? null;
            return {
              window,
              thresholdErrorRatio: threshold,
              thresholdBurnRate: burn(threshold),
              ...(errorRatio ? { errorRatio } : {}),
              burnRate: burn(value),
              over: value === null ? null : value > threshold,
            };
          }),
        ),
      };
    })
    .sort((a, b) => (a.severity === b.severity ? a.alert.localeCompare(b.alert) : a.severity === 'page' ? -1 : 1));

  const info = meta.get(SloSeries.info)?.labels ?? meta.values().next().value?.labels ?? {};
  const labels = Object.fromEntries(Object.entries(info).filter(([name]) => name !== '__name__' && !name.startsWith('sloth_')));
  const detail: SloDetail = {
    generatedAt: input.now.toISOString(),
    id,
    found: meta.size > 0 || windows.length > 0,
    labels,
    windows,
    alerts,
    deployments: input.deployments,
    range: input.range,
    prometheus: input.prometheus,
  };
  const service = info[SlothLabels.service];
  if (service !== undefined) detail.service = service;
  const objective = reading(SloSeries.objective);
  if (objective) detail.objective = objective;
  if (errorBudget) detail.errorBudget = errorBudget;
  if (windows.length > 0) detail.period = windows[windows.length - 1]!.window;
  const remaining = reading(SloSeries.budgetRemaining);
  if (remaining) detail.budgetRemaining = remaining;
  const current = reading(SloSeries.currentBurnRate);
  if (current) detail.currentBurnRate = current;
  const period = reading(SloSeries.periodBurnRate);
  if (period) detail.periodBurnRate = period;
  if (input.burndown) detail.burndown = input.burndown;
  if (input.burnRates) detail.burnRates = input.burnRates;
  return detail;
}

function alertState(alerts: readonly ActiveAlert[] | undefined, name: string, slo: string, severity: string): GuardState {
  if (alerts === undefined) return 'unknown';
  const states = alerts
    .filter((alert) => alert.labels[ALERTNAME_LABEL] === name && alert.labels[AlertLabels.slo] === slo && (alert.labels[AlertLabels.severity] ?? '') === severity)
    .map((alert) => alert.state);
  return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : 'inactive';
}

/** The distinct windows the alerts compare, shortest first (the burn-rate chart's lines). */
export function alertWindows(alerts: readonly SloAlertView[]): string[] {
  const windows = new Set(alerts.flatMap((alert) => alert.groups.flatMap((group) => group.map((condition) => condition.window))));
  return [...windows].sort((a, b) => windowMs(a) - windowMs(b));
}
