/**
 * Formats milliseconds the way Prometheus prints durations (model.Duration.String): units y, w, d, h, m, s, ms,
 * so 28d is "4w" and 7d is "1w", while years and weeks are only used when they divide exactly (30d stays "30d",
 * not "4w2d"). Sloth names recording rules with this form (slo:sli_error:ratio_rate4w), and
 * matching it keeps Sloth's dashboards working.
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

export function formatPromDuration(milliseconds: number): string {
  if (!Number.isInteger(milliseconds) || milliseconds < 0) throw new RangeError(`cannot format ${milliseconds} ms as a duration`);
  if (milliseconds === 0) return '0s';
  let rest = milliseconds;
  let text = '';
  for (const [unit, size] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
