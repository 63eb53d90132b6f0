import { formatNumber } from '../../../../slo-compiler/rules/number.js';

describe('formatNumber', () => {
  test.each([
    ['an error budget computed as 100 - 99.9 prints without float noise', (100 - 99.9) / 100, '0.001'],
    ["Sloth's noisy budget literal prints clean", 0.0009999999999999432, '0.001'],
    ['an objective ratio 99.9 / 100 prints as written', 99.9 / 100, '0.999'],
    ['a 28d page-slow factor 5.6000000000000005 prints as 5.6', 5.6000000000000005, '5.6'],
    ['a repeating factor keeps twelve significant digits', 0.9333333333333333, '0.933333333333'],
    ['integers print without a decimal point', 14.4 * 10, '144'],
    ['many nines keep their precision', (100 - 99.999) / 100, '0.00001'],
    ['negative zero prints as 0', -0, '0'],
  ])('%s', (_description, value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  test('refuses values PromQL cannot read back', () => {
    expect(() => formatNumber(Number.NaN)).toThrow(/NaN/);
    expect(() => formatNumber(Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
  });
});
