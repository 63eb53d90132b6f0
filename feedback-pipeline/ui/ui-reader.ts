/**
 * Gathers what a page shows from the read ports (the Deployments, their ReplicaSets, the audit history) and from
 * Prometheus, then lets the pure builders make the view model. Only reads. Prometheus calls of one page run at
 * once, each bounded by the client's timeout; a failed call leaves its numbers out and the page says why.
 */
import type { Clock } from '../../common/clock.js';
import type { DeploymentRef } from '../../common/contract/deployment-ref.js';
import { parseDuration } from '../../common/duration.js';
import { templateKey } from '../core/pod-template.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionHistory, DeploymentCache, DeploymentLister, DeploymentSummary } from '../ports.js';
import { alignSeries, constantPoints, timeRange, type RangeChoice } from './chart-data.js';
import { buildDeploymentDetail, markersOf, revisionsOf } from './deployment-detail.js';
import { buildRow, isGuarded, lastRollbackOf, sloIdsOf, type SloReadings } from './deployment-row.js';
import { buildOverview, MAX_PER_PAGE, selectPage } from './overview.js';
import { PrometheusError, type ActiveAlert, type PrometheusApi, type RangeSeries } from './prometheus-client.js';
import { alertWindows, buildSloDetail, readingOf } from './slo-detail.js';
import { CURRENT_WINDOW, errorRatioName, errorRatiosOf, SloSeries, SlothLabels, seriesNamed, seriesOf } from './slo-series.js';
import type { DeploymentDetail, Overview, OverviewQuery, PrometheusStatus, SloDetail, SloNow } from './view-model.js';

export interface UiSources {
  deployments: DeploymentLister;
  /** The detail pages' reads (the overview and `metricops status` need only `deployments`). */
  cache?: Pick<DeploymentCache, 'getDeployment' | 'replicaSetsOf'>;
  history?: DecisionHistory;
  prometheus?: PrometheusApi;
  clock: Clock;
}

/** Audit records a Deployment's page shows. */
export const RECORDS_SHOWN = 50;
/** Rollouts older than this do not stretch the "auto" range of a Deployment's timeline. */
const AUTO_RANGE_LIMIT_MS = 7 * 24 * 60 * 60_000;
/** Time the "auto" range shows before the oldest marker. */
const AUTO_MARGIN_MS = 5 * 60_000;

/** Runs a page's Prometheus calls at once; each failure leaves its answer undefined, the first one names the status. */
class PrometheusRound {
  private failure: PrometheusError | undefined;

  constructor(
    private readonly prometheus: PrometheusApi,
    private readonly at: Date,
  ) {}

  async ask<T>(call: (prometheus: PrometheusApi) => Promise<T>): Promise<T | undefined> {
    try {
      return await call(this.prometheus);
    } catch (error) {
      const failure = error instanceof PrometheusError ? error : new PrometheusError('bad-answer', (error as Error).message, { cause: error });
      this.failure ??= failure;
      return undefined;
    }
  }

  status(): PrometheusStatus {
    const { display: url } = this.prometheus;
    const at = this.at.toISOString();
    return this.failure ? { state: 'failed', url, at, problem: this.failure.problem, message: this.failure.message } : { state: 'ok', url, at };
  }
}

export class UiReader {
  constructor(private readonly sources: UiSources) {}

  get prometheusUrl(): string | undefined {
    return this.sources.prometheus?.display;
  }

  async overview(query: OverviewQuery): Promise<Overview> {
    const now = this.now();
    const selected = selectPage(this.sources.deployments.listDeployments(query.namespace), query);
    const readings = await this.readings(selected.deployments, now);
    return buildOverview(selected, readings, now);
  }

  /**
   * Every matching Deployment in one overview (`metricops status`): read page by page, so each Prometheus query
   * names at most MAX_PER_PAGE Deployments' SLOs; the first failure of any page is the status.
   */
  async wholeOverview(filter: Pick<OverviewQuery, 'namespace' | 'name'>): Promise<Overview> {
    const first = await this.overview({ ...filter, page: 1, perPage: MAX_PER_PAGE });
    const rows = [...first.rows];
    let { prometheus } = first;
    for (let page = 2; page <= first.pages; page++) {
      const next = await this.overview({ ...filter, page, perPage: MAX_PER_PAGE });
      rows.push(...next.rows);
      if (prometheus.state === 'ok' && next.prometheus.state === 'failed') prometheus = next.prometheus;
    }
    return { ...first, rows, pages: 1, prometheus, query: { ...first.query, page: 1, perPage: Math.max(1, rows.length) } };
  }

  /** Undefined when the cache has no such Deployment. */
  async deployment(ref: DeploymentRef, choice: RangeChoice): Promise<DeploymentDetail | undefined> {
    const now = this.now();
    const state = this.sources.cache?.getDeployment(ref.namespace, ref.name);
    if (!state) return undefined;
    const summary: DeploymentSummary = { namespace: state.namespace, name: state.name, paused: state.paused, annotations: state.annotations };
    const revisions = revisionsOf(this.sources.cache!.replicaSetsOf(state), templateKey(state.template));
    const records = await this.records(ref);
    const markers = markersOf(lastRollbackOf(state.annotations).value, revisions, records);
    const recent = markers.map((marker) => Date.parse(marker.time)).filter((time) => now.getTime() - time <= AUTO_RANGE_LIMIT_MS);
    // "auto" reaches back to the oldest recent marker, with a margin so that it is not on the edge.
    const range = timeRange(choice, now, recent.length > 0 ? (now.getTime() - Math.min(...recent)) * 1.25 + AUTO_MARGIN_MS : undefined);
    const ids = sloIdsOf(summary);

    const round = this.sources.prometheus ? new PrometheusRound(this.sources.prometheus, now) : undefined;
    const [readings, errorRatios] = await Promise.all([
      this.readings([summary], now, round),
      ids.length > 0 && round ? round.ask((prometheus) => prometheus.queryRange(seriesOf(errorRatioName(CURRENT_WINDOW), ids), range)) : undefined,
    ]);
    const chart = round
      ? alignSeries(
          range,
          ids.map((id) => ({ label: `${id}: error ratio (${CURRENT_WINDOW})`, points: pointsOf(errorRatios, id) })),
          markers,
        )
      : undefined;
    return buildDeploymentDetail({
      row: buildRow(summary, readings),
      revisions,
      markers,
      records,
      range,
      ...(chart ? { chart } : {}),
      prometheus: readings.prometheus,
      now,
    });
  }

  async slo(id: string, choice: RangeChoice): Promise<SloDetail> {
    const now = this.now();
    const deployments = this.sources.deployments
      .listDeployments()
      .filter((deployment) => isGuarded(deployment) && sloIdsOf(deployment).includes(id))
      .map(({ namespace, name }) => ({ namespace, name }))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const { prometheus } = this.sources;
    if (!prometheus) {
      return buildSloDetail({ id, deployments, range: timeRange(choice, now), prometheus: { state: 'off' }, now });
    }
    const round = new PrometheusRound(prometheus, now);
    const [meta, errorRatios, rules, alerts] = await Promise.all([
      round.ask((api) =>
        api.query(seriesNamed([SloSeries.objective, SloSeries.errorBudget, SloSeries.budgetRemaining, SloSeries.currentBurnRate, SloSeries.periodBurnRate, SloSeries.info], [id]), now),
      ),
      round.ask((api) => api.query(errorRatiosOf([id]), now)),
      round.ask((api) => api.alertingRules()),
      round.ask((api) => api.alerts()),
    ]);
    const answers = { meta: meta ?? [], errorRatios: errorRatios ?? [], rules: rules ?? [], ...(alerts ? { alerts } : {}) };
    const first = buildSloDetail({ id, answers, deployments, range: timeRange(choice, now), prometheus: round.status(), now });
    // A Prometheus that failed once is not asked again for this page: the page waits at most one timeout.
    if (round.status().state === 'failed') return first;
    // "auto" shows the SLO period: the budget's whole window.
    const range = timeRange(choice, now, first.period ? durationMs(first.period) : undefined);
    const windows = alertWindows(first.alerts);
    const [burndown, windowRatios] = await Promise.all([
      round.ask((api) => api.queryRange(seriesOf(SloSeries.budgetRemaining, [id]), range)),
      windows.length > 0 ? round.ask((api) => api.queryRange(errorRatiosOf([id]), range)) : undefined,
    ]);
    const budget = first.errorBudget?.value ?? null;
    const toBurnRate = (value: number): number | null => (budget ? value / budget : null);
    const thresholds = first.alerts.flatMap((alert) =>
      [...new Set(alert.groups.flatMap((group) => group.map((condition) => condition.thresholdBurnRate)))]
        .filter((value): value is number => value !== null)
        .map((value) => ({ label: `${alert.severity} threshold ${formatFactor(value)}x`, points: constantPoints(range, value), kind: 'threshold' as const })),
    );
    return buildSloDetail({
      id,
      answers,
      deployments,
      range,
      burndown: alignSeries(range, [{ label: 'error budget remaining', points: burndown?.[0]?.points ?? [] }]),
      burnRates: alignSeries(range, [
        ...windows.map((window) => ({
          label: `burn rate ${window}`,
          points: windowRatios?.find((series) => series.labels[SlothLabels.window] === window)?.points ?? [],
          transform: toBurnRate,
        })),
        ...thresholds,
      ]),
      prometheus: round.status(),
      now,
    });
  }

  /** The SLO numbers and alert states of these Deployments, read at `now`. */
  private async readings(deployments: readonly DeploymentSummary[], now: Date, round?: PrometheusRound): Promise<SloReadings> {
    const { prometheus } = this.sources;
    if (!prometheus) return { prometheus: { state: 'off' }, slos: new Map() };
    const asking = round ?? new PrometheusRound(prometheus, now);
    const ids = [...new Set(deployments.flatMap((deployment) => sloIdsOf(deployment)))];
    const [samples, alerts] = await Promise.all([
      ids.length > 0 ? asking.ask((api) => api.query(seriesNamed([SloSeries.budgetRemaining, SloSeries.currentBurnRate], ids), now)) : [],
      deployments.length > 0 ? asking.ask((api) => api.alerts()) : ([] as ActiveAlert[]),
    ]);
    const slos = new Map<string, SloNow>();
    for (const sample of samples ?? []) {
      const id = sample.labels[SlothLabels.id];
      if (id === undefined) continue;
      const slo = slos.get(id) ?? { id };
      slos.set(id, slo);
      const name = sample.labels.__name__;
      if (name === SloSeries.budgetRemaining) slo.budgetRemaining ??= readingOf(sample);
      if (name === SloSeries.currentBurnRate) slo.currentBurnRate ??= readingOf(sample);
    }
    return { prometheus: asking.status(), slos, ...(alerts ? { alerts } : {}) };
  }

  private async records(ref: DeploymentRef): Promise<DecisionRecord[]> {
    if (!this.sources.history) return [];
    return this.sources.history.query({ namespace: ref.namespace, deployment: ref.name, limit: RECORDS_SHOWN });
  }

  private now(): Date {
    return this.sources.clock.now();
  }
}

function pointsOf(series: readonly RangeSeries[] | undefined, id: string): RangeSeries['points'] {
  return series?.find((entry) => entry.labels[SlothLabels.id] === id)?.points ?? [];
}

function durationMs(window: string): number | undefined {
  try {
    return parseDuration(window);
  } catch {
    return undefined;
  }
}

function formatFactor(value: number): string {
  return String(Number(value.toPrecision(4)));
}
