import { AlertLabels, type SloSeverity } from '../../common/contract/alert-labels.js';
import { parseDuration } from '../../common/duration.js';
import type { Indicator, Slo } from '../model.js';
import { errorBudget } from '../rules/alert-rules.js';
import { burnRateWindows } from '../rules/burn-rate.js';
import { clean, formatNumber } from '../rules/number.js';
import { formatPromDuration } from '../rules/prom-duration.js';
import { isAlertingRule, type AlertingRule, type RuleGroup } from '../rules/rule.js';
import { parseSelector } from '../rules/selector.js';
import { errorRatioExpr, eventRates, ratioOf } from '../rules/sli-expression.js';
import { NO_TRAFFIC_ALERT } from '../rules/no-traffic-alert.js';
import { generatedHeader } from './header.js';
import { parseMatchers, seriesText, solveLabels } from './series-labels.js';
import { toYaml } from './yaml.js';

/**
 * promtool unit tests for one SLO: a steady 20x burn must fire the page alert (and whatever else that burn
 * crosses), a steady 0.5x burn must fire nothing (for 28d/30d periods), and a 2h burn at 20x followed by
 * recovery must fire and resolve the alerts at the same evaluations as the same multiwindow conditions written
 * on the raw series (Sloth's expressions). Input series are synthesized from the indicator's selectors;
 * indicators we cannot synthesize (raw, native histograms, free-form events) are skipped with a reason.
 */
export type EmittedTest = { kind: 'test'; content: string } | { kind: 'skipped'; reason: string };

const TOTAL_PER_MINUTE = 1000;
const SERIES_MINUTES = 7 * 60;
const FAST_BURN = 20;
const SLOW_BURN = 0.5;
/** The burn-and-recovery test: clean traffic, a 20x burn from 1h to 3h, clean again until 10h (the ticket resolves at ~8.7h). */
const EPISODE = { burnFrom: 60, burnTo: 180, minutes: 600, burn: 20 } as const;
/** Check times of the episode are kept only where the expected alerts are the same this many minutes either side. */
const STABLE_MINUTES = 3;
/**
 * One-minute evaluations at which the ticket alert may differ from the raw-window condition: its 1d and 3d windows
 * sum the recorded 5m rates, which weigh the newest minutes less, so a crossing of those windows can come up to half
 * the 5m window later (docs/design.md, "Long windows"). The page windows are the raw ones: no difference allowed.
 */
export const TICKET_LAG_EVALUATIONS = 3;

interface InputSeries {
  series: string;
  values: string;
}

/** Error ratio per minute as consecutive segments (events per minute: TOTAL_PER_MINUTE unless given); a steady burn is one segment. */
type Profile = Array<{ minutes: number; errorRatio: number; perMinute?: number }>;

export function emitPromtoolTest(slo: Slo, groups: RuleGroup[], ruleFile: string): EmittedTest {
  const budget = errorBudget(slo.objective);
  const ratioOfBurn = (burn: number) => clean(Math.min(1, burn * budget));
  const series = (burn: number) => inputSeriesFor(slo.indicator, [{ minutes: SERIES_MINUTES, errorRatio: ratioOfBurn(burn) }]);
  const fast = series(FAST_BURN);
  const slow = series(SLOW_BURN);
  const episodeProfile: Profile = [
    { minutes: EPISODE.burnFrom, errorRatio: 0 },
    { minutes: EPISODE.burnTo - EPISODE.burnFrom, errorRatio: ratioOfBurn(EPISODE.burn) },
    { minutes: EPISODE.minutes - EPISODE.burnTo, errorRatio: 0 },
  ];
  const episode = inputSeriesFor(slo.indicator, episodeProfile);
  if (typeof fast === 'string') return { kind: 'skipped', reason: fast };
  if (typeof slow === 'string') return { kind: 'skipped', reason: slow };
  if (typeof episode === 'string') return { kind: 'skipped', reason: episode };

  const allAlerts = groups.flatMap((group) => group.rules.filter(isAlertingRule));
  // The burn alerts: other alerts (no traffic, plugins') have names of their own and tests of their own.
  const alerts = allAlerts.filter((rule) => rule.alert === slo.alerting.name && rule.labels[AlertLabels.slo] === slo.name);
  // The burn tests compare with the raw windows from the first minute on: the windows must hold minEvents by then.
  if (slo.alerting.minEvents !== undefined && (slo.indicator.kind === 'boolGauge' || slo.alerting.minEvents > TOTAL_PER_MINUTE)) {
    const why = slo.indicator.kind === 'boolGauge' ? 'a boolGauge counts probes (one a minute in the test)' : `the test's traffic is ${TOTAL_PER_MINUTE} events a minute`;
    return { kind: 'skipped', reason: `minEvents ${slo.alerting.minEvents} holds the alerts back in the test's first minutes: ${why}` };
  }
  const windows = burnRateWindows(parseDuration(slo.window));
  const fires = (burn: number, severity: SloSeverity) => {
    const effective = Math.min(burn, 1 / budget);
    const [quick, slowPair] = severity === 'page' ? [windows.pageQuick, windows.pageSlow] : [windows.ticketQuick, windows.ticketSlow];
    return effective > Math.min(quick.factor, slowPair.factor);
  };
  const resultLabels = { sloth_id: slo.slothId, sloth_service: slo.service, sloth_slo: slo.slothSlo, ...slo.labels };
  const expected = (burn: number) => {
    const firing = alerts.filter((rule) => fires(burn, severityOf(rule)));
    const rendered = firing.map((rule) => expectedAlert(rule, resultLabels));
    if (rendered.some((alert) => alert === null)) return null;
    return rendered as Array<Record<string, unknown>>;
  };
  const fastAlerts = expected(FAST_BURN);
  const slowAlerts = expected(SLOW_BURN);
  if (fastAlerts === null || slowAlerts === null) {
    return { kind: 'skipped', reason: 'an alert annotation uses templating other than {{$labels.name}}, which the test cannot predict' };
  }
  const alertName = slo.alerting.name;
  const test = (name: string, input: InputSeries[], evalTimes: string[], exp: Array<Record<string, unknown>>) => ({
    name,
    interval: '1m',
    input_series: input,
    alert_rule_test: evalTimes.map((eval_time) => ({ eval_time, alertname: alertName, exp_alerts: exp })),
  });

  // The episode: expected alerts from the scheme at check times where they are stable, and over every evaluation
  // the number of minutes where the alert and the raw-window condition disagree.
  const schemeAt = (minute: number) => schemeSeverities(minute, episodeProfile, windows, budget);
  const checks: Array<{ eval_time: string; alertname: string; exp_alerts: Array<Record<string, unknown>> }> = [];
  for (let minute = 30; minute <= EPISODE.minutes; minute += 30) {
    const expected = schemeAt(minute).join('+');
    let stable = true;
    for (let delta = -STABLE_MINUTES; delta <= STABLE_MINUTES; delta += 1) stable &&= schemeAt(minute + delta).join('+') === expected;
    if (!stable) continue;
    const firing = alerts.filter((rule) => schemeAt(minute).includes(severityOf(rule)));
    checks.push({ eval_time: `${minute}m`, alertname: alertName, exp_alerts: firing.map((rule) => expectedAlert(rule, resultLabels)!) });
  }
  const disagreements = alerts.map((rule) => {
    const severity = severityOf(rule);
    const allowed = severity === 'ticket' ? TICKET_LAG_EVALUATIONS : 0;
    return {
      expr: `count(${disagreementExpr(slo, rule, severity, windows, budget)} <= ${allowed})`,
      eval_time: `${EPISODE.minutes}m`,
      exp_samples: [{ labels: '{}', value: 1 }],
    };
  });
  const thin = thinTrafficTests(slo, allAlerts, ratioOfBurn(FAST_BURN), resultLabels);
  if (typeof thin === 'string') return { kind: 'skipped', reason: thin };
  const document = {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    // promtool runs every group at every step, in random order unless told: alerts after the recordings they read.
    group_eval_order: groups.map((group) => group.name),
    tests: [
      test(`${slo.name}: a ${FAST_BURN}x error-budget burn pages`, fast, ['2h'], fastAlerts),
      test(`${slo.name}: a ${SLOW_BURN}x error-budget burn stays quiet`, slow, ['2h', '6h'], slowAlerts),
      {
        name: `${slo.name}: a 2h ${EPISODE.burn}x burn fires and resolves the alerts on the raw windows' evaluations`,
        interval: '1m',
        input_series: episode,
        alert_rule_test: checks,
        promql_expr_test: disagreements,
      },
      ...thin,
    ],
  };
  return { kind: 'test', content: generatedHeader([slo.location.source]) + toYaml(document) };
}

/** The thin-traffic burn lasts this long: the test looks at its end. */
const THIN_MINUTES = 120;
/** The no-traffic test: clean traffic, then none from this minute on. */
const QUIET_FROM = 120;

/**
 * With `minEvents` (docs/design.md, "Thin traffic"): a 20x burn on traffic so thin that even the longest window holds
 * half the minimum at its end fires nothing; traffic that stops after two busy hours fires the no-traffic alert
 * (pending 5 minutes after the last event, firing at 10) with the contract labels, and the burn alerts stay quiet.
 */
function thinTrafficTests(slo: Slo, alerts: AlertingRule[], burnRatio: number, resultLabels: Record<string, string>): object[] | string {
  const minimum = slo.alerting.minEvents;
  if (minimum === undefined) return [];
  const thinPerMinute = clean(minimum / (2 * THIN_MINUTES));
  const thin = inputSeriesFor(slo.indicator, [{ minutes: SERIES_MINUTES, errorRatio: burnRatio, perMinute: thinPerMinute }]);
  const stopped = inputSeriesFor(slo.indicator, [
    { minutes: QUIET_FROM, errorRatio: 0 },
    { minutes: 40, errorRatio: 0, perMinute: 0 },
  ]);
  if (typeof thin === 'string') return thin;
  if (typeof stopped === 'string') return stopped;
  const noTraffic = alerts.find((rule) => rule.alert === NO_TRAFFIC_ALERT);
  const tests: object[] = [
    {
      name: `${slo.name}: a ${FAST_BURN}x burn on ${formatNumber(thinPerMinute * 60)} events an hour (under minEvents ${minimum} in every window) fires nothing`,
      interval: '1m',
      input_series: thin,
      alert_rule_test: [`${THIN_MINUTES}m`].flatMap((eval_time) => [
        { eval_time, alertname: slo.alerting.name, exp_alerts: [] },
        ...(noTraffic ? [{ eval_time, alertname: NO_TRAFFIC_ALERT, exp_alerts: [] }] : []),
      ]),
    },
  ];
  if (noTraffic) {
    tests.push({
      name: `${slo.name}: traffic that stops fires ${NO_TRAFFIC_ALERT} after 10 minutes, and no burn alert`,
      interval: '1m',
      input_series: stopped,
      alert_rule_test: [
        { eval_time: `${QUIET_FROM - 5}m`, alertname: NO_TRAFFIC_ALERT, exp_alerts: [] },
        { eval_time: `${QUIET_FROM + 8}m`, alertname: NO_TRAFFIC_ALERT, exp_alerts: [] },
        { eval_time: `${QUIET_FROM + 12}m`, alertname: NO_TRAFFIC_ALERT, exp_alerts: [expectedAlert(noTraffic, resultLabels)!] },
        { eval_time: `${QUIET_FROM + 12}m`, alertname: slo.alerting.name, exp_alerts: [] },
      ],
    });
  }
  return tests;
}

/**
 * The severities the multiwindow scheme fires at a minute of a burn profile that starts at minute 0, computed from
 * the profile alone: each window's error ratio is errors / events over the part of the window that has data.
 */
export function schemeSeverities(minute: number, profile: Profile, windows: ReturnType<typeof burnRateWindows>, budget: number): SloSeverity[] {
  const burnOver = (windowMs: number) => {
    const from = Math.max(0, minute - windowMs / 60_000);
    let errors = 0;
    let start = 0;
    for (const segment of profile) {
      const overlap = Math.max(0, Math.min(minute, start + segment.minutes) - Math.max(from, start));
      errors += overlap * segment.errorRatio;
      start += segment.minutes;
    }
    return minute > from ? errors / (minute - from) / budget : 0;
  };
  const pairFires = (pair: { shortWindow: number; longWindow: number; factor: number }) =>
    burnOver(pair.shortWindow) > pair.factor && burnOver(pair.longWindow) > pair.factor;
  const result: SloSeverity[] = [];
  if (pairFires(windows.pageQuick) || pairFires(windows.pageSlow)) result.push('page');
  if (pairFires(windows.ticketQuick) || pairFires(windows.ticketSlow)) result.push('ticket');
  return result;
}

/**
 * Over every evaluation of the episode (a subquery at 1m steps), the number of minutes where the alert of one
 * severity is firing and the same multiwindow condition written on the raw series is not, or the other way round.
 */
function disagreementExpr(slo: Slo, rule: AlertingRule, severity: SloSeverity, windows: ReturnType<typeof burnRateWindows>, budget: number): string {
  const raw = (windowMs: number) => {
    const window = formatPromDuration(windowMs);
    const rates = eventRates(slo.indicator, window);
    return `(${(rates ? ratioOf(rates) : errorRatioExpr(slo.indicator, window)).trim().replace(/\n/g, ' ')})`;
  };
  const [quick, slowPair] = severity === 'page' ? [windows.pageQuick, windows.pageSlow] : [windows.ticketQuick, windows.ticketSlow];
  const pair = (window: typeof quick) => {
    const threshold = `(${formatNumber(window.factor)} * ${formatNumber(budget)})`;
    return `(${raw(window.shortWindow)} > ${threshold} and ${raw(window.longWindow)} > ${threshold})`;
  };
  const condition = `(count(${pair(quick)} or ${pair(slowPair)}) or vector(0))`;
  const firing = `(count(ALERTS{alertname=${JSON.stringify(rule.alert)}, alertstate="firing", ${AlertLabels.severity}="${severity}"}) or vector(0))`;
  return `sum_over_time(abs(${firing} - ${condition})[${EPISODE.minutes}m:1m])`;
}

function severityOf(rule: AlertingRule): SloSeverity {
  return rule.labels.slo_severity === 'ticket' ? 'ticket' : 'page';
}

function expectedAlert(rule: AlertingRule, resultLabels: Record<string, string>): Record<string, unknown> | null {
  const labels = Object.fromEntries(Object.entries({ ...resultLabels, ...rule.labels }).sort(([a], [b]) => a.localeCompare(b)));
  const annotations: Record<string, string> = {};
  for (const [key, template] of Object.entries(rule.annotations)) {
    const value = template.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
    if (value.includes('{{')) return null;
    annotations[key] = value;
  }
  return { exp_labels: labels, exp_annotations: annotations };
}

/**
 * A counter growing by `share(errorRatio)` of TOTAL_PER_MINUTE each minute of the profile, in promtool's expanding
 * notation: one `start+step x count` run per segment, the first starting at 0.
 */
type CounterOf = (share: (errorRatio: number) => number) => string;

function counterOf(profile: Profile): CounterOf {
  return (share) => {
    let value = 0;
    const runs = profile.map((segment, index) => {
      const step = clean((segment.perMinute ?? TOTAL_PER_MINUTE) * share(segment.errorRatio));
      const first = index === 0 ? 0 : clean(value + step);
      const count = index === 0 ? segment.minutes : segment.minutes - 1;
      value = clean(first + step * count);
      return `${formatNumber(first)}+${formatNumber(step)}x${count}`;
    });
    return runs.join(' ');
  };
}

/** Input series following the error-ratio profile, or a string saying why this indicator cannot be synthesized. */
function inputSeriesFor(indicator: Indicator, profile: Profile): InputSeries[] | string {
  const counter = counterOf(profile);
  switch (indicator.kind) {
    case 'ratio':
      return counterPair(indicator.errors, indicator.total, counter);
    case 'events': {
      const errors = windowedSelectors(indicator.errorQuery);
      const total = windowedSelectors(indicator.totalQuery);
      const good = errors.length === 2 && total.length === 1 ? errors.find((selector) => selector !== total[0]) : undefined;
      if (good !== undefined && errors.includes(total[0]!)) return goodTotalPair(good, total[0]!, counter);
      if (errors.length !== 1 || total.length !== 1) {
        return 'events queries must each read exactly one `metric{...}[{{window}}]` selector for a test to be generated';
      }
      return counterPair(errors[0]!, total[0]!, counter);
    }
    case 'latency': {
      if (indicator.native) return 'promtool 2.42 input_series cannot express native histograms';
      const { name, matchers } = parseSelector(indicator.histogram);
      const parsed = parseMatchers(matchers);
      const labels = parsed && solveLabels(parsed);
      if (!labels) return `cannot pick label values matching ${indicator.histogram}`;
      return [
        { series: seriesText(`${name}_count`, labels), values: counter(() => 1) },
        { series: seriesText(`${name}_bucket`, { ...labels, le: formatNumber(indicator.threshold) }), values: counter((ratio) => 1 - ratio) },
      ];
    }
    case 'boolGauge': {
      const { name, matchers } = parseSelector(indicator.metric);
      const parsed = parseMatchers(matchers);
      const labels = parsed && solveLabels(parsed);
      if (!labels) return `cannot pick label values matching ${indicator.metric}`;
      const runs = profile.map((segment, index) => `${formatNumber(clean(1 - segment.errorRatio))}+0x${index === 0 ? segment.minutes : segment.minutes - 1}`);
      return [{ series: seriesText(name, labels), values: runs.join(' ') }];
    }
    case 'raw':
      return 'raw error-ratio queries are free-form PromQL: no input series can be derived';
  }
}

function windowedSelectors(template: string): string[] {
  const found = template.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\[\{\{\s*\.?window\s*\}\}\]/g);
  return [...found].map((match) => match[1]!);
}

function counterPair(errorsSelector: string, totalSelector: string, counter: CounterOf): InputSeries[] | string {
  const errors = safeSelector(errorsSelector);
  const total = safeSelector(totalSelector);
  if (!errors || !total) return `cannot read the selectors ${errorsSelector} and ${totalSelector}`;
  if (errors.name !== total.name) {
    const errorLabels = solveLabels(errors.matchers);
    const totalLabels = solveLabels(total.matchers);
    if (!errorLabels || !totalLabels) return `cannot pick label values matching ${errorsSelector} and ${totalSelector}`;
    return [
      { series: seriesText(errors.name, errorLabels), values: counter((ratio) => ratio) },
      { series: seriesText(total.name, totalLabels), values: counter(() => 1) },
    ];
  }
  const errorLabels = solveLabels([...errors.matchers, ...total.matchers]);
  const goodLabels = solveLabels(total.matchers, errors.matchers);
  if (!errorLabels || !goodLabels) return `cannot pick label values that tell ${errorsSelector} apart within ${totalSelector}`;
  return [
    { series: seriesText(errors.name, errorLabels), values: counter((ratio) => ratio) },
    { series: seriesText(total.name, goodLabels), values: counter((ratio) => 1 - ratio) },
  ];
}

/** Errors written as `total - good` (OpenSLO good/total): good series plus bad series that the good selector misses. */
function goodTotalPair(goodSelector: string, totalSelector: string, counter: CounterOf): InputSeries[] | string {
  const good = safeSelector(goodSelector);
  const total = safeSelector(totalSelector);
  if (!good || !total || good.name !== total.name) return `cannot read the selectors ${goodSelector} and ${totalSelector} as one counter`;
  const goodLabels = solveLabels([...good.matchers, ...total.matchers]);
  const badLabels = solveLabels(total.matchers, good.matchers);
  if (!goodLabels || !badLabels) return `cannot pick label values that tell ${goodSelector} apart within ${totalSelector}`;
  return [
    { series: seriesText(total.name, goodLabels), values: counter((ratio) => 1 - ratio) },
    { series: seriesText(total.name, badLabels), values: counter((ratio) => ratio) },
  ];
}

function safeSelector(text: string) {
  try {
    const { name, matchers } = parseSelector(text);
    const parsed = parseMatchers(matchers);
    return parsed ? { name, matchers: parsed } : null;
  } catch {
    return null;
  }
}
