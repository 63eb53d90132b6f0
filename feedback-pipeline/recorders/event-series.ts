/**
 * Which Event write a decision gets, like client-go's event recorder (EventCorrelator): a decision of the same
 * series (same Deployment, Event type and reason, outcome, skip reason and alert) within `windowMs` of the series'
 * last one is folded into that series' Event (count + 1, lastTimestamp, latest message: one PATCH) instead of a new
 * Event; and each Deployment has a token bucket (client-go's EventSourceObjectSpamFilter: `burst` writes, one more
 * every `refillMs`), so no stream of decisions can make more apiserver writes than that. A decision refused by the
 * bucket is counted in its series, and the next write of the series carries the count. Pure apart from the state it
 * keeps: the time comes in with each call.
 */

export interface EventSeriesSettings {
  /** A decision this soon after its series' last one joins that series' Event. Default 10 min (client-go's aggregation window). */
  windowMs: number;
  /** Writes (creates and patches) one Deployment's Events may make at once. Default 25 (client-go). */
  burst: number;
  /** One more write allowed every this long. Default 5 min (client-go: 1/300 per second). */
  refillMs: number;
  /** Series and buckets remembered (least recently used dropped first). Default 4096 (client-go's cache size). */
  maxEntries: number;
}

export const DEFAULT_EVENT_SERIES: EventSeriesSettings = { windowMs: 10 * 60_000, burst: 25, refillMs: 5 * 60_000, maxEntries: 4096 };

/** What to do with one decision's Event. `count` is the series' decisions so far, this one included. */
export type SeriesAction =
  | { action: 'create'; count: number; firstTimestamp: Date }
  | { action: 'update'; name: string; count: number; firstTimestamp: Date }
  | { action: 'suppress'; count: number };

interface Series {
  /** The Event's name once created (undefined while none is known to exist). */
  name: string | undefined;
  count: number;
  firstTimestamp: Date;
  lastObserved: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** A Map used as an LRU: get() moves the entry to the end, set() drops the oldest beyond `max`. */
class Recent<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class EventSeries {
  private readonly series: Recent<Series>;
  private readonly buckets: Recent<Bucket>;

  constructor(private readonly settings: EventSeriesSettings = DEFAULT_EVENT_SERIES) {
    this.series = new Recent(settings.maxEntries);
    this.buckets = new Recent(settings.maxEntries);
  }

  /**
   * One decision of series `seriesKey` on object `objectKey` at `now`: create the series' Event, update it, or
   * write nothing now (the bucket is empty). Call created() after a successful create, lost() when the Event is
   * gone (a 404 on the update, or a failed create).
   */
  observe(objectKey: string, seriesKey: string, now: Date): SeriesAction {
    const at = now.getTime();
    let series = this.series.get(seriesKey);
    if (!series || at - series.lastObserved > this.settings.windowMs) {
      series = { name: undefined, count: 0, firstTimestamp: now, lastObserved: at };
    }
    series.count += 1;
    series.lastObserved = at;
    this.series.set(seriesKey, series);
    if (!this.take(objectKey, at)) return { action: 'suppress', count: series.count };
    return series.name === undefined
      ? { action: 'create', count: series.count, firstTimestamp: series.firstTimestamp }
      : { action: 'update', name: series.name, count: series.count, firstTimestamp: series.firstTimestamp };
  }

  /** The series' Event exists under `name`: later decisions update it. */
  created(seriesKey: string, name: string): void {
    const series = this.series.get(seriesKey);
    if (series) series.name = name;
  }

  /** The series' Event does not exist (expired, deleted, or its create failed): the next write creates one. */
  lost(seriesKey: string): void {
    const series = this.series.get(seriesKey);
    if (series) series.name = undefined;
  }

  private take(objectKey: string, at: number): boolean {
    const { burst, refillMs } = this.settings;
    const bucket = this.buckets.get(objectKey) ?? { tokens: burst, refilledAt: at };
    const refill = Math.floor((at - bucket.refilledAt) / refillMs);
    if (refill > 0) {
      bucket.tokens = Math.min(burst, bucket.tokens + refill);
      bucket.refilledAt = bucket.tokens === burst ? at : bucket.refilledAt + refill * refillMs;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(objectKey, bucket);
    return allowed;
  }
}
