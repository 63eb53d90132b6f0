import type { SloSeverity } from '../../common/contract/alert-labels.js';
import { parseDuration } from '../../common/duration.js';
import type { Indicator, Slo } from '../model.js';
import { errorBudget } from '../rules/alert-rules.js';
import { burnRateWindows } from '../rules/burn-rate.js';
import { clean, formatNumber } from '../rules/number.js';
import { isAlertingRule, type AlertingRule, type RuleGroup } from '../rules/rule.js';
import { parseSelector } from '../rules/selector.js';
import { generatedHeader } from './header.js';
import { parseMatchers, seriesText, solveLabels } from './series-labels.js';
import { toYaml } from './yaml.js';

/**
 * promtool unit tests for one SLO: a steady 20x burn must fire the page alert (and whatever else that burn
 * crosses), a steady 0.5x burn must fire nothing (for 28d/30d periods). Input series are synthesized from the
 * indicator's selectors; indicators we cannot synthesize (raw, native histograms, free-form events) are skipped
 * with a reason.
 */
export type EmittedTest = { kind: 'test'; content: string } | { kind: 'skipped'; reason: string };

const TOTAL_PER_MINUTE = 1000;
const SERIES_MINUTES = 7 * 60;
const FAST_BURN = 20;
const SLOW_BURN = 0.5;

interface InputSeries {
  series: string;
  values: string;
}

export function emitPromtoolTest(slo: Slo, groups: RuleGroup[], ruleFile: string): EmittedTest {
  const budget = errorBudget(slo.objective);
  const series = (burn: number) => inputSeriesFor(slo.indicator, clean(Math.min(1, burn * budget)));
  const fast = series(FAST_BURN);
  const slow = series(SLOW_BURN);
  if (typeof fast === 'string') return { kind: 'skipped', reason: fast };
  if (typeof slow === 'string') return { kind: 'skipped', reason: slow };

  const alerts = groups.flatMap((group) => group.rules.filter(isAlertingRule));
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
  const document = {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      test(`${slo.name}: a ${FAST_BURN}x error-budget burn pages`, fast, ['2h'], fastAlerts),
      test(`${slo.name}: a ${SLOW_BURN}x error-budget burn stays quiet`, slow, ['2h', '6h'], slowAlerts),
    ],
  };
  return { kind: 'test', content: generatedHeader([slo.location.source]) + toYaml(document) };
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

/** Input series with the given steady error ratio, or a string saying why this indicator cannot be synthesized. */
function inputSeriesFor(indicator: Indicator, errorRatio: number): InputSeries[] | string {
  const counter = (perMinute: number) => `0+${formatNumber(clean(perMinute))}x${SERIES_MINUTES}`;
  switch (indicator.kind) {
    case 'ratio':
      return counterPair(indicator.errors, indicator.total, errorRatio, counter);
    case 'events': {
      const errors = windowedSelectors(indicator.errorQuery);
      const total = windowedSelectors(indicator.totalQuery);
      const good = errors.length === 2 && total.length === 1 ? errors.find((selector) => selector !== total[0]) : undefined;
      if (good !== undefined && errors.includes(total[0]!)) return goodTotalPair(good, total[0]!, errorRatio, counter);
      if (errors.length !== 1 || total.length !== 1) {
        return 'events queries must each read exactly one `metric{...}[{{window}}]` selector for a test to be generated';
      }
      return counterPair(errors[0]!, total[0]!, errorRatio, counter);
    }
    case 'latency': {
      if (indicator.native) return 'promtool 2.42 input_series cannot express native histograms';
      const { name, matchers } = parseSelector(indicator.histogram);
      const parsed = parseMatchers(matchers);
      const labels = parsed && solveLabels(parsed);
      if (!labels) return `cannot pick label values matching ${indicator.histogram}`;
      return [
        { series: seriesText(`${name}_count`, labels), values: counter(TOTAL_PER_MINUTE) },
        {
          series: seriesText(`${name}_bucket`, { ...labels, le: formatNumber(indicator.threshold) }),
          values: counter(TOTAL_PER_MINUTE * (1 - errorRatio)),
        },
      ];
    }
    case 'boolGauge': {
      const { name, matchers } = parseSelector(indicator.metric);
      const parsed = parseMatchers(matchers);
      const labels = parsed && solveLabels(parsed);
      if (!labels) return `cannot pick label values matching ${indicator.metric}`;
      return [{ series: seriesText(name, labels), values: `${formatNumber(clean(1 - errorRatio))}+0x${SERIES_MINUTES}` }];
    }
    case 'raw':
      return 'raw error-ratio queries are free-form PromQL: no input series can be derived';
  }
}

function windowedSelectors(template: string): string[] {
  const found = template.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\[\{\{\s*\.?window\s*\}\}\]/g);
  return [...found].map((match) => match[1]!);
}

function counterPair(errorsSelector: string, totalSelector: string, errorRatio: number, counter: (perMinute: number) => string): InputSeries[] | string {
  const errors = safeSelector(errorsSelector);
  const total = safeSelector(totalSelector);
  if (!errors || !total) return `cannot read the selectors ${errorsSelector} and ${totalSelector}`;
  const errorsPerMinute = TOTAL_PER_MINUTE * errorRatio;
  if (errors.name !== total.name) {
    const errorLabels = solveLabels(errors.matchers);
    const totalLabels = solveLabels(total.matchers);
    if (!errorLabels || !totalLabels) return `cannot pick label values matching ${errorsSelector} and ${totalSelector}`;
    return [
      { series: seriesText(errors.name, errorLabels), values: counter(errorsPerMinute) },
      { series: seriesText(total.name, totalLabels), values: counter(TOTAL_PER_MINUTE) },
    ];
  }
  const errorLabels = solveLabels([...errors.matchers, ...total.matchers]);
  const goodLabels = solveLabels(total.matchers, errors.matchers);
  if (!errorLabels || !goodLabels) return `cannot pick label values that tell ${errorsSelector} apart within ${totalSelector}`;
  return [
    { series: seriesText(errors.name, errorLabels), values: counter(errorsPerMinute) },
    { series: seriesText(total.name, goodLabels), values: counter(TOTAL_PER_MINUTE - errorsPerMinute) },
  ];
}

/** Errors written as `total - good` (OpenSLO good/total): good series plus bad series that the good selector misses. */
function goodTotalPair(goodSelector: string, totalSelector: string, errorRatio: number, counter: (perMinute: number) => string): InputSeries[] | string {
  const good = safeSelector(goodSelector);
  const total = safeSelector(totalSelector);
  if (!good || !total || good.name !== total.name) return `cannot read the selectors ${goodSelector} and ${totalSelector} as one counter`;
  const goodLabels = solveLabels([...good.matchers, ...total.matchers]);
  const badLabels = solveLabels(total.matchers, good.matchers);
  if (!goodLabels || !badLabels) return `cannot pick label values that tell ${goodSelector} apart within ${totalSelector}`;
  return [
    { series: seriesText(total.name, goodLabels), values: counter(TOTAL_PER_MINUTE * (1 - errorRatio)) },
    { series: seriesText(total.name, badLabels), values: counter(TOTAL_PER_MINUTE * errorRatio) },
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
