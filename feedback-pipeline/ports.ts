/**
 * Every port of the feedback pipeline, in one place: what pipeline.ts needs from outside (the cache it reads, the
 * actuators that act, the recorders that record) and what the adapters around it need (intake hands alerts to an
 * AlertSink; the HTTP history reads a DecisionHistory). The adapters in kubernetes/, actuators/, recorders/,
 * history/ implement them; tests pass plain objects. The UI (ui/) and `metricops status` only read: DeploymentLister,
 * DeploymentCache's getters and DecisionHistory.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { DeploymentRef } from '../common/contract/deployment-ref.js';
import type { GitOpsHoldRecord } from '../common/contract/gitops-hold.js';
import type { Revision, RevisionRef, RollbackCause } from '../common/contract/rolled-back-from.js';
import type { Alert, DecisionRecord, DeploymentState, ReplicaSetState } from './model.js';

// ---- Read: what decisions are made on ----

export interface DeploymentCache {
  /** Resolves once the first list of Deployments and ReplicaSets is in the cache. */
  waitForSync(): Promise<void>;
  getDeployment(namespace: string, name: string): DeploymentState | undefined;
  /** Deployments whose `metricops.io/rules` lists an alert of this name. */
  deploymentsGuardedBy(alertName: string): DeploymentState[];
  /** The ReplicaSets the Deployment owns (one per revision). */
  replicaSetsOf(deployment: Pick<DeploymentState, 'namespace' | 'uid'>): ReplicaSetState[];
}

/** A Deployment as a list shows it: no pod template, so listing 10,000 costs little. */
export interface DeploymentSummary extends DeploymentRef {
  paused: boolean;
  /** The `metricops.io/*` annotations (and the controller's revision). */
  annotations: Readonly<Record<string, string>>;
}

/** What the UI's overview and `metricops status` read: every Deployment, or those of one namespace (any order). */
export interface DeploymentLister {
  listDeployments(namespace?: string): DeploymentSummary[];
}

// ---- Act: the actuators ----

/** A rollback decide() planned on the informer cache's snapshot: the Deployment it read and the target it chose there. */
export interface PlannedRollback {
  deployment: DeploymentState;
  /** The ReplicaSet of the current template; absent when the cache did not have it yet. */
  from?: ReplicaSetState;
  to: ReplicaSetState;
}

export interface RollbackRequest {
  deployment: DeploymentRef;
  /** The pod template the decision saw: if the Deployment no longer has it, someone else already acted. */
  expectedTemplate: V1PodTemplateSpec;
  cause: RollbackCause;
  /**
   * decide()'s plan (its Deployment has expectedTemplate). When present, the executor's first attempt patches it as
   * planned, without reading the apiserver or choosing again: the patch's `test` op pins
   * `deployment.resourceVersion`, so a stale snapshot is refused (409/422) and the executor falls back to a fresh read.
   */
  planned?: PlannedRollback;
  /**
   * Hold the Deployment against the GitOps engine: the same guarded patch also sets `metricops.io/gitops-hold` and
   * Flux's `kustomize.toolkit.fluxcd.io/reconcile: disabled` (docs/design.md "Rollbacks under a GitOps engine").
   */
  hold?: { decision: string; gitPath: string; source: Alert['source'] };
}

export type RollbackResult =
  | {
      outcome: 'rolled-back';
      from: RevisionRef;
      to: Revision;
      /** When the Deployment patch was accepted. */
      patchedAt: Date;
      /** False when the ReplicaSet could not be marked bad (logged; the rollback itself stands). */
      markedBad: boolean;
      /** The hold the patch set (request.hold), as written to `metricops.io/gitops-hold`. */
      hold?: GitOpsHoldRecord;
    }
  | { outcome: 'already-rolled-back'; reason: string }
  | { outcome: 'no-previous-good-revision'; reason: string };

/** The cluster actuator: patches the Deployment back and marks the bad revision. */
export interface RollbackExecutor {
  /** Rolls back, re-reading on conflicts and retrying transient API errors; throws RollbackError when it cannot. */
  rollback(request: RollbackRequest): Promise<RollbackResult>;
}

/** What one write-back commits: the good images of one rollback into one manifest. */
export interface WriteBackRequest {
  /** The rollback decision's id: the commit's Metricops-Decision trailer, which makes the write-back idempotent. */
  decision: string;
  deployment: DeploymentRef;
  gitPath: string;
  alert: { name: string; fingerprint: string; startsAt: string };
  reason: string;
  from: { revision?: number; images: Record<string, string> };
  to: { revision?: number; images: Record<string, string> };
}

export interface WriteBackResult {
  /** The write-back commit (Metricops-Decision trailer), now or earlier; null when Git already had the good images. */
  commit: string | null;
  /** The branch head after the push: the revision that has the good images, which the GitOps engine must apply. */
  revision: string;
}

/** The GitOps actuator: commits the good images to the Deployment's manifest in the GitOps repository. */
export interface GitOpsWriter {
  /** Idempotent: a commit with the decision's trailer is found (and pushed if it was not yet), never written twice. */
  writeBack(request: WriteBackRequest): Promise<WriteBackResult>;
}

/**
 * The hold keeper (actuators/gitops-hold-keeper.ts): after a rollback that set the hold, keeps the Deployment held
 * until the GitOps engine has the write-back revision (write-back retried with backoff, the engine asked to
 * reconcile, bad images undone), then releases it. Its durable state is the annotation on the Deployment.
 */
export interface GitOpsHolds {
  /** Takes the hold and resolves with the first write-back attempt (its result, or why it failed); keeps it after. */
  keep(deployment: DeploymentRef, hold: GitOpsHoldRecord): Promise<WriteBackResult | { error: string }>;
}

// ---- Record: the recorders ----

/** Receives every decision record: the Event recorder, the Git audit log and the metrics each implement it. */
export interface DecisionRecorder {
  readonly name: string;
  record(record: DecisionRecord): Promise<void>;
}

// ---- Around the pipeline: intake in, history out ----

/**
 * Where intake hands alerts: the FeedbackPipeline. submit must not block; it throws when it cannot take
 * the alerts (queue full, shutting down), which intake turns into a 503 so Alertmanager retries.
 */
export interface AlertSink {
  submit(alerts: Alert[]): void;
  /**
   * The most firing alerts one submit() can ever take (a busy sink takes fewer for a while): a larger batch can
   * never be taken, so the intake refuses it for good (413) instead of asking for a retry. Unbounded when absent.
   */
  readonly maxBatch?: number;
}

export interface HistoryQuery {
  namespace?: string;
  deployment?: string;
  limit: number;
}

/** What `GET /api/v1/events` reads: decision records, newest first. */
export interface DecisionHistory {
  query(query: HistoryQuery): Promise<DecisionRecord[]>;
}
