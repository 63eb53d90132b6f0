/**
 * The feedback pipeline's data, shared by its intake (HTTP receiver, Alertmanager poller), its core
 * (decide, select the rollback target), its actuators (roll back, write back) and its recorders (Events, audit
 * log, metrics). The ports between them are in ports.ts.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { RollbackMode } from '../common/contract/annotations.js';
import type { DeploymentRef } from '../common/contract/deployment-ref.js';
import type { GuardingAlertEntry } from '../common/contract/guarding-alert.js';
import type { Revision, RevisionRef } from '../common/contract/rolled-back-from.js';

/** One alert as Alertmanager reports it, from either the webhook (v4 payload) or the API (GET /api/v2/alerts). */
export interface Alert {
  /** Alertmanager's fingerprint of the label set: with startsAt, the key that deduplicates the two intake paths. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt?: Date;
  generatorURL?: string;
  source: 'webhook' | 'poll';
  /** When metricops received it: the start of the rollback latency. */
  receivedAt: Date;
}

/** What the pipeline needs of a Deployment, read from the informer cache. */
export interface DeploymentState extends DeploymentRef {
  uid: string;
  resourceVersion: string;
  paused: boolean;
  annotations: Record<string, string>;
  template: V1PodTemplateSpec;
}

/** What the pipeline needs of one of the Deployment's ReplicaSets (one per revision). */
export interface ReplicaSetState {
  namespace: string;
  name: string;
  /** `deployment.kubernetes.io/revision`. */
  revision: number;
  annotations: Record<string, string>;
  template: V1PodTemplateSpec;
  /** The template's canonical text (core/pod-template.ts templateKey): equal keys, equal templates. */
  templateKey: string;
  createdAt: Date;
}

/** The webhook's stamps, the user's settings and the last rollback, parsed from a Deployment's annotations. */
export interface DeploymentPolicy {
  rollback: RollbackMode;
  /** Milliseconds. */
  watchWindow: number;
  deployedAt?: Date;
  images: Record<string, string>;
  /** Parsed `metricops.io/rules`. */
  rules: GuardingAlertEntry[];
  gitPath?: string;
  /** From `metricops.io/rolled-back-from`. */
  lastRollbackAt?: Date;
}

export type SkipReason =
  | 'alert-resolved'
  /** `--cluster` is set and the alert's `cluster` label is another cluster's, or missing. */
  | 'other-cluster'
  | 'no-matching-deployment'
  | 'severity-not-selected'
  | 'outside-watch-window'
  | 'started-before-rollout'
  | 'rollback-disabled'
  | 'deployment-paused'
  | 'no-previous-good-revision'
  | 'cooldown'
  | 'already-rolled-back'
  | 'duplicate'
  /** A metricops annotation on the Deployment is invalid (the reason names it); no rollback until it is fixed. */
  | 'invalid-annotation'
  /** The Deployment has no `metricops.io/deployed-at`: the webhook did not stamp its rollout. */
  | 'no-rollout-stamp';

export type RollbackDecision = { action: 'rollback'; deployment: DeploymentRef; dryRun: boolean; reason: string };
export type SkipDecision = { action: 'skip'; deployment?: DeploymentRef; skip: SkipReason; reason: string };
export type Decision = RollbackDecision | SkipDecision;

export type Outcome = 'rolled-back' | 'dry-run' | 'skipped' | 'already-rolled-back' | 'failed';

/**
 * Where a hold stands: `holding` (the rollback set it; on the decision's own record), then, each recorded by the hold
 * keeper: `write-back-failed` (first failed attempt; retried with backoff), `written-back` (pushed after a failure or
 * a restart), `reverted` (the bad images came back while held and were undone), `released` (the engine has the
 * write-back revision), `superseded` (someone deployed other images while held: the hold is released to them).
 */
export type GitOpsStage = 'holding' | 'write-back-failed' | 'written-back' | 'reverted' | 'released' | 'superseded';

export interface GitOpsProgress {
  stage: GitOpsStage;
  /** When the hold was set. */
  heldSince: string;
  /** The Git revision with the good images, once pushed. */
  revision?: string;
  /** What the GitOps engine reported applied when the hold was released (e.g. Flux `main@sha1:<commit>`). */
  applied?: string;
}

/** One decision and what came of it (each actuator's result included): the unit every recorder receives. */
export interface DecisionRecord {
  id: string;
  time: string;
  outcome: Outcome;
  reason: string;
  skip?: SkipReason;
  alert: { name: string; fingerprint: string; labels: Record<string, string>; startsAt: string; source: Alert['source'] };
  deployment?: DeploymentRef;
  /** Set for rollbacks (also dry runs): the revision left and the revision returned to. */
  from?: RevisionRef;
  to?: Revision;
  /** The GitOps write-back's commit of the good images. */
  gitCommit?: string;
  /**
   * The hold against the GitOps engine (docs/design.md "Rollbacks under a GitOps engine"): on the decision's record,
   * stage `holding`; the hold keeper records each later step (written back, reverted, released...) as a record with
   * the decision's id, outcome `rolled-back` and this field set to that stage.
   */
  gitops?: GitOpsProgress;
  error?: string;
  /** Milliseconds from receiving the alert to the Deployment patched (rollbacks only). */
  latencyMs?: number;
}
