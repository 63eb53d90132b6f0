/**
 * Sloth parity, structurally: our rules for Sloth's own fixture spec have the same group names, rule names,
 * label sets and (parsed) expressions as Sloth generates. Expected values are written from
 * slok/sloth test/integration/prometheus/testdata/out-base-28d.yaml.tpl (input: testdata/in-base.yaml, SLO "slo1",
 * 28d period). Differences, by design: alerts also carry `slo` and `slo_severity`; numbers print without float noise
 * (compared by value here); sloth_slo_info's sloth_version says metricops.
 */
import { sloRuleGroups } from '../../../../slo-compiler/rules/slo-rule-groups.js';
import { isAlertingRule, type Rule } from '../../../../slo-compiler/rules/rule.js';
import { slothBaseSlo1 } from './fixtures.js';
import { promqlShape } from './promql-shape.js';

const F = '{sloth_id="svc01-slo1", sloth_service="svc01", sloth_slo="slo1"}';
const sliLabels = (window: string) => ({
  global01k1: 'global01v1',
  global02k1: 'global02v1',
  sloth_id: 'svc01-slo1',
  sloth_service: 'svc01',
  sloth_slo: 'slo1',
  sloth_window: window,
});
const metaLabels = { global01k1: 'global01v1', global02k1: 'global02v1', sloth_id: 'svc01-slo1', sloth_service: 'svc01', sloth_slo: 'slo1' };
const eventsExpr = (w: string) =>
  `(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[${w}])))\n/\n((sum(rate(http_request_duration_seconds_count{job="myservice"}[${w}]))) > 0)\n`;
const burn = (metric: string) => `${metric}${F}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${F}\n`;
const over = (w: string, factor: string) => `max(slo:sli_error:ratio_rate${w}${F} > (${factor} * 0.0009999999999999432)) without (sloth_window)`;
const mwmb = (a: [string, string, string], b: [string, string, string]) =>
  `(\n${over(a[0], a[2])}\nand\n${over(a[1], a[2])}\n)\nor\n(\n${over(b[0], b[2])}\nand\n${over(b[1], b[2])}\n)\n`;
const annotations = (severity: string) => ({
  alert02k1: 'alert02k2',
  summary: '{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.',
  title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
});

interface Expected {
  group: string;
  name: string;
  expr: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

const expected: Expected[] = [
  ...['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => ({
    group: 'sloth-slo-sli-recordings-svc01-slo1',
    name: `slo:sli_error:ratio_rate${w}`,
    expr: eventsExpr(w),
    labels: sliLabels(w),
  })),
  {
    group: 'sloth-slo-sli-recordings-svc01-slo1',
    name: 'slo:sli_error:ratio_rate4w',
    expr: `sum_over_time(slo:sli_error:ratio_rate5m${F}[4w])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${F}[4w])\n`,
    labels: sliLabels('4w'),
  },
  { group: 'sloth-slo-meta-recordings-svc01-slo1', name: 'slo:objective:ratio', expr: 'vector(0.9990000000000001)', labels: metaLabels },
  { group: 'sloth-slo-meta-recordings-svc01-slo1', name: 'slo:error_budget:ratio', expr: 'vector(1-0.9990000000000001)', labels: metaLabels },
  { group: 'sloth-slo-meta-recordings-svc01-slo1', name: 'slo:time_period:days', expr: 'vector(28)', labels: metaLabels },
  { group: 'sloth-slo-meta-recordings-svc01-slo1', name: 'slo:current_burn_rate:ratio', expr: burn('slo:sli_error:ratio_rate5m'), labels: metaLabels },
  { group: 'sloth-slo-meta-recordings-svc01-slo1', name: 'slo:period_burn_rate:ratio', expr: burn('slo:sli_error:ratio_rate4w'), labels: metaLabels },
  {
    group: 'sloth-slo-meta-recordings-svc01-slo1',
    name: 'slo:period_error_budget_remaining:ratio',
    expr: `1 - slo:period_burn_rate:ratio${F}`,
    labels: metaLabels,
  },
  {
    group: 'sloth-slo-meta-recordings-svc01-slo1',
    name: 'sloth_slo_info',
    expr: 'vector(1)',
    labels: { ...metaLabels, sloth_mode: 'cli-gen-prom', sloth_objective: '99.9', sloth_spec: 'prometheus/v1', sloth_version: 'metricops' },
  },
  {
    group: 'sloth-slo-alerts-svc01-slo1',
    name: 'myServiceAlert',
    expr: mwmb(['5m', '1h', '13.44'], ['30m', '6h', '5.6000000000000005']),
    labels: { alert01k1: 'alert01v1', alert03k1: 'alert03v1', sloth_severity: 'page', slo: 'svc01-slo1', slo_severity: 'page' },
    annotations: annotations('page'),
  },
  {
    group: 'sloth-slo-alerts-svc01-slo1',
    name: 'myServiceAlert',
    expr: mwmb(['2h', '1d', '2.8000000000000003'], ['6h', '3d', '0.9333333333333333']),
    labels: { alert01k1: 'alert01v1', alert04k1: 'alert04v1', sloth_severity: 'ticket', slo: 'svc01-slo1', slo_severity: 'ticket' },
    annotations: annotations('ticket'),
  },
];

const ruleName = (rule: Rule) => (isAlertingRule(rule) ? rule.alert : rule.record);
const ours = sloRuleGroups(slothBaseSlo1('28d'), { longWindows: 'sloth', info: { version: 'metricops', mode: 'cli-gen-prom' } }).flatMap((group) =>
  group.rules.map((rule) => ({ group: group.name, rule })),
);

describe('Sloth parity (out-base-28d.yaml.tpl, SLO slo1)', () => {
  test('same groups and rules, in the same order', () => {
    expect(ours.map(({ group, rule }) => `${group}/${ruleName(rule)}`)).toEqual(expected.map((rule) => `${rule.group}/${rule.name}`));
  });

  test.each(expected.map((rule, index) => [`${rule.name} #${index}`, index] as const))('%s: same labels and an equivalent expression', (_name, index) => {
    const want = expected[index]!;
    const got = ours[index]!.rule;
    expect(got.labels).toEqual(want.labels);
    expect(promqlShape(got.expr)).toEqual(promqlShape(want.expr));
    if (want.annotations) expect(isAlertingRule(got) && got.annotations).toEqual(want.annotations);
  });
});

/**
 * The same fixture's SLO "slo02": a raw SLI (errorRatioQuery) with both alerts disabled. Sloth emits the SLI and
 * metadata groups and no alert group; its raw expression is `(<template>)` with the window filled in.
 */
describe('Sloth parity (out-base-28d.yaml.tpl, SLO slo02: raw SLI, alerts disabled)', () => {
  const slo02 = slothBaseSlo1('28d');
  Object.assign(slo02, {
    name: 'svc01-slo02',
    slothId: 'svc01-slo02',
    slothSlo: 'slo02',
    objective: 95,
    labels: { global01k1: 'global01v1', global03k1: 'global03v1' },
    indicator: {
      kind: 'raw',
      errorRatioQuery:
        'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))\n/\nsum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))\n',
    },
  });
  slo02.alerting = { ...slo02.alerting, page: { ...slo02.alerting.page, disabled: true }, ticket: { ...slo02.alerting.ticket, disabled: true } };
  const groups = sloRuleGroups(slo02, { longWindows: 'sloth', info: { version: 'metricops', mode: 'cli-gen-prom' } });

  test('only the SLI and metadata groups', () => {
    expect(groups.map((group) => group.name)).toEqual(['sloth-slo-sli-recordings-svc01-slo02', 'sloth-slo-meta-recordings-svc01-slo02']);
  });

  test('the 5m rule matches Sloth\'s raw expression and labels', () => {
    const rule = groups[0]!.rules[0]!;
    expect(ruleName(rule)).toBe('slo:sli_error:ratio_rate5m');
    expect(rule.labels).toEqual({
      global01k1: 'global01v1',
      global03k1: 'global03v1',
      sloth_id: 'svc01-slo02',
      sloth_service: 'svc01',
      sloth_slo: 'slo02',
      sloth_window: '5m',
    });
    const sloth =
      '(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[5m]))\n/\nsum(rate(http_request_duration_seconds_count{job="myservice"}[5m]))\n)';
    expect(promqlShape(rule.expr)).toEqual(promqlShape(sloth));
  });

  test('objective 95 gives Sloth\'s vector(0.95) and vector(1-0.95)', () => {
    expect(groups[1]!.rules.slice(0, 2).map((rule) => rule.expr)).toEqual(['vector(0.95)', 'vector(1-0.95)']);
  });
});

/**
 * The default `counts` mode computes windows differently but keeps every Sloth rule: same group, name and labels
 * (Sloth's dashboards select by them), same alerts. It adds the recorded 5m rates and an hourly group.
 */
describe('Sloth names and labels in counts mode (out-base-28d.yaml.tpl, SLO slo1)', () => {
  const groups = sloRuleGroups(slothBaseSlo1('28d'), { longWindows: 'counts', info: { version: 'metricops', mode: 'cli-gen-prom' } });
  const counts = groups.flatMap((group) => group.rules.map((rule) => ({ group: group.name, rule })));

  test.each(expected.map((rule, index) => [`${rule.name} #${index}`, index] as const))('%s: present in the same group with the same labels', (_name, index) => {
    const want = expected[index]!;
    const sorted = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
    const got = counts.filter(({ group, rule }) => group === want.group && ruleName(rule) === want.name && sorted(rule.labels) === sorted(want.labels));
    expect(got).toHaveLength(1);
    if (want.annotations) expect(isAlertingRule(got[0]!.rule) && got[0]!.rule.expr).toBe(isAlertingRule(ours[index]!.rule) && ours[index]!.rule.expr);
  });

  test('the extra rules: a group evaluated hourly, then the 5m event rates first in the SLI group', () => {
    expect(groups.map((group) => [group.name, group.interval ?? 'global'])).toEqual([
      ['metricops-slo-sli-hourly-svc01-slo1', '1h'],
      ['sloth-slo-sli-recordings-svc01-slo1', 'global'],
      ['sloth-slo-meta-recordings-svc01-slo1', 'global'],
      ['sloth-slo-alerts-svc01-slo1', 'global'],
    ]);
    expect(groups[1]!.rules.slice(0, 2).map(ruleName)).toEqual(['slo:sli_error_events:rate5m', 'slo:sli_events:rate5m']);
    expect(groups[0]!.rules.map(ruleName)).toEqual(['slo:sli_error_events_hourly:rate1h', 'slo:sli_events_hourly:rate1h']);
  });
});
