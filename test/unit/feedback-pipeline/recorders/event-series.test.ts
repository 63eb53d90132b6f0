import { DEFAULT_EVENT_SERIES, EventSeries, type SeriesAction } from '../../../../feedback-pipeline/recorders/event-series.js';

const T0 = new Date('2026-11-21T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;

/** Observes `n` decisions of one series at `time`, telling the series that each create succeeded. */
function observeMany(series: EventSeries, n: number, time: Date, seriesKey = 'rollback-skipped', objectKey = 'shop/checkout'): SeriesAction[] {
  return Array.from({ length: n }, () => {
    const step = series.observe(objectKey, seriesKey, time);
    if (step.action === 'create') series.created(seriesKey, `event-${seriesKey}`);
    return step;
  });
}

describe('EventSeries (client-go-like aggregation and spam filter)', () => {
  test('the first decision creates, the next 24 update the same Event, the rest are suppressed with the count kept', () => {
    const steps = observeMany(new EventSeries(), 1000, T0);
    expect(steps[0]).toEqual({ action: 'create', count: 1, firstTimestamp: T0 });
    expect(steps.slice(1, 25)).toEqual(Array.from({ length: 24 }, (_, index) => ({ action: 'update', name: 'event-rollback-skipped', count: index + 2, firstTimestamp: T0 })));
    expect(steps.slice(25).every((step) => step.action === 'suppress')).toBe(true);
    expect(steps.at(-1)).toEqual({ action: 'suppress', count: 1000 });
  });

  test('the bucket refills one write per 5 minutes, up to the burst', () => {
    const series = new EventSeries();
    observeMany(series, 30, T0);
    expect(series.observe('shop/checkout', 'rollback-skipped', at(4 * MINUTE + 59_000)).action).toBe('suppress');
    expect(series.observe('shop/checkout', 'rollback-skipped', at(5 * MINUTE))).toEqual({ action: 'update', name: 'event-rollback-skipped', count: 32, firstTimestamp: T0 });
    expect(series.observe('shop/checkout', 'rollback-skipped', at(5 * MINUTE + 1)).action).toBe('suppress');
    // A long quiet spell refills to the burst, not beyond.
    const later = observeMany(series, 30, at(24 * 60 * MINUTE), 'other-series');
    expect(later.filter((step) => step.action !== 'suppress')).toHaveLength(DEFAULT_EVENT_SERIES.burst);
  });

  test('the bound is per Deployment: another Deployment has its own bucket', () => {
    const series = new EventSeries();
    observeMany(series, 30, T0, 'a', 'shop/checkout');
    expect(observeMany(series, 30, T0, 'b', 'shop/cart').filter((step) => step.action !== 'suppress')).toHaveLength(25);
  });

  test('a decision of another series on the same Deployment gets its own Event, within the same bucket', () => {
    const series = new EventSeries();
    observeMany(series, 3, T0, 'skipped-cooldown');
    expect(series.observe('shop/checkout', 'rolled-back', T0)).toEqual({ action: 'create', count: 1, firstTimestamp: T0 });
  });

  test('a repeat more than 10 minutes after the last one starts a new Event', () => {
    const series = new EventSeries();
    observeMany(series, 2, T0);
    expect(series.observe('shop/checkout', 'rollback-skipped', at(10 * MINUTE)).action).toBe('update');
    const late = at(20 * MINUTE + 1);
    expect(series.observe('shop/checkout', 'rollback-skipped', late)).toEqual({ action: 'create', count: 1, firstTimestamp: late });
  });

  test('a lost Event (expired, deleted, failed create) is created again, with the count so far', () => {
    const series = new EventSeries();
    observeMany(series, 3, T0);
    series.lost('rollback-skipped');
    expect(series.observe('shop/checkout', 'rollback-skipped', T0)).toEqual({ action: 'create', count: 4, firstTimestamp: T0 });
  });

  test('memory is bounded: the least recently used series are forgotten', () => {
    const series = new EventSeries({ ...DEFAULT_EVENT_SERIES, maxEntries: 2 });
    observeMany(series, 1, T0, 'one', 'a');
    observeMany(series, 1, T0, 'two', 'b');
    observeMany(series, 1, T0, 'three', 'c');
    expect(series.observe('a', 'one', T0)).toEqual({ action: 'create', count: 1, firstTimestamp: T0 });
  });
});
