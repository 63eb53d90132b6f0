import { formatPromDuration } from '../../../../slo-compiler/rules/prom-duration.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

describe('formatPromDuration (Prometheus model.Duration spelling)', () => {
  test.each([
    ['5 minutes', 5 * MINUTE, '5m'],
    ['one hour', 60 * MINUTE, '1h'],
    ['one day stays in days', DAY, '1d'],
    ['three days', 3 * DAY, '3d'],
    ['28 days are exactly four weeks (Sloth names slo:sli_error:ratio_rate4w)', 28 * DAY, '4w'],
    ['7 days are one week', 7 * DAY, '1w'],
    ['30 days are not a whole number of weeks, so they stay 30d', 30 * DAY, '30d'],
    ['90 minutes mix units', 90 * MINUTE, '1h30m'],
    ['zero is 0s', 0, '0s'],
  ])('%s', (_description, milliseconds, expected) => {
    expect(formatPromDuration(milliseconds)).toBe(expected);
  });
});
