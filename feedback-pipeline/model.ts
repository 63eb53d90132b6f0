/**
 * The feedback pipeline's data, shared by its intake (HTTP receiver, Alertmanager poller), its core
 * (decide, select the rollback target, roll back) and its recorders (Events, audit log, GitOps write-back, metrics).
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { RollbackMode } from '../common/contract/annotations.js';

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
export interface DeploymentState {
  namespace: string;
  name: string;
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
  createdAt: Date;
}

/** The webhook's stamps and the user's settings, parsed from a Deployment's annotations. */
export interface DeploymentPolicy {
  rollback: RollbackMode;
  /** Milliseconds. */
  watchWindow: number;
  deployedAt?: Date;
  images: Record<string, string>;
  /** Parsed `metricops.io/rules`. */
  rules: Array<{ alert: string; severity: string; slo?: string; labels: Record<string, string> }>;
  gitPath?: string;
}

export type SkipReason =
  | 'alert-resolved'
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

export type Decision =
  | { action: 'rollback'; deployment: { namespace: string; name: string }; dryRun: boolean; reason: string }
  | { action: 'skip'; deployment?: { namespace: string; name: string }; skip: SkipReason; reason: string };

export type Outcome = 'rolled-back' | 'dry-run' | 'skipped' | 'already-rolled-back' | 'failed';

/** One decision and what came of it: the unit every recorder (Event, audit line, write-back, metric) receives. */
export interface DecisionRecord {
  id: string;
  time: string;
  outcome: Outcome;
  reason: string;
  skip?: SkipReason;
  alert: { name: string; fingerprint: string; labels: Record<string, string>; startsAt: string; source: Alert['source'] };
  deployment?: { namespace: string; name: string };
  /** Set for rollbacks (also dry runs): the revision left and the revision returned to. */
  from?: { revision?: number; replicaSet?: string; images: Record<string, string> };
  to?: { revision: number; replicaSet: string; images: Record<string, string> };
  /** Set by the GitOps write-back when it committed the good images. */
  gitCommit?: string;
  error?: string;
  /** Milliseconds from receiving the alert to the Deployment patched (rollbacks only). */
  latencyMs?: number;
}

/** Receives every decision record; Events, the Git audit log, the write-back and metrics each implement it. */
export interface DecisionRecorder {
  readonly name: string;
  record(record: DecisionRecord): Promise<void>;
}

/** Commits the good images to the Deployment's manifest in the GitOps repository after a rollback. */
export interface GitOpsWriter {
  /** Returns the commit hash, or null when the manifest already had those images. */
  writeBack(record: DecisionRecord, gitPath: string): Promise<string | null>;
}
