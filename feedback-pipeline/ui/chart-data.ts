/**
 * Time ranges and chart data: what a page's range choice means, and Prometheus range answers aligned on one time
 * axis (query_range answers at start + k * step, so the axis is exactly those times). Pure.
 */
import { parseDuration } from '../../common/duration.js';
import type { RangeSeries } from './prometheus-client.js';
import type { ChartData, TimelineMarker, TimeRange } from './view-model.js';

/** The choices a page offers; "auto" fits what the page shows (its markers, or the SLO period). */
export const RANGE_CHOICES = ['auto', '1h', '6h', '1d', '7d', '30d'] as const;
export type RangeChoice = (typeof RANGE_CHOICES)[number];

/** About this many points per series: enough for a 1000-pixel chart, small enough for the page weight. */
const POINTS = 240;
const MIN_RANGE_MS = 15 * 60_000;
const MAX_RANGE_MS = 90 * 24 * 60 * 60_000;

export function isRangeChoice(text: string): text is RangeChoice {
  return (RANGE_CHOICES as readonly string[]).includes(text);
}

/** The range for a choice ending now; "auto" spans `autoSpanMs` (at least 15 minutes, at most 90 days). */
export function timeRange(choice: RangeChoice, now: Date, autoSpanMs = MIN_RANGE_MS): TimeRange {
  const span = choice === 'auto' ? Math.min(Math.max(autoSpanMs, MIN_RANGE_MS), MAX_RANGE_MS) : parseDuration(choice);
  const stepSeconds = Math.max(1, Math.ceil(span / 1000 / POINTS));
  const end = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { choice, start: new Date(end.getTime() - stepSeconds * POINTS * 1000), end, stepSeconds };
}

function finiteOrNull(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Every series on the range's axis (null where Prometheus had no sample), in the order given. */
export function alignSeries(
  range: TimeRange,
  series: ReadonlyArray<{ label: string; points: RangeSeries['points']; transform?: (value: number) => number | null; kind?: 'threshold' }>,
  markers: TimelineMarker[] = [],
): ChartData {
  const start = range.start.getTime() / 1000;
  const end = range.end.getTime() / 1000;
  const step = range.stepSeconds;
  const times: number[] = [];
  for (let time = start; time <= end + 1e-6; time += step) times.push(time);
  return {
    start,
    end,
    step,
    times,
    series: series.map(({ label, points, transform, kind }) => {
      const values: Array<number | null> = times.map(() => null);
      for (const [time, text] of points) {
        const index = Math.round((time - start) / step);
        if (index < 0 || index >= values.length) continue;
        const value = finiteOrNull(text);
        values[index] = value === null || transform === undefined ? value : transform(value);
      }
      return kind ? { label, values, kind } : { label, values };
    }),
    markers: markers.filter((marker) => {
      const time = Date.parse(marker.time) / 1000;
      return time >= start && time <= end;
    }),
  };
}

/** A constant line across the range (an alert threshold). */
export function constantPoints(range: TimeRange, value: number): RangeSeries['points'] {
  const start = range.start.getTime() / 1000;
  const end = range.end.getTime() / 1000;
  return [
    [start, String(value)],
    [end, String(value)],
  ];
}
