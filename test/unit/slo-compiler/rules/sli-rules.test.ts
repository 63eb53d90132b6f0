import { burnRateWindows } from '../../../../slo-compiler/rules/burn-rate.js';
import { errorRatioExpr, eventRates, leMatcher } from '../../../../slo-compiler/rules/sli-expression.js';
import { sliRecordingRules } from '../../../../slo-compiler/rules/sli-rules.js';
import { indicators, makeSlo } from './fixtures.js';
import { promqlShape } from './promql-shape.js';

const DAY = 86_400_000;
const windows30d = burnRateWindows(30 * DAY);

describe('errorRatioExpr: one error ratio per indicator kind', () => {
  test.each([
    [
      'ratio divides summed counter rates, guarding an idle denominator',
      indicators.ratio!,
      '(sum(rate(http_requests_total{job="checkout",code=~"5.."}[1h])))\n/\n((sum(rate(http_requests_total{job="checkout"}[1h]))) > 0)\n',
    ],
    [
      'events fill {{.window}} in both templates (Sloth events form)',
      indicators.events!,
      '(sum(rate(http_requests_total{job="checkout",code=~"(5..|429)"}[1h])))\n/\n((sum(rate(http_requests_total{job="checkout"}[1h]))) > 0)\n',
    ],
    ['raw fills the template and wraps it (Sloth raw form)', indicators.raw!, '(1 - avg_over_time(up{job="checkout"}[1h]))'],
    [
      'latency on a classic histogram counts requests above the le bucket as errors',
      indicators.latency!,
      '((sum(rate(http_request_duration_seconds_count{job="checkout"}[1h])) - sum(rate(http_request_duration_seconds_bucket{job="checkout",le="0.3"}[1h]))))\n/\n((sum(rate(http_request_duration_seconds_count{job="checkout"}[1h]))) > 0)\n',
    ],
    [
      'latency on a native histogram uses histogram_fraction',
      indicators.nativeLatency!,
      '1 - histogram_fraction(0, 0.3, sum(rate(http_request_duration_seconds{job="checkout"}[1h])))',
    ],
    ['boolGauge is one minus the time average', indicators.boolGauge!, '1 - avg(avg_over_time(probe_success{job="blackbox",instance="checkout"}[1h]))'],
  ])('%s', (_description, indicator, expected) => {
    const expr = errorRatioExpr(indicator, '1h');
    expect(expr).toBe(expected);
    expect(() => promqlShape(expr)).not.toThrow();
  });

  test.each([
    ['a fractional boundary matches exactly', 0.25, 'le="0.25"'],
    ['a whole-number boundary matches both the Go ("1") and Python/Java ("1.0") spellings', 1, 'le=~"1|1[.]0"'],
  ])('leMatcher: %s', (_description, threshold, expected) => {
    expect(leMatcher(threshold)).toBe(expected);
  });

  test('a histogram without matchers gets only the le matcher', () => {
    const rates = eventRates({ kind: 'latency', histogram: 'rpc_seconds', threshold: 0.5, native: false }, '5m');
    expect(rates?.total).toBe('sum(rate(rpc_seconds_count[5m]))');
    expect(rates?.errors).toContain('rpc_seconds_bucket{le="0.5"}');
  });
});

describe('sliRecordingRules', () => {
  test('exact: one slo:sli_error:ratio_rate<window> per alert window plus the period, with Sloth labels', () => {
    const rules = sliRecordingRules(makeSlo(), 30 * DAY, windows30d, 'exact');
    expect(rules.map((rule) => rule.record)).toEqual([
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate2h',
      'slo:sli_error:ratio_rate6h',
      'slo:sli_error:ratio_rate1d',
      'slo:sli_error:ratio_rate3d',
      'slo:sli_error:ratio_rate30d',
    ]);
    expect(rules[0]!.labels).toEqual({
      sloth_id: 'checkout-availability',
      sloth_service: 'checkout',
      sloth_slo: 'availability',
      sloth_window: '5m',
      team: 'shop',
    });
    expect(rules.find((rule) => rule.record.endsWith('3d'))!.expr).toContain('[3d]');
  });

  test('reuse: records event rates at 5m and computes 1d, 3d and the period as a ratio of summed counts', () => {
    const rules = sliRecordingRules(makeSlo(), 30 * DAY, windows30d, 'reuse');
    const byName = new Map(rules.map((rule) => [rule.record, rule.expr]));
    expect(byName.get('slo:sli_error_events:rate5m')).toBe('sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))');
    expect(byName.get('slo:sli_events:rate5m')).toBe('sum(rate(http_requests_total{job="checkout"}[5m]))');
    for (const window of ['1d', '3d', '30d']) {
      const expr = byName.get(`slo:sli_error:ratio_rate${window}`)!;
      expect(expr).toContain(`sum_over_time(slo:sli_error_events:rate5m{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"}[${window}])`);
      expect(expr).toContain(`sum_over_time(slo:sli_events:rate5m{`);
      expect(expr).not.toContain('count_over_time');
    }
    for (const window of ['5m', '30m', '1h', '2h', '6h']) {
      expect(byName.get(`slo:sli_error:ratio_rate${window}`)).toContain(`http_requests_total{job="checkout"}[${window}]`);
    }
  });

  test.each([
    ['raw keeps exact long windows (no counts to sum; averaging ratios would be wrong)', indicators.raw!, '[3d]'],
    ['boolGauge averages its 5m ratios over time (equal time weights make that exact)', indicators.boolGauge!, 'avg_over_time(slo:sli_error:ratio_rate5m{'],
  ])('reuse: %s', (_description, indicator, expected) => {
    const rules = sliRecordingRules(makeSlo({ indicator }), 30 * DAY, windows30d, 'reuse');
    expect(rules.find((rule) => rule.record === 'slo:sli_error:ratio_rate3d')!.expr).toContain(expected);
    expect(rules.some((rule) => rule.record.startsWith('slo:sli_events'))).toBe(false);
  });

  test('exact: the period window is Sloth\'s informational mean of 5m ratios, named in Prometheus duration form', () => {
    const rules = sliRecordingRules(makeSlo({ window: '28d' }), 28 * DAY, burnRateWindows(28 * DAY), 'exact');
    const period = rules.at(-1)!;
    expect(period.record).toBe('slo:sli_error:ratio_rate4w');
    expect(period.labels.sloth_window).toBe('4w');
    expect(period.expr).toContain('/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{');
  });

  test('a period equal to an alert window is not recorded twice', () => {
    const rules = sliRecordingRules(makeSlo({ window: '3d' }), 3 * DAY, burnRateWindows(3 * DAY), 'exact');
    expect(rules.filter((rule) => rule.record === 'slo:sli_error:ratio_rate3d')).toHaveLength(1);
  });
});
