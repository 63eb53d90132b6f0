/** Prometheus-style durations ("30s", "5m", "1h30m", "30d", "2w"), shared by SLO windows and controller settings. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

export class DurationError extends Error {}

/** The longest duration read: 100 years (more is a typo, and far more no longer adds up exactly in milliseconds). */
export const MAX_DURATION_MS = 100 * UNIT_MS.y!;
const MAX_DURATION_TEXT = '100y';

/** The longest a timer can wait (setTimeout's limit, about 24.8 days): flags that arm a timer stay below it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Parses a Prometheus duration into milliseconds; throws DurationError saying what a valid one looks like. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '' || match.slice(1).every((part) => part === undefined)) {
    throw new DurationError(`"${text}" is not a duration: use a number with a unit, e.g. 30s, 5m, 1h, 30d (units: ${ORDER.join(', ')})`);
  }
  let total = 0;
  ORDER.forEach((unit, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount) * UNIT_MS[unit]!;
  });
  if (total === 0) throw new DurationError(`"${text}" is zero: a duration must be longer than 0`);
  if (total > MAX_DURATION_MS) throw new DurationError(`"${text}" is longer than ${MAX_DURATION_TEXT}, the longest duration metricops reads`);
  return total;
}

/** Formats milliseconds as the shortest Prometheus duration ("1h30m", "30d"); the inverse of parseDuration. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isInteger(milliseconds) || milliseconds <= 0) {
    throw new DurationError(`cannot format ${milliseconds} ms as a duration`);
  }
  let rest = milliseconds;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
