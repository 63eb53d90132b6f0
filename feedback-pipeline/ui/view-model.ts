/**
 * What the UI's pages and `metricops status` show: plain data built by the pure builders (overview.ts,
 * deployment-detail.ts, slo-detail.ts) and rendered by html/ (pages) and status-output.ts (terminal, JSON).
 */
import type { DeploymentRef } from '../../common/contract/deployment-ref.js';
import type { Revision, RevisionRef } from '../../common/contract/rolled-back-from.js';
import type { DecisionRecord } from '../model.js';
import type { PrometheusProblem } from './prometheus-client.js';

/** A Deployment's state at a glance, in the order it wins: paused, rolled back, burning, then healthy or unknown. */
export type DeploymentStatus = 'paused' | 'rolled-back' | 'burning' | 'healthy' | 'unknown';
export const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ['paused', 'rolled-back', 'burning', 'healthy', 'unknown'];

/** One sample as Prometheus answered it: `text` exactly as Prometheus printed it, `value` its number (null for NaN/Inf). */
export interface Reading {
  value: number | null;
  text: string;
}

/** Where the SLO numbers came from, or why there are none. `at` is the evaluation time of every instant query. */
export type PrometheusStatus =
  | { state: 'off' }
  | { state: 'ok'; url: string; at: string }
  | { state: 'failed'; url: string; at: string; problem: PrometheusProblem; message: string };

export interface SloNow {
  /** The SLO's name: its alerts' `slo` label, its rules' `sloth_id`. */
  id: string;
  budgetRemaining?: Reading;
  /** slo:current_burn_rate:ratio: the 5m error ratio over the error budget. */
  currentBurnRate?: Reading;
}

export type GuardState = 'firing' | 'pending' | 'inactive' | 'unknown';

/** One alert that guards the Deployment (an entry of `metricops.io/rules`) and its state in Prometheus. */
export interface GuardView {
  alert: string;
  severity: string;
  slo?: string;
  state: GuardState;
}

export interface LastRollback {
  time: string;
  reason: string;
  alert: string;
  from: RevisionRef;
  to: Revision;
}

export interface OverviewRow extends DeploymentRef {
  status: DeploymentStatus;
  /** Why that status, in words. */
  statusReason: string;
  /** `metricops.io/images` (container -> image) of the current rollout. */
  images: Record<string, string>;
  deployedAt?: string;
  slos: SloNow[];
  guards: GuardView[];
  lastRollback?: LastRollback;
  /** Annotations that could not be read (each names the annotation and the problem). */
  problems: string[];
}

export interface OverviewQuery {
  /** Exact namespace. */
  namespace?: string;
  /** Part of the name (case-insensitive). */
  name?: string;
  /** 1-based. */
  page: number;
  perPage: number;
}

export interface Overview {
  generatedAt: string;
  query: OverviewQuery;
  /** Every guarded Deployment (a `metricops.io/slo`, `rule` or `rules` annotation), before the filters. */
  guarded: number;
  /** Those the filters keep. */
  matched: number;
  pages: number;
  rows: OverviewRow[];
  prometheus: PrometheusStatus;
}

/** A chart: `times` in seconds since the epoch, each series one value (or null: no sample) per time. */
export interface ChartData {
  start: number;
  end: number;
  step: number;
  times: number[];
  series: Array<{ label: string; values: Array<number | null>; kind?: 'threshold' }>;
  markers: TimelineMarker[];
}

export interface TimelineMarker {
  kind: 'rollout' | 'rollback';
  /** RFC 3339. */
  time: string;
  label: string;
}

export interface RevisionView {
  revision: number;
  replicaSet: string;
  images: Record<string, string>;
  deployedAt?: string;
  current: boolean;
  bad?: { time: string; reason: string; alert: string };
}

export interface TimeRange {
  /** The choice the page offers (e.g. "auto", "1h", "7d"). */
  choice: string;
  start: Date;
  end: Date;
  stepSeconds: number;
}

export interface DeploymentDetail {
  generatedAt: string;
  row: OverviewRow;
  revisions: RevisionView[];
  markers: TimelineMarker[];
  records: DecisionRecord[];
  range: TimeRange;
  chart?: ChartData;
  prometheus: PrometheusStatus;
}

export interface WindowCondition {
  window: string;
  /** The error ratio the alert compares this window with (from the rule Prometheus runs). */
  thresholdErrorRatio: number;
  /** That threshold as a burn rate (over the error budget): the workbook's factor. */
  thresholdBurnRate: number | null;
  errorRatio?: Reading;
  burnRate: number | null;
  /** Whether this window is over its threshold now (null: no data). */
  over: boolean | null;
}

export interface SloAlertView {
  alert: string;
  severity: string;
  state: GuardState;
  /** Each `or` alternative: the windows that must all be over their thresholds. */
  groups: WindowCondition[][];
}

export interface SloDetail {
  generatedAt: string;
  id: string;
  /** Whether Prometheus has any series of this SLO. */
  found: boolean;
  service?: string;
  objective?: Reading;
  errorBudget?: Reading;
  /** The longest `sloth_window` of its error ratio rules: the SLO period. */
  period?: string;
  labels: Record<string, string>;
  budgetRemaining?: Reading;
  currentBurnRate?: Reading;
  periodBurnRate?: Reading;
  windows: Array<{ window: string; errorRatio?: Reading; burnRate: number | null }>;
  alerts: SloAlertView[];
  deployments: DeploymentRef[];
  range: TimeRange;
  burndown?: ChartData;
  burnRates?: ChartData;
  prometheus: PrometheusStatus;
}
