/**
 * The rule-cost benchmark's synthetic traffic: for every SLO of the compiler bench generator (bench/compiler/
 * sloth-specs.ts) the raw series its SLI reads, with a daily swing (0.15x at 03:00 to 1.85x at 15:00 UTC), weekends
 * at 0.6x, error ratios of 0.02-0.2% that rise when traffic is low, and incidents (10-90 minutes at 2-20% errors).
 * Rates are constant within each minute, so every counter value, and every count over any interval (the truth the
 * SLIs are judged against), is exact. Deterministic: the same SLO count gives the same traffic.
 */
const SLOS_PER_SERVICE = 10;
const CODES = [
  { code: '200', errors: 0, total: 0.99 },
  { code: '404', errors: 0, total: 0.01 },
  { code: '429', errors: 0.2, total: 0 },
  { code: '500', errors: 0.6, total: 0 },
  { code: '503', errors: 0.2, total: 0 },
] as const;
const INSTANCES = [0.4, 0.35, 0.25];
const PROBES_PER_SECOND = 1 / 15;

export interface Route {
  service: number;
  index: number;
  /** Sloth's sloth_id: `<service>-<slo name>`. */
  slothId: string;
  /** Raw SLIs read probe counters (error ratio query), event SLIs read http_requests_total by code. */
  raw: boolean;
}

export interface Series {
  route: number;
  /** The series as exposed and backfilled: name{labels}. */
  text: string;
  /** value = errorsShare * errors(t) + totalShare * total(t): counters are linear in the route's two counts. */
  errorsShare: number;
  totalShare: number;
}

/** A tiny deterministic generator (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Traffic {
  readonly routes: Route[];
  readonly series: Series[];
  /** Per route: cumulative errors and events at the start of each minute from firstMinute, and per-second rates. */
  private readonly cumulative: Array<{ errors: Float64Array; total: Float64Array; errorRate: Float64Array; totalRate: Float64Array }>;

  constructor(slos: number, readonly firstMinute: number, readonly lastMinute: number) {
    this.routes = Array.from({ length: slos }, (_, id) => {
      const service = Math.floor(id / SLOS_PER_SERVICE);
      const index = id % SLOS_PER_SERVICE;
      return { service, index, slothId: `svc-${service}-route-${index}-availability`, raw: index % 7 === 6 };
    });
    this.series = this.routes.flatMap((route, routeIndex) => {
      const labels = `job="svc-${route.service}",route="/api/v${route.index}"`;
      if (route.raw) {
        return INSTANCES.flatMap((share, instance) => [
          { route: routeIndex, text: `probe_success{${labels},instance="i${instance}"}`, errorsShare: -share, totalShare: share },
          { route: routeIndex, text: `probe_total{${labels},instance="i${instance}"}`, errorsShare: 0, totalShare: share },
        ]);
      }
      return CODES.flatMap(({ code, errors, total }) =>
        INSTANCES.map((share, instance) => ({
          route: routeIndex,
          text: `http_requests_total{${labels},code="${code}",instance="i${instance}"}`,
          errorsShare: code === '200' ? -share : errors * share,
          totalShare: total * share,
        })),
      );
    });
    this.cumulative = this.routes.map((route, index) => this.buildRoute(route, index));
  }

  private buildRoute(route: Route, index: number): (typeof this.cumulative)[number] {
    const next = random(1000 + index);
    const minutes = this.lastMinute - this.firstMinute + 1;
    const base = route.raw ? PROBES_PER_SECOND * INSTANCES.length : 5 + 45 * next();
    const baseErrors = 0.0002 + 0.0018 * next();
    const incidents = Array.from({ length: 2 + Math.floor(3 * next()) }, () => {
      const start = this.firstMinute + Math.floor(next() * minutes);
      return { start, end: start + 10 + Math.floor(80 * next()), ratio: 0.02 + 0.18 * next() };
    });
    const errorRate = new Float64Array(minutes);
    const totalRate = new Float64Array(minutes);
    const errors = new Float64Array(minutes + 1);
    const total = new Float64Array(minutes + 1);
    for (let offset = 0; offset < minutes; offset += 1) {
      const minute = this.firstMinute + offset;
      const hour = (minute / 60) % 24;
      const day = (1 - Math.cos((2 * Math.PI * (hour - 3)) / 24)) / 2;
      const weekday = new Date(minute * 60_000).getUTCDay();
      const swing = route.raw ? 1 : (0.15 + 1.7 * day) * (weekday === 0 || weekday === 6 ? 0.6 : 1);
      const incident = incidents.find((candidate) => minute >= candidate.start && minute < candidate.end);
      const ratio = incident ? incident.ratio : baseErrors * (1.6 - day);
      totalRate[offset] = base * swing;
      errorRate[offset] = base * swing * ratio;
      total[offset + 1] = total[offset]! + 60 * totalRate[offset]!;
      errors[offset + 1] = errors[offset]! + 60 * errorRate[offset]!;
    }
    return { errors, total, errorRate, totalRate };
  }

  /** Errors and events of a route counted from firstMinute to `seconds` (exact: rates are constant within a minute). */
  counts(route: number, seconds: number): { errors: number; total: number } {
    const data = this.cumulative[route]!;
    const offset = Math.floor(seconds / 60) - this.firstMinute;
    if (offset < 0 || offset >= data.errorRate.length) throw new RangeError(`no traffic at ${new Date(seconds * 1000).toISOString()}`);
    const into = seconds - (this.firstMinute + offset) * 60;
    return { errors: data.errors[offset]! + into * data.errorRate[offset]!, total: data.total[offset]! + into * data.totalRate[offset]! };
  }

  /** The counter value of a series at `seconds`. */
  value(series: Series, seconds: number): number {
    const { errors, total } = this.counts(series.route, seconds);
    return series.errorsShare * errors + series.totalShare * total;
  }

  /** errors / events of a route over (from, to]: the truth. */
  errorRatio(route: number, from: number, to: number): number {
    const start = this.counts(route, from);
    const end = this.counts(route, to);
    return (end.errors - start.errors) / (end.total - start.total);
  }
}
