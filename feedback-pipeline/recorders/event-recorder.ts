/**
 * Records every decision as a core/v1 Event on its Deployment, so `kubectl describe deployment` and
 * `kubectl get events` show why metricops rolled it back or not. Decisions with no Deployment are only logged.
 */
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import type { Clock } from '../../common/clock.js';
import { namespacedName } from '../../common/contract/deployment-ref.js';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { DeploymentCache } from '../ports.js';
import type { DecisionRecord } from '../model.js';
import type { DecisionRecorder } from '../ports.js';
import { DEFAULT_RETRY, describeApiError, withRetry, type RetrySettings } from '../kubernetes/retry.js';

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

export class EventRecordError extends MetricopsError {}

export interface EventRecorderSettings {
  component?: string;
  instance?: string;
  retry?: RetrySettings;
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
    metadata: { name: `${deployment.name}.${record.id}.${now.getTime().toString(16)}`, namespace: deployment.namespace },
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
  }

  async record(record: DecisionRecord): Promise<void> {
    const uid = record.deployment ? this.cache.getDeployment(record.deployment.namespace, record.deployment.name)?.uid : undefined;
    const event = eventFor(record, uid, this.clock.now(), this.settings);
    if (!event) {
      this.logger.debug({ id: record.id }, 'decision without a Deployment: no Event');
      return;
    }
    const namespace = event.metadata!.namespace!;
    try {
      await withRetry(`create Event in ${namespace}`, () => this.core.createNamespacedEvent({ namespace, body: event }), this.settings.retry, this.logger);
    } catch (error) {
      throw new EventRecordError(`could not create Event ${event.reason} on Deployment ${namespacedName({ namespace, name: event.involvedObject.name ?? '' })}: ${describeApiError(error)}`, { cause: error });
    }
  }
}
