/**
 * Prometheus 2.42's rate() (promql/functions.go extrapolatedRate, closed range [t - range, t]) on a counter scraped
 * at a regular interval: the benchmark backfills the history of recorded series with the values the rules would
 * have recorded, computed the way Prometheus computes them.
 */
export interface Scrapes {
  /** Seconds between scrapes, and the offset of scrape times from multiples of it. */
  interval: number;
  phase: number;
}

/** rate(counter[rangeSeconds]) at `at` (seconds), or null with fewer than two samples in range. */
export function promRate(counter: (seconds: number) => number, scrapes: Scrapes, at: number, rangeSeconds: number): number | null {
  const start = at - rangeSeconds;
  const first = Math.ceil((start - scrapes.phase) / scrapes.interval) * scrapes.interval + scrapes.phase;
  const last = Math.floor((at - scrapes.phase) / scrapes.interval) * scrapes.interval + scrapes.phase;
  const count = Math.round((last - first) / scrapes.interval) + 1;
  if (count < 2) return null;
  const firstValue = counter(first);
  const delta = counter(last) - firstValue;
  const sampledInterval = last - first;
  const averageBetween = sampledInterval / (count - 1);
  let durationToStart = first - start;
  const durationToEnd = at - last;
  if (delta > 0 && firstValue >= 0) durationToStart = Math.min(durationToStart, sampledInterval * (firstValue / delta));
  const threshold = averageBetween * 1.1;
  let extrapolated = sampledInterval;
  extrapolated += durationToStart < threshold ? durationToStart : averageBetween / 2;
  extrapolated += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  return (delta * (extrapolated / sampledInterval)) / rangeSeconds;
}
