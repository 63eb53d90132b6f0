/**
 * What the pipeline needs from Kubernetes, as interfaces: the informer cache and the rollback executor in
 * feedback-pipeline/kubernetes/ implement them; tests pass plain objects.
 */
import type { DeploymentState, ReplicaSetState } from './model.js';
import type { RollbackCause } from '../common/contract/rolled-back-from.js';

export interface DeploymentCache {
  /** Resolves once the first list of Deployments and ReplicaSets is in the cache. */
  waitForSync(): Promise<void>;
  getDeployment(namespace: string, name: string): DeploymentState | undefined;
  /** Deployments whose `metricops.io/rules` lists an alert of this name. */
  deploymentsGuardedBy(alertName: string): DeploymentState[];
  /** The ReplicaSets the Deployment owns (one per revision). */
  replicaSetsOf(deployment: Pick<DeploymentState, 'namespace' | 'uid'>): ReplicaSetState[];
}

export interface RollbackRequest {
  deployment: { namespace: string; name: string };
  /** The pod template the decision saw: if the Deployment no longer has it, someone else already acted. */
  expectedTemplate: DeploymentState['template'];
  cause: RollbackCause;
  /**
   * The informer cache's snapshot the decision was made on (the same objects decide() read). When present, the
   * executor's first attempt patches from it without reading the apiserver: the patch's `test` op pins
   * `deployment.resourceVersion`, so a stale snapshot is refused (409/422) and the executor falls back to a fresh read.
   */
  observed?: { deployment: DeploymentState; replicaSets: ReplicaSetState[] };
}

export type RevisionRef = { revision?: number; replicaSet?: string; images: Record<string, string> };

export type RollbackResult =
  | {
      outcome: 'rolled-back';
      from: RevisionRef;
      to: { revision: number; replicaSet: string; images: Record<string, string> };
      /** When the Deployment patch was accepted. */
      patchedAt: Date;
      /** False when the ReplicaSet could not be marked bad (logged; the rollback itself stands). */
      markedBad: boolean;
    }
  | { outcome: 'already-rolled-back'; reason: string }
  | { outcome: 'no-previous-good-revision'; reason: string };

export interface RollbackExecutor {
  /** Rolls back, re-reading on conflicts and retrying transient API errors; throws RollbackError when it cannot. */
  rollback(request: RollbackRequest): Promise<RollbackResult>;
}
