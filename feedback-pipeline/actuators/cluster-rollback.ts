/**
 * The cluster actuator: carries a rollback out against the apiserver. First attempt: the plan decide() made on the
 * informer cache's snapshot (request.planned), patched as planned: one API call, no read, no second choice of the
 * target. The Deployment patch is a JSON Patch guarded by a `test` of its resourceVersion, so it applies only to the
 * exact object the target was chosen from; a stale snapshot gets a 409/422 and the next attempts read the Deployment
 * and its ReplicaSets fresh (not from the cache), choose the target there and patch again. Then the bad ReplicaSet
 * is marked. Of two racing writers exactly one wins; the other re-reads, finds the template changed and reports
 * "already-rolled-back". Transient API errors are retried (kubernetes/retry.ts); conflicts re-read, up to maxConflicts.
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
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { templateKey } from '../core/pod-template.js';
import type { RollbackExecutor, RollbackRequest, RollbackResult } from '../ports.js';
import {
  badRevisionPatch,
  badRevisionRecord,
  deploymentRollbackPatch,
  gitOpsHoldRecord,
  rolledBackFromRecord,
} from '../core/rollback-patch.js';
import { selectRollbackTarget } from '../core/rollback-target.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';
import { REVISION_ANNOTATION } from '../kubernetes/cached-objects.js';
import { DEFAULT_RETRY, describeApiError, statusOf, withRetry, type RetrySettings } from '../kubernetes/retry.js';

export class RollbackError extends MetricopsError {
  constructor(
    readonly deployment: DeploymentRef,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`rollback of Deployment ${namespacedName(deployment)} failed: ${message}`, options);
  }
}

export interface RollbackExecutorSettings {
  retry?: RetrySettings;
  /** How many times a conflicting patch is re-read and retried. Default 5. */
  maxConflicts?: number;
  /** fieldManager of the writes. Default "metricops". */
  fieldManager?: string;
}

/** What one attempt patches: the Deployment as read (cache or apiserver) and the target chosen from it. */
interface Attempt {
  deployment: DeploymentState;
  from?: ReplicaSetState;
  to: ReplicaSetState;
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
    const ref = namespacedName(request.deployment);
    let rejected: { resourceVersion: string; error: unknown } | undefined;

    // Attempt 0 patches decide()'s plan when it is usable; every later attempt (and attempt 0 without a usable plan)
    // reads fresh. A conflict on the planned attempt counts like any other: at most maxConflicts + 1 patches in all.
    for (let attempt = 0; attempt <= this.maxConflicts; attempt++) {
      const planned = attempt === 0 ? this.plannedAttempt(request) : undefined;
      const next = planned ?? (await this.freshAttempt(request, rejected));
      if ('outcome' in next) return next;
      const { deployment, from, to } = next;

      const record = rolledBackFromRecord(deployment, from, to, request.cause);
      const hold = request.hold ? gitOpsHoldRecord(deployment, record, request.hold) : undefined;
      const patch = deploymentRollbackPatch(deployment, to, record, hold);
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
        this.logger.info(
          { deployment: ref, status, attempt, source: planned ? 'cache' : 'apiserver', resourceVersion: deployment.resourceVersion },
          'rollback patch conflicted; re-reading the Deployment',
        );
        rejected = { resourceVersion: deployment.resourceVersion, error: (error as RollbackError).cause };
        continue;
      }
      const patchedAt = this.clock.now();
      const markedBad = from ? await this.markBad(from, to, request) : false;
      return { outcome: 'rolled-back', from: record.from, to: record.to, patchedAt, markedBad, ...(hold ? { hold } : {}) };
    }
    throw new RollbackError(request.deployment, `the Deployment kept changing: ${this.maxConflicts + 1} conflicting patches in a row`);
  }

  /**
   * decide()'s plan on the informer cache's snapshot (request.planned), without any API call and without choosing
   * the target again; undefined when it cannot be used and the first attempt must read fresh.
   *
   * Why a stale cache cannot cause a wrong rollback: the patch's first op tests metadata.resourceVersion against the
   * snapshot's. The apiserver applies the patch only if the Deployment is still exactly the object (template,
   * annotations, everything) the target was chosen from; otherwise the test op fails with 422 (409 on an
   * optimistic-lock conflict) and the next attempt reads fresh, with the fresh path's semantics (a changed template
   * is already-rolled-back, an unchanged resourceVersion means a real rejection). The ReplicaSets are not pinned by
   * the test op, but what moves them (a rollout, an undo renumbering a revision, another replica's rollback before
   * it marks a revision bad) changes the Deployment first; the fresh path reads them before its patch as well, so
   * neither path excludes a concurrent edit of a ReplicaSet alone.
   *
   * Not used (fresh read instead), never guessed:
   * - the snapshot is of another Deployment;
   * - it has no annotations: the cache keeps only metricops.io/* and the revision annotation, so it cannot tell
   *   whether the live object has others, and the patch for an object without annotations adds the whole map
   *   (which would replace them); the controller's revision annotation makes this case rare;
   * - the plan has no ReplicaSet of the current template (the ReplicaSet cache lagged the Deployment's).
   *
   * The templates are plain JSON: the cache keeps each as canonical JSON text (pod-template-hash and null fields
   * removed, keys sorted) and returns a JSON.parse of it, so the patch value has no Date objects or class
   * instances; null and absent mean the same to the apiserver, and key order does not matter.
   */
  private plannedAttempt(request: RollbackRequest): Attempt | undefined {
    const planned = request.planned;
    if (!planned) return undefined;
    const { deployment, from, to } = planned;
    const unusable = (why: string): undefined => {
      this.logger.debug({ deployment: namespacedName(request.deployment), why }, 'cache snapshot not used; reading fresh');
      return undefined;
    };
    if (namespacedName(deployment) !== namespacedName(request.deployment)) return unusable('snapshot of another Deployment');
    if (!deployment.resourceVersion) return unusable('no resourceVersion');
    if (Object.keys(deployment.annotations).length === 0) return unusable('no annotations in the snapshot');
    if (!from) return unusable('no ReplicaSet of the current template in the snapshot');
    return { deployment, from, to };
  }

  /** Reads the Deployment and its ReplicaSets from the apiserver and plans the patch (or reports why there is none). */
  private async freshAttempt(request: RollbackRequest, rejected: { resourceVersion: string; error: unknown } | undefined): Promise<Attempt | RollbackResult> {
    const { namespace, name } = request.deployment;
    const ref = namespacedName(request.deployment);
    const live = await this.call(`read Deployment ${ref}`, request, () => this.apps.readNamespacedDeployment({ name, namespace }));
    const deployment = toDeploymentState(live);
    if (rejected && rejected.resourceVersion === deployment.resourceVersion) {
      throw new RollbackError(request.deployment, `the apiserver rejected the patch: ${describeApiError(rejected.error)}`, { cause: rejected.error });
    }
    if (templateKey(deployment.template) !== templateKey(request.expectedTemplate)) {
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
    return from ? { deployment, from, to } : { deployment, to };
  }

  private async markBad(from: ReplicaSetState, to: ReplicaSetState, request: RollbackRequest): Promise<boolean> {
    const patch = badRevisionPatch(badRevisionRecord(from, to, request.cause));
    try {
      await this.call(`mark ReplicaSet ${namespacedName(from)} bad`, request, () =>
        this.apps.patchNamespacedReplicaSet(
          { name: from.name, namespace: from.namespace, body: patch, fieldManager: this.fieldManager },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
      return true;
    } catch (error) {
      this.logger.error({ replicaSet: namespacedName(from), error: (error as Error).message }, 'could not mark the bad ReplicaSet');
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
  const template = replicaSet.spec?.template ?? {};
  return {
    namespace: replicaSet.metadata?.namespace ?? '',
    name: replicaSet.metadata?.name ?? '',
    revision: Number.parseInt(annotations[REVISION_ANNOTATION] ?? '0', 10) || 0,
    annotations,
    template,
    templateKey: templateKey(template),
    createdAt: created === undefined ? new Date(0) : new Date(created),
  };
}
