/**
 * The writes of a rollback, computed from what was read. Pure.
 * - the Deployment: a JSON Patch that first tests metadata.resourceVersion (so of two racing writers exactly one
 *   wins), replaces spec.template with the target's template without `pod-template-hash`, and adds the
 *   `metricops.io/rolled-back-from` annotation (other annotations are kept, unlike kubectl rollout undo); with a hold,
 *   also `metricops.io/gitops-hold` and Flux's `kustomize.toolkit.fluxcd.io/reconcile: disabled`, in the same patch,
 *   so no apply of the GitOps engine can come between the rollback and the hold;
 * - the bad ReplicaSet: a merge patch adding `metricops.io/bad-revision`.
 */
import type { Operation } from 'fast-json-patch';
import { Annotations } from '../../common/contract/annotations.js';
import { formatBadRevision, type BadRevisionRecord } from '../../common/contract/bad-revision.js';
import { FLUX_RECONCILE_DISABLED, FluxKeys } from '../../common/contract/flux.js';
import { formatGitOpsHold, parseGitOpsHold, type GitOpsHoldRecord } from '../../common/contract/gitops-hold.js';
import { templateImages } from '../../common/contract/images.js';
import { formatRolledBackFrom, type RollbackCause, type RolledBackFromRecord } from '../../common/contract/rolled-back-from.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';
import { withoutPodTemplateHash } from './pod-template.js';

/** JSON Pointer escaping (RFC 6901) of one path segment, e.g. an annotation key with a slash. */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function rolledBackFromRecord(
  deployment: Pick<DeploymentState, 'template'>,
  from: ReplicaSetState | undefined,
  to: ReplicaSetState,
  cause: RollbackCause,
): RolledBackFromRecord {
  const fromPart: RolledBackFromRecord['from'] = { images: templateImages(deployment.template) };
  if (from) {
    fromPart.revision = from.revision;
    fromPart.replicaSet = from.name;
  }
  return {
    ...cause,
    from: fromPart,
    to: { revision: to.revision, replicaSet: to.name, images: templateImages(to.template) },
  };
}

/**
 * The hold a rollback sets: what it rolled back and why, and the Flux annotation it replaces (restored on release).
 * A Deployment still held by an earlier rollback keeps that hold's record of the Flux annotation (its `disabled` is
 * the hold's own, not the user's).
 */
export function gitOpsHoldRecord(
  deployment: Pick<DeploymentState, 'annotations'>,
  record: RolledBackFromRecord,
  hold: { decision: string; gitPath: string; source: GitOpsHoldRecord['alert']['source'] },
): GitOpsHoldRecord {
  const revision = (ref: { revision?: number }) => (ref.revision !== undefined ? { revision: ref.revision } : {});
  return {
    decision: hold.decision,
    alert: { ...record.alert, source: hold.source },
    since: record.time,
    reason: record.reason,
    gitPath: hold.gitPath,
    from: { ...revision(record.from), images: record.from.images },
    to: { ...revision(record.to), images: record.to.images },
    previousFluxReconcile: previousFluxReconcile(deployment.annotations),
  };
}

function previousFluxReconcile(annotations: Readonly<Record<string, string>>): string | null {
  const earlier = annotations[Annotations.gitopsHold];
  const parsed = earlier === undefined ? undefined : parseGitOpsHold(earlier);
  if (parsed?.ok) return parsed.value.previousFluxReconcile;
  return annotations[FluxKeys.reconcile] ?? null;
}

/** JSON Patch ops that set annotations: one `add` each, or the whole map when the object has none. */
export function addAnnotationOps(existing: Readonly<Record<string, string>>, values: Record<string, string>): Operation[] {
  if (Object.keys(existing).length === 0) return [{ op: 'add', path: '/metadata/annotations', value: values }];
  return Object.entries(values).map(([key, value]) => ({ op: 'add', path: annotationPointer(key), value }));
}

export function annotationPointer(key: string): string {
  return `/metadata/annotations/${escapePointerSegment(key)}`;
}

export function deploymentRollbackPatch(
  deployment: Pick<DeploymentState, 'resourceVersion' | 'annotations'>,
  to: Pick<ReplicaSetState, 'template'>,
  record: RolledBackFromRecord,
  hold?: GitOpsHoldRecord,
): Operation[] {
  const annotations: Record<string, string> = { [Annotations.rolledBackFrom]: formatRolledBackFrom(record) };
  if (hold) {
    annotations[Annotations.gitopsHold] = formatGitOpsHold(hold);
    annotations[FluxKeys.reconcile] = FLUX_RECONCILE_DISABLED;
  }
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: deployment.resourceVersion },
    { op: 'replace', path: '/spec/template', value: withoutPodTemplateHash(to.template) },
    ...addAnnotationOps(deployment.annotations, annotations),
  ];
}

export function badRevisionRecord(from: ReplicaSetState, to: ReplicaSetState, cause: RollbackCause): BadRevisionRecord {
  return { ...cause, revision: from.revision, rolledBackTo: { revision: to.revision, replicaSet: to.name } };
}

export function badRevisionPatch(record: BadRevisionRecord): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [Annotations.badRevision]: formatBadRevision(record) } } };
}
