/**
 * Executes a rollback against the apiserver: read the Deployment and its ReplicaSets fresh (not from the cache),
 * choose the target, patch the Deployment with a JSON Patch guarded by a `test` of its resourceVersion, then mark
 * the bad ReplicaSet. Of two racing writers exactly one wins; the other re-reads, finds the template changed and
 * reports "already-rolled-back". Transient API errors are retried (retry.ts); conflicts re-read.
 */
import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { Clock } from '../../common/clock.js';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { templateKey } from '../core/pod-template.js';
import type { RollbackExecutor, RollbackRequest, RollbackResult } from '../core/ports.js';
import {
  badRevisionPatch,
  badRevisionRecord,
  deploymentRollbackPatch,
  rolledBackFromRecord,
} from '../core/rollback-patch.js';
import { selectRollbackTarget } from '../core/rollback-target.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';
import { REVISION_ANNOTATION } from './cached-objects.js';
import { DEFAULT_RETRY, describeApiError, statusOf, withRetry, type RetrySettings } from './retry.js';

export class RollbackError extends MetricopsError {
  constructor(
    readonly deployment: { namespace: string; name: string },
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`rollback of Deployment ${deployment.namespace}/${deployment.name} failed: ${message}`, options);
  }
}

export interface RollbackExecutorSettings {
  retry?: RetrySettings;
  /** How many times a conflicting patch is re-read and retried. Default 5. */
  maxConflicts?: number;
  /** fieldManager of the writes. Default "metricops". */
  fieldManager?: string;
}

export class KubernetesRollbackExecutor implements RollbackExecutor {
  private readonly apps: AppsV1Api;
  private readonly retry: RetrySettings;
  private readonly maxConflicts: number;
  private readonly fieldManager: string;

  constructor(
    kubeConfig: KubeConfig,
    private readonly logger: Logger,
    private readonly clock: Clock,
    settings: RollbackExecutorSettings = {},
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.retry = settings.retry ?? DEFAULT_RETRY;
    this.maxConflicts = settings.maxConflicts ?? 5;
    this.fieldManager = settings.fieldManager ?? 'metricops';
  }

  async rollback(request: RollbackRequest): Promise<RollbackResult> {
    const { namespace, name } = request.deployment;
    const ref = `${namespace}/${name}`;
    const expected = templateKey(request.expectedTemplate);
    let rejected: { resourceVersion: string; error: unknown } | undefined;

    for (let attempt = 0; attempt <= this.maxConflicts; attempt++) {
      const live = await this.call(`read Deployment ${ref}`, request, () => this.apps.readNamespacedDeployment({ name, namespace }));
      const deployment = toDeploymentState(live);
      if (rejected && rejected.resourceVersion === deployment.resourceVersion) {
        throw new RollbackError(request.deployment, `the apiserver rejected the patch: ${describeApiError(rejected.error)}`, { cause: rejected.error });
      }
      if (templateKey(deployment.template) !== expected) {
        return {
          outcome: 'already-rolled-back',
          reason: `Deployment ${ref} no longer has the pod template the alert was decided on (${describeTemplateChange(deployment)}): already rolled back or redeployed`,
        };
      }
      const replicaSets = (
        await this.call(`list ReplicaSets of ${ref}`, request, () => this.apps.listNamespacedReplicaSet({ namespace, ...selectorOf(live) }))
      ).items
        .filter((replicaSet) => replicaSet.metadata?.ownerReferences?.some((owner) => owner.controller && owner.uid === deployment.uid))
        .map(toReplicaSetState);
      const { from, to } = selectRollbackTarget(deployment, replicaSets);
      if (!to) {
        return { outcome: 'no-previous-good-revision', reason: `Deployment ${ref} has no older revision with a different pod template that is not marked bad` };
      }

      const record = rolledBackFromRecord(deployment, from, to, request.cause);
      const patch = deploymentRollbackPatch(deployment, to, record);
      try {
        await this.call(`patch Deployment ${ref}`, request, () =>
          this.apps.patchNamespacedDeployment(
            { name, namespace, body: patch, fieldManager: this.fieldManager },
            setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
          ),
        );
      } catch (error) {
        const status = error instanceof RollbackError ? statusOf(error.cause) : undefined;
        if (status !== 409 && status !== 422) throw error;
        this.logger.info({ deployment: ref, status, attempt }, 'rollback patch conflicted; re-reading the Deployment');
        rejected = { resourceVersion: deployment.resourceVersion, error: (error as RollbackError).cause };
        continue;
      }
      const patchedAt = this.clock.now();
      const markedBad = from ? await this.markBad(from, to, request) : false;
      return { outcome: 'rolled-back', from: record.from, to: record.to, patchedAt, markedBad };
    }
    throw new RollbackError(request.deployment, `the Deployment kept changing: ${this.maxConflicts + 1} conflicting patches in a row`);
  }

  private async markBad(from: ReplicaSetState, to: ReplicaSetState, request: RollbackRequest): Promise<boolean> {
    const patch = badRevisionPatch(badRevisionRecord(from, to, request.cause));
    try {
      await this.call(`mark ReplicaSet ${from.namespace}/${from.name} bad`, request, () =>
        this.apps.patchNamespacedReplicaSet(
          { name: from.name, namespace: from.namespace, body: patch, fieldManager: this.fieldManager },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
      return true;
    } catch (error) {
      this.logger.error({ replicaSet: `${from.namespace}/${from.name}`, error: (error as Error).message }, 'could not mark the bad ReplicaSet');
      return false;
    }
  }

  /** One API call with transient retries; a final failure becomes a RollbackError that keeps the API error as cause. */
  private async call<T>(what: string, request: RollbackRequest, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(what, operation, this.retry, this.logger);
    } catch (error) {
      throw new RollbackError(request.deployment, `${what}: ${describeApiError(error)}`, { cause: error });
    }
  }
}

/** The Deployment's matchLabels as a label selector, to list only its ReplicaSets (ownership is checked after). */
function selectorOf(deployment: V1Deployment): { labelSelector?: string } {
  const labels = Object.entries(deployment.spec?.selector?.matchLabels ?? {});
  return labels.length > 0 ? { labelSelector: labels.map(([key, value]) => `${key}=${value}`).join(',') } : {};
}

function describeTemplateChange(deployment: DeploymentState): string {
  const images = (deployment.template.spec?.containers ?? []).map((container) => `${container.name}=${container.image}`);
  return `now ${images.join(', ') || 'no containers'}`;
}

export function toDeploymentState(deployment: V1Deployment): DeploymentState {
  return {
    namespace: deployment.metadata?.namespace ?? '',
    name: deployment.metadata?.name ?? '',
    uid: deployment.metadata?.uid ?? '',
    resourceVersion: deployment.metadata?.resourceVersion ?? '',
    paused: deployment.spec?.paused === true,
    annotations: { ...(deployment.metadata?.annotations ?? {}) },
    template: deployment.spec?.template ?? {},
  };
}

export function toReplicaSetState(replicaSet: V1ReplicaSet): ReplicaSetState {
  const annotations = { ...(replicaSet.metadata?.annotations ?? {}) };
  const created = replicaSet.metadata?.creationTimestamp as Date | string | undefined;
  return {
    namespace: replicaSet.metadata?.namespace ?? '',
    name: replicaSet.metadata?.name ?? '',
    revision: Number.parseInt(annotations[REVISION_ANNOTATION] ?? '0', 10) || 0,
    annotations,
    template: replicaSet.spec?.template ?? {},
    createdAt: created === undefined ? new Date(0) : new Date(created),
  };
}
