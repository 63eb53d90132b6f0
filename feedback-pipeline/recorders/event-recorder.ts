/**
 * Records every decision as a core/v1 Event on its Deployment, so `kubectl describe deployment` and
 * `kubectl get events` show why metricops rolled it back or not. Decisions with no Deployment are only logged.
 * Repeats are aggregated and writes bounded per Deployment, as client-go's recorder does (event-series.ts): a
 * repeated decision updates its Event's count and lastTimestamp (a merge PATCH) instead of creating one more.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import type { Clock } from '../../common/clock.js';
import { namespacedName } from '../../common/contract/deployment-ref.js';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { DeploymentCache } from '../ports.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionRecorder } from '../ports.js';
import { DEFAULT_RETRY, describeApiError, statusOf, withRetry, type RetrySettings } from '../kubernetes/retry.js';
import type { FeedbackMetrics } from '../metrics.js';
import { DEFAULT_EVENT_SERIES, EventSeries, type EventSeriesSettings } from './event-series.js';

export const EventReasons = {
  rolledBack: 'RolledBack',
  dryRun: 'RollbackDryRun',
  skipped: 'RollbackSkipped',
  failed: 'RollbackFailed',
  /** The later steps of a GitOps hold (docs/design.md "Rollbacks under a GitOps engine"). */
  writeBackFailed: 'WriteBackFailed',
  writtenBack: 'WrittenBack',
  reverted: 'GitOpsReverted',
  released: 'HoldReleased',
  superseded: 'HoldSuperseded',
} as const;

const HOLD_STEP_EVENTS = {
  'write-back-failed': { reason: EventReasons.writeBackFailed, type: 'Warning' },
  'written-back': { reason: EventReasons.writtenBack, type: 'Normal' },
  reverted: { reason: EventReasons.reverted, type: 'Warning' },
  released: { reason: EventReasons.released, type: 'Normal' },
  superseded: { reason: EventReasons.superseded, type: 'Normal' },
} as const;

const MAX_MESSAGE = 1024;
/** Event names are DNS subdomains: at most 253 characters. */
const MAX_NAME = 253;

export class EventRecordError extends MetricopsError {}

export interface EventRecorderSettings {
  component?: string;
  instance?: string;
  retry?: RetrySettings;
  /** Aggregation window and the per-Deployment write bound (defaults: client-go's). */
  series?: Partial<EventSeriesSettings>;
  metrics?: FeedbackMetrics;
}

/** The Event for a decision, or undefined when there is no Deployment to attach it to. Pure. */
export function eventFor(
  record: DecisionRecord,
  uid: string | undefined,
  now: Date,
  settings: { component: string; instance: string },
): CoreV1Event | undefined {
  const deployment = record.deployment;
  if (!deployment || record.skip === 'no-matching-deployment') return undefined;
  const { reason, type } = reasonOf(record);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(deployment.name, record.id, now), namespace: deployment.namespace },
    involvedObject: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: deployment.namespace,
      name: deployment.name,
      ...(uid ? { uid } : {}),
    },
    reason,
    type,
    message: truncate(messageOf(record), MAX_MESSAGE),
    action: 'Rollback',
    source: { component: settings.component },
    reportingComponent: settings.component,
    reportingInstance: settings.instance,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

/** `<deployment>.<decision id>.<time in hex>`, the Deployment's name cut so the whole stays a valid name. */
function eventName(deployment: string, id: string, now: Date): string {
  const suffix = `.${id}.${now.getTime().toString(16)}`;
  return `${deployment.slice(0, MAX_NAME - suffix.length).replace(/[.-]+$/, '')}${suffix}`;
}

/**
 * What makes two decisions' Events one series: the same Deployment (uid included: a re-created Deployment is
 * another object), type and reason, outcome and skip reason, and alert. The message may differ (times, revisions):
 * the series' Event shows the latest.
 */
export function seriesKeyOf(record: DecisionRecord, event: CoreV1Event): { objectKey: string; seriesKey: string } {
  const { namespace, name, uid } = event.involvedObject;
  const objectKey = JSON.stringify([namespace, name, uid ?? '']);
  return { objectKey, seriesKey: JSON.stringify([objectKey, event.type, event.reason, record.outcome, record.skip ?? '', record.alert.name]) };
}

function reasonOf(record: DecisionRecord): { reason: string; type: 'Normal' | 'Warning' } {
  if (record.gitops && record.gitops.stage !== 'holding') return HOLD_STEP_EVENTS[record.gitops.stage];
  switch (record.outcome) {
    case 'rolled-back':
      return { reason: EventReasons.rolledBack, type: 'Warning' };
    case 'dry-run':
      return { reason: EventReasons.dryRun, type: 'Normal' };
    case 'failed':
      return { reason: EventReasons.failed, type: 'Warning' };
    default:
      return { reason: EventReasons.skipped, type: 'Normal' };
  }
}

function messageOf(record: DecisionRecord): string {
  const revisions = (from?: DecisionRecord['from'], to?: DecisionRecord['to']) =>
    to ? ` (revision ${from?.revision ?? '?'} ${images(from?.images)} -> revision ${to.revision} ${images(to.images)})` : '';
  const alert = `alert ${record.alert.name}`;
  if (record.gitops && record.gitops.stage !== 'holding') return record.reason;
  switch (record.outcome) {
    case 'rolled-back':
      return `Rolled back on ${alert}${revisions(record.from, record.to)}: ${record.reason}${record.error ? `; ${record.error}` : ''}${holding(record)}`;
    case 'dry-run':
      return `Would roll back on ${alert}${revisions(record.from, record.to)}: ${record.reason}`;
    case 'failed':
      return `Rollback on ${alert} failed: ${record.error ?? record.reason}`;
    default:
      return `Not rolled back on ${alert} (${record.skip ?? record.outcome}): ${record.reason}`;
  }
}

function holding(record: DecisionRecord): string {
  if (record.gitops?.stage !== 'holding') return '';
  const written = record.gitCommit ? ` ${record.gitCommit.slice(0, 12)}` : record.gitops.revision ? ` (Git had the good images at ${record.gitops.revision.slice(0, 12)})` : '';
  return `; held (metricops.io/gitops-hold) until the GitOps engine applies the write-back${written}`;
}

function images(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .map(([container, image]) => `${container}=${image}`)
    .join(',');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

export class KubernetesEventRecorder implements DecisionRecorder {
  readonly name = 'kubernetes-events';
  private readonly core: CoreV1Api;
  private readonly settings: { component: string; instance: string; retry: RetrySettings };
  private readonly series: EventSeries;
  private readonly metrics: FeedbackMetrics | undefined;

  constructor(
    kubeConfig: KubeConfig,
    private readonly cache: Pick<DeploymentCache, 'getDeployment'>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    settings: EventRecorderSettings = {},
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.settings = {
      component: settings.component ?? 'metricops',
      instance: settings.instance ?? hostname(),
      retry: settings.retry ?? { ...DEFAULT_RETRY, maxElapsedMs: 30_000 },
    };
    this.series = new EventSeries({ ...DEFAULT_EVENT_SERIES, ...settings.series });
    this.metrics = settings.metrics;
  }

  async record(record: DecisionRecord): Promise<void> {
    const uid = record.deployment ? this.cache.getDeployment(record.deployment.namespace, record.deployment.name)?.uid : undefined;
    const now = this.clock.now();
    const event = eventFor(record, uid, now, this.settings);
    if (!event) {
      this.logger.debug({ id: record.id }, 'decision without a Deployment: no Event');
      return;
    }
    const namespace = event.metadata!.namespace!;
    const { objectKey, seriesKey } = seriesKeyOf(record, event);
    const step = this.series.observe(objectKey, seriesKey, now);
    if (step.action === 'suppress') {
      this.metrics?.events.inc({ result: 'suppressed' });
      this.logger.debug({ id: record.id, reason: event.reason, count: step.count }, 'Event not written: this Deployment reached its Event rate bound (the next write carries the count)');
      return;
    }
    const where = `${event.reason} on Deployment ${namespacedName({ namespace, name: event.involvedObject.name ?? '' })}`;
    if (step.action === 'update') {
      const patch = { count: step.count, lastTimestamp: kubeTime(now), message: event.message };
      try {
        await withRetry(
          `update Event in ${namespace}`,
          () => this.core.patchNamespacedEvent({ name: step.name, namespace, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
          this.settings.retry,
          this.logger,
        );
        this.metrics?.events.inc({ result: 'updated' });
        return;
      } catch (error) {
        if (statusOf(error) !== 404) {
          this.metrics?.events.inc({ result: 'failed' });
          throw new EventRecordError(`could not update Event ${step.name} (${where}): ${describeApiError(error)}`, { cause: error });
        }
        // Expired (the apiserver keeps Events an hour by default) or deleted: the series starts a new Event.
        this.series.lost(seriesKey);
      }
    }
    const body: CoreV1Event = { ...event, count: step.count, firstTimestamp: step.firstTimestamp, lastTimestamp: now };
    try {
      await withRetry(`create Event in ${namespace}`, () => this.core.createNamespacedEvent({ namespace, body }), this.settings.retry, this.logger);
    } catch (error) {
      this.series.lost(seriesKey);
      this.metrics?.events.inc({ result: 'failed' });
      throw new EventRecordError(`could not create Event ${where}: ${describeApiError(error)}`, { cause: error });
    }
    this.series.created(seriesKey, event.metadata!.name!);
    this.metrics?.events.inc({ result: 'created' });
  }
}

/** A metav1.Time as the apiserver writes it: RFC 3339, seconds. */
function kubeTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
