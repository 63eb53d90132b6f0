import { clean } from './number.js';

/**
 * The SRE workbook's multiwindow multi-burn-rate scheme, as Sloth computes it: each alert pair says "this share
 * of the whole period's error budget was spent within the long window". The windows stay fixed; the burn-rate
 * factor scales with the SLO period:
 *
 *   factor = budgetPercent / 100 * period / longWindow
 *
 * For 30d: 2% in 1h = 14.4x, 5% in 6h = 6x, 10% in 1d = 3x, 10% in 3d = 1x. For 28d: 13.44, 5.6, 2.8, 0.9333.
 */
export interface BurnRateWindow {
  /** Milliseconds. */
  shortWindow: number;
  longWindow: number;
  /** Share of the period's error budget spent within longWindow that triggers the alert, in percent. */
  budgetPercent: number;
  /** Burn-rate multiple of the error budget both windows must exceed. */
  factor: number;
}

export interface BurnRateWindows {
  pageQuick: BurnRateWindow;
  pageSlow: BurnRateWindow;
  ticketQuick: BurnRateWindow;
  ticketSlow: BurnRateWindow;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const WORKBOOK = {
  pageQuick: { shortWindow: 5 * MINUTE, longWindow: HOUR, budgetPercent: 2 },
  pageSlow: { shortWindow: 30 * MINUTE, longWindow: 6 * HOUR, budgetPercent: 5 },
  ticketQuick: { shortWindow: 2 * HOUR, longWindow: DAY, budgetPercent: 10 },
  ticketSlow: { shortWindow: 6 * HOUR, longWindow: 3 * DAY, budgetPercent: 10 },
} as const;

/** The longest alert window: an SLO period must be at least this long. */
export const LONGEST_ALERT_WINDOW = WORKBOOK.ticketSlow.longWindow;

export class BurnRatePeriodError extends RangeError {}

/** Windows and factors for an SLO period in milliseconds. One pure function; everything else reads its result. */
export function burnRateWindows(periodMs: number): BurnRateWindows {
  if (!(periodMs >= LONGEST_ALERT_WINDOW)) {
    throw new BurnRatePeriodError(`the SLO period must be at least 3d (the longest alert window), got ${periodMs / DAY}d`);
  }
  const scale = (window: (typeof WORKBOOK)[keyof typeof WORKBOOK]): BurnRateWindow => ({
    ...window,
    factor: clean(((window.budgetPercent / 100) * periodMs) / window.longWindow),
  });
  return {
    pageQuick: scale(WORKBOOK.pageQuick),
    pageSlow: scale(WORKBOOK.pageSlow),
    ticketQuick: scale(WORKBOOK.ticketQuick),
    ticketSlow: scale(WORKBOOK.ticketSlow),
  };
}

/** Every distinct window the alerts read, shortest first (the SLI recording rules exist for these). */
export function alertWindowList(windows: BurnRateWindows): number[] {
  const all = Object.values(windows).flatMap((window) => [window.shortWindow, window.longWindow]);
  return [...new Set(all)].sort((a, b) => a - b);
}
