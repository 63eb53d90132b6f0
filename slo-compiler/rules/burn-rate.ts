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
export interface AlertWindow {
  /** Milliseconds. */
  shortWindow: number;
  longWindow: number;
  /** Share of the period's error budget spent within longWindow that triggers the alert, in percent. */
  budgetPercent: number;
}

/** The four window pairs of the scheme, without factors: the workbook's, or an AlertWindows file's (Sloth's format). */
export interface AlertWindows {
  pageQuick: AlertWindow;
  pageSlow: AlertWindow;
  ticketQuick: AlertWindow;
  ticketSlow: AlertWindow;
}

export interface BurnRateWindow extends AlertWindow {
  /** Burn-rate multiple of the error budget both windows must exceed. */
  factor: number;
}

export interface BurnRateWindows {
  pageQuick: BurnRateWindow;
  pageSlow: BurnRateWindow;
  ticketQuick: BurnRateWindow;
  ticketSlow: BurnRateWindow;
}

export const ALERT_PAIRS = ['pageQuick', 'pageSlow', 'ticketQuick', 'ticketSlow'] as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The SRE workbook's pairs (Sloth's google-28d/google-30d windows): used for every period unless a catalog says otherwise. */
export const WORKBOOK: AlertWindows = {
  pageQuick: { shortWindow: 5 * MINUTE, longWindow: HOUR, budgetPercent: 2 },
  pageSlow: { shortWindow: 30 * MINUTE, longWindow: 6 * HOUR, budgetPercent: 5 },
  ticketQuick: { shortWindow: 2 * HOUR, longWindow: DAY, budgetPercent: 10 },
  ticketSlow: { shortWindow: 6 * HOUR, longWindow: 3 * DAY, budgetPercent: 10 },
};

/** The longest alert window of the workbook: an SLO period must be at least this long. */
export const LONGEST_ALERT_WINDOW = WORKBOOK.ticketSlow.longWindow;

/** The longest window the pairs read: the SLO period must cover it. */
export function longestWindow(windows: AlertWindows): number {
  return Math.max(...ALERT_PAIRS.map((pair) => windows[pair].longWindow));
}

export class BurnRatePeriodError extends RangeError {}

/**
 * Windows and factors for an SLO period in milliseconds, from the workbook's pairs or the given ones (an
 * AlertWindows file). One pure function; everything else reads its result.
 */
export function burnRateWindows(periodMs: number, pairs: AlertWindows = WORKBOOK): BurnRateWindows {
  const longest = longestWindow(pairs);
  if (!(periodMs >= longest)) {
    throw new BurnRatePeriodError(`the SLO period must be at least ${formatPeriod(longest)} (the longest alert window), got ${formatPeriod(periodMs)}`);
  }
  const scale = (window: AlertWindow): BurnRateWindow => ({
    shortWindow: window.shortWindow,
    longWindow: window.longWindow,
    budgetPercent: window.budgetPercent,
    factor: clean(((window.budgetPercent / 100) * periodMs) / window.longWindow),
  });
  return {
    pageQuick: scale(pairs.pageQuick),
    pageSlow: scale(pairs.pageSlow),
    ticketQuick: scale(pairs.ticketQuick),
    ticketSlow: scale(pairs.ticketSlow),
  };
}

function formatPeriod(ms: number): string {
  return ms % DAY === 0 ? `${ms / DAY}d` : `${ms / HOUR}h`;
}

/** Every distinct window the alerts read, shortest first (the SLI recording rules exist for these). */
export function alertWindowList(windows: AlertWindows): number[] {
  const all = Object.values(windows).flatMap((window) => [window.shortWindow, window.longWindow]);
  return [...new Set(all)].sort((a, b) => a - b);
}
