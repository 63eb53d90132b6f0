/**
 * The writes of a rollback, computed from what was read. Pure.
 * - the Deployment: a JSON Patch that first tests metadata.resourceVersion (so of two racing writers exactly one
 *   wins), replaces spec.template with the target's template without `pod-template-hash`, and adds the
 *   `metricops.io/rolled-back-from` annotation (other annotations are kept, unlike kubectl rollout undo);
 * - the bad ReplicaSet: a merge patch adding `metricops.io/bad-revision`.
 */
import type { Operation } from 'fast-json-patch';
import { Annotations } from '../../common/contract/annotations.js';
import { formatBadRevision, type BadRevisionRecord } from '../../common/contract/bad-revision.js';
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

export function deploymentRollbackPatch(
  deployment: Pick<DeploymentState, 'resourceVersion' | 'annotations'>,
  to: Pick<ReplicaSetState, 'template'>,
  record: RolledBackFromRecord,
): Operation[] {
  const value = formatRolledBackFrom(record);
  const annotationOp: Operation =
    Object.keys(deployment.annotations).length === 0
      ? { op: 'add', path: '/metadata/annotations', value: { [Annotations.rolledBackFrom]: value } }
      : { op: 'add', path: `/metadata/annotations/${escapePointerSegment(Annotations.rolledBackFrom)}`, value };
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: deployment.resourceVersion },
    { op: 'replace', path: '/spec/template', value: withoutPodTemplateHash(to.template) },
    annotationOp,
  ];
}

export function badRevisionRecord(from: ReplicaSetState, to: ReplicaSetState, cause: RollbackCause): BadRevisionRecord {
  return { ...cause, revision: from.revision, rolledBackTo: { revision: to.revision, replicaSet: to.name } };
}

export function badRevisionPatch(record: BadRevisionRecord): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [Annotations.badRevision]: formatBadRevision(record) } } };
}
