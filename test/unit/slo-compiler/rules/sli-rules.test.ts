import { burnRateWindows } from '../../../../slo-compiler/rules/burn-rate.js';
import { errorRatioExpr, eventRates, leMatcher } from '../../../../slo-compiler/rules/sli-expression.js';
import { hourlyRecordingRules, sliRecordingRules } from '../../../../slo-compiler/rules/sli-rules.js';
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

const SLOTH_RECORDS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((window) => `slo:sli_error:ratio_rate${window}`);

describe('sliRecordingRules', () => {
  const F = '{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"}';

  test('sloth: one slo:sli_error:ratio_rate<window> per alert window plus the period, with Sloth labels', () => {
    const rules = sliRecordingRules(makeSlo(), 30 * DAY, windows30d, 'sloth');
    expect(rules.map((rule) => rule.record)).toEqual(SLOTH_RECORDS);
    expect(rules[0]!.labels).toEqual({
      sloth_id: 'checkout-availability',
      sloth_service: 'checkout',
      sloth_slo: 'availability',
      sloth_window: '5m',
      team: 'shop',
    });
    expect(rules.find((rule) => rule.record.endsWith('3d'))!.expr).toContain('[3d]');
  });

  test('counts: 5m rates recorded once, the 5m ratio divides them, 30m-6h read raw series, 1d and 3d sum the 5m rates, the period sums hourly rates (the last hour\'s 5m rates until the hourly group runs)', () => {
    const rules = sliRecordingRules(makeSlo(), 30 * DAY, windows30d, 'counts');
    expect(rules.map((rule) => rule.record)).toEqual(['slo:sli_error_events:rate5m', 'slo:sli_events:rate5m', ...SLOTH_RECORDS]);
    const byName = new Map(rules.map((rule) => [rule.record, rule.expr]));
    expect(byName.get('slo:sli_error_events:rate5m')).toBe('sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))');
    expect(byName.get('slo:sli_events:rate5m')).toBe('sum(rate(http_requests_total{job="checkout"}[5m]))');
    expect(byName.get('slo:sli_error:ratio_rate5m')).toBe(`slo:sli_error_events:rate5m${F}\n/\n(slo:sli_events:rate5m${F} > 0)\n`);
    for (const window of ['30m', '1h', '2h', '6h']) expect(byName.get(`slo:sli_error:ratio_rate${window}`)).toBe(errorRatioExpr(indicators.ratio!, window));
    for (const window of ['1d', '3d']) {
      expect(byName.get(`slo:sli_error:ratio_rate${window}`)).toBe(
        `sum_over_time(slo:sli_error_events:rate5m${F}[${window}])\n/\n(sum_over_time(slo:sli_events:rate5m${F}[${window}]) > 0)\n`,
      );
    }
    expect(byName.get('slo:sli_error:ratio_rate30d')).toBe(
      `(\nsum_over_time(slo:sli_error_events_hourly:rate1h${F}[30d])\n/\n(sum_over_time(slo:sli_events_hourly:rate1h${F}[30d]) > 0)\n)\n` +
        `or ignoring (sloth_window)\n` +
        `(\nsum_over_time(slo:sli_error_events:rate5m${F}[1h])\n/\n(sum_over_time(slo:sli_events:rate5m${F}[1h]) > 0)\n)\n`,
    );
    for (const rule of rules) expect(() => promqlShape(rule.expr)).not.toThrow();
  });

  test('counts: a boolGauge counts probes (samples) as events and failed probes as errors', () => {
    const rules = sliRecordingRules(makeSlo({ indicator: indicators.boolGauge! }), 30 * DAY, windows30d, 'counts');
    const range = 'probe_success{job="blackbox",instance="checkout"}[5m]';
    expect(rules[0]!.expr).toBe(`sum(count_over_time(${range}) - sum_over_time(${range})) / 300`);
    expect(rules[1]!.expr).toBe(`sum(count_over_time(${range})) / 300`);
    expect(rules.find((rule) => rule.record.endsWith('3d'))!.expr).toContain('sum_over_time(slo:sli_error_events:rate5m{');
  });

  test('counts: a raw indicator has no counts: Sloth\'s windows, and the period is the time average of its 5m ratio from the hourly means', () => {
    const rules = sliRecordingRules(makeSlo({ indicator: indicators.raw! }), 30 * DAY, windows30d, 'counts');
    expect(rules.some((rule) => rule.record.startsWith('slo:sli_events'))).toBe(false);
    expect(rules.find((rule) => rule.record === 'slo:sli_error:ratio_rate3d')!.expr).toBe(errorRatioExpr(indicators.raw!, '3d'));
    expect(rules.at(-1)!.expr).toBe(`(\navg_over_time(slo:sli_error_hourly:ratio_rate1h${F}[30d])\n)\nor ignoring (sloth_window)\n(\navg_over_time(slo:sli_error:ratio_rate5m${F}[1h])\n)\n`);
  });

  test('sloth: the period window is Sloth\'s informational mean of 5m ratios, named in Prometheus duration form', () => {
    const rules = sliRecordingRules(makeSlo({ window: '28d' }), 28 * DAY, burnRateWindows(28 * DAY), 'sloth');
    const period = rules.at(-1)!;
    expect(period.record).toBe('slo:sli_error:ratio_rate4w');
    expect(period.labels.sloth_window).toBe('4w');
    expect(period.expr).toContain('/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{');
  });

  test.each(['sloth', 'counts'] as const)('%s: a period equal to an alert window is not recorded twice', (mode) => {
    const rules = sliRecordingRules(makeSlo({ window: '3d' }), 3 * DAY, burnRateWindows(3 * DAY), mode);
    expect(rules.filter((rule) => rule.record === 'slo:sli_error:ratio_rate3d')).toHaveLength(1);
    expect(hourlyRecordingRules(makeSlo({ window: '3d' }), 3 * DAY, burnRateWindows(3 * DAY), mode)).toEqual([]);
  });
});

describe('hourlyRecordingRules (the group evaluated once an hour)', () => {
  const F = '{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"}';

  test('counts: the mean of the recorded 5m error and event rates over the hour ending a second ago (no raw series read)', () => {
    const rules = hourlyRecordingRules(makeSlo(), 30 * DAY, windows30d, 'counts');
    expect(rules).toEqual([
      { record: 'slo:sli_error_events_hourly:rate1h', expr: `avg_over_time(slo:sli_error_events:rate5m${F}[1h] offset 1s)`, labels: expect.objectContaining({ sloth_window: '1h' }) },
      { record: 'slo:sli_events_hourly:rate1h', expr: `avg_over_time(slo:sli_events:rate5m${F}[1h] offset 1s)`, labels: expect.objectContaining({ sloth_window: '1h' }) },
    ]);
  });

  test('counts: a raw indicator records the mean of its 5m ratio over the hour', () => {
    const rules = hourlyRecordingRules(makeSlo({ indicator: indicators.raw! }), 30 * DAY, windows30d, 'counts');
    expect(rules.map((rule) => [rule.record, rule.expr])).toEqual([['slo:sli_error_hourly:ratio_rate1h', `avg_over_time(slo:sli_error:ratio_rate5m${F}[1h] offset 1s)`]]);
  });

  test('sloth: none', () => {
    expect(hourlyRecordingRules(makeSlo(), 30 * DAY, windows30d, 'sloth')).toEqual([]);
  });
});
