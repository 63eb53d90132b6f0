import { DurationError, formatDuration, parseDuration } from '../../../common/duration.js';

describe('parseDuration', () => {
  const cases: Array<[string, string, number]> = [
    ['seconds', '30s', 30_000],
    ['minutes', '5m', 300_000],
    ['compound hours and minutes', '1h30m', 5_400_000],
    ['days', '30d', 30 * 86_400_000],
    ['weeks', '2w', 14 * 86_400_000],
    ['milliseconds', '250ms', 250],
  ];
  test.each(cases)('reads %s', (_sentence, text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  test.each(['', '5', 'm5', '5 minutes', '1.5h', '0s', '-5m'])('rejects %p and says what a duration looks like', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });
});

describe('formatDuration', () => {
  test.each([
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [30 * 86_400_000, '30d'],
    [2_592_000_000 / 10, '3d'],
  ])('formats %p ms as %p', (milliseconds, expected) => {
    expect(formatDuration(milliseconds)).toBe(expected);
    expect(parseDuration(expected)).toBe(milliseconds);
  });
});
