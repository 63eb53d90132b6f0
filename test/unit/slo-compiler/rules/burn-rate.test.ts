import { alertWindowList, burnRateWindows, BurnRatePeriodError } from '../../../../slo-compiler/rules/burn-rate.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('burnRateWindows', () => {
  test.each([
    // The SRE workbook's table for 30 days.
    ['30d: the workbook factors 14.4, 6, 3 and 1', 30 * DAY, [14.4, 6, 3, 1]],
    // Sloth's test/integration/prometheus/testdata/out-base-28d.yaml.tpl: 13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333.
    ['28d: Sloth scales the same budget shares to 13.44, 5.6, 2.8 and 0.9333', 28 * DAY, [13.44, 5.6, 2.8, 0.933333333333]],
    ['90d: three times the 30d factors', 90 * DAY, [43.2, 18, 9, 3]],
    ['7d: the same budget shares over a week', 7 * DAY, [3.36, 1.4, 0.7, 0.233333333333]],
  ])('%s', (_description, period, [pageQuick, pageSlow, ticketQuick, ticketSlow]) => {
    const windows = burnRateWindows(period);
    expect([windows.pageQuick.factor, windows.pageSlow.factor, windows.ticketQuick.factor, windows.ticketSlow.factor]).toEqual([
      pageQuick,
      pageSlow,
      ticketQuick,
      ticketSlow,
    ]);
  });

  test('the windows are the workbook pairs whatever the period', () => {
    for (const period of [3 * DAY, 28 * DAY, 30 * DAY, 365 * DAY]) {
      const windows = burnRateWindows(period);
      expect([windows.pageQuick, windows.pageSlow, windows.ticketQuick, windows.ticketSlow].map((w) => [w.shortWindow, w.longWindow])).toEqual([
        [5 * MINUTE, HOUR],
        [30 * MINUTE, 6 * HOUR],
        [2 * HOUR, DAY],
        [6 * HOUR, 3 * DAY],
      ]);
    }
  });

  test('the budget share each alert spends is factor x long window / period', () => {
    const period = 30 * DAY;
    const windows = burnRateWindows(period);
    const shares = [windows.pageQuick, windows.pageSlow, windows.ticketQuick, windows.ticketSlow].map((w) => (w.factor * w.longWindow) / period);
    expect(shares.map((share) => Number(share.toPrecision(12)))).toEqual([0.02, 0.05, 0.1, 0.1]);
  });

  test.each([
    ['a 1d period is shorter than the 3d ticket window', DAY],
    ['a 2d period is too', 2 * DAY],
  ])('refuses periods shorter than the longest window: %s', (_description, period) => {
    expect(() => burnRateWindows(period)).toThrow(BurnRatePeriodError);
  });

  test('the recorded windows are the distinct alert windows, shortest first', () => {
    expect(alertWindowList(burnRateWindows(30 * DAY))).toEqual([5 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY]);
  });
});
