import yaml from 'js-yaml';
import { windowGroups } from '../../../../feedback-pipeline/ui/alert-thresholds.js';
import { compile } from '../../../../slo-compiler/compile.js';
import { parseSpecs } from '../../../../slo-compiler/inputs/parse.js';
import { burnRateWindows } from '../../../../slo-compiler/rules/burn-rate.js';
import { parseDuration, formatDuration } from '../../../../common/duration.js';

const spec = (window: string) => `apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata: {name: checkout-availability, namespace: shop}
spec:
  service: checkout
  objective: 99.5
  window: ${window}
  target: {deployment: checkout}
  indicator:
    ratio: {errors: 'http_requests_total{code=~"5.."}', total: 'http_requests_total'}
`;

type Rule = { alert?: string; expr: string; labels?: Record<string, string> };

function alertRules(window: string, longWindows: 'counts' | 'sloth'): Rule[] {
  const { input, issues } = parseSpecs([{ source: 'slo.yaml', text: spec(window) }]);
  expect(issues).toEqual([]);
  const compiled = compile(input, { format: 'prometheus', longWindows, emitTests: false });
  const file = compiled.files.find((entry) => entry.path === 'checkout-availability.rules.yaml')!;
  const groups = (yaml.load(file.content) as { groups: { rules: Rule[] }[] }).groups;
  return groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
}

const windowName = (ms: number) => formatDuration(ms);

describe('alert thresholds read back from the compiled alert rules', () => {
  test.each([
    ['a 30d SLO, windows as counts (the default)', '30d', 'counts'],
    ['a 28d SLO, windows as counts', '28d', 'counts'],
    ['a 30d SLO, Sloth\'s expressions', '30d', 'sloth'],
    ['a 7d SLO, windows as counts', '7d', 'counts'],
  ] as const)('%s: each alert is two window pairs, each window over the compiler\'s factor times the budget', (_name, window, longWindows) => {
    const factors = burnRateWindows(parseDuration(window));
    const budget = 1 - 0.995;
    const expected = {
      page: [factors.pageQuick, factors.pageSlow],
      ticket: [factors.ticketQuick, factors.ticketSlow],
    };
    const rules = alertRules(window, longWindows);
    expect(rules.map((rule) => rule.labels?.slo_severity)).toEqual(['page', 'ticket']);
    for (const rule of rules) {
      const groups = windowGroups(rule.expr);
      const pairs = expected[rule.labels!.slo_severity as 'page' | 'ticket'];
      expect(groups.map((group) => group.map((condition) => condition.window))).toEqual(pairs.map((pair) => [windowName(pair.shortWindow), windowName(pair.longWindow)]));
      groups.forEach((group, index) => {
        for (const condition of group) expect(condition.errorRatio).toBeCloseTo(pairs[index]!.factor * budget, 12);
      });
    }
  });

  test.each([
    ['Prometheus\' own printing of the rule (aggregation modifier first)', 'max without (sloth_window) (slo:sli_error:ratio_rate5m{sloth_id="a"} > (14.4 * 0.001)) and max without (sloth_window) (slo:sli_error:ratio_rate1h{sloth_id="a"} > (14.4 * 0.001))', [[{ window: '5m', errorRatio: 14.4 * 0.001 }, { window: '1h', errorRatio: 14.4 * 0.001 }]]],
    ['a plain number threshold', 'slo:sli_error:ratio_rate5m > 0.02', [[{ window: '5m', errorRatio: 0.02 }]]],
    ['an or of single windows', 'slo:sli_error:ratio_rate5m > 0.1 or slo:sli_error:ratio_rate30m >= 2 / 100', [[{ window: '5m', errorRatio: 0.1 }], [{ window: '30m', errorRatio: 0.02 }]]],
    ['(a or b) and c distributes', '(slo:sli_error:ratio_rate5m > 1 or slo:sli_error:ratio_rate30m > 2) and slo:sli_error:ratio_rate1h > 3', [[{ window: '5m', errorRatio: 1 }, { window: '1h', errorRatio: 3 }], [{ window: '30m', errorRatio: 2 }, { window: '1h', errorRatio: 3 }]]],
    ['other series and non-constant thresholds are not thresholds', 'rate(x[5m]) > 1 and slo:sli_error:ratio_rate5m > on() other_metric', []],
    ['an inline rule has none', 'sum(rate(errors_total[5m])) > 5', []],
    ['an expression that does not parse has none', 'slo:sli_error:ratio_rate5m > (', []],
  ])('%s', (_name, expr, expected) => {
    expect(windowGroups(expr as string)).toEqual(expected);
  });
});
