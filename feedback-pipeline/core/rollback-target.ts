/**
 * Where a rollback goes: `kubectl rollout undo` semantics, made safe. The target is the newest ReplicaSet revision
 * older than the current one whose pod template differs from the Deployment's and that is not marked bad.
 * Never "the second-highest revision": after an undo the controller renumbers the restored ReplicaSet, so a
 * duplicate notification would flip back to the bad version (kubernetes/website#6921). Pure.
 */
import { Annotations } from '../../common/contract/annotations.js';
import { isMarkedBad } from '../../common/contract/bad-revision.js';
import { parseDeployedAt } from '../../common/contract/deployed-at.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';
import { templateKey } from './pod-template.js';

export interface RollbackTarget {
  /** The ReplicaSet of the current template; absent when the controller has not created it yet. */
  from?: ReplicaSetState;
  /** The revision to return to; absent when there is no previous good revision. */
  to?: ReplicaSetState;
}

/**
 * The target among the Deployment's ReplicaSets. Their templates are compared by their templateKey (computed once,
 * when they were read); the Deployment's own template is made canonical here, once.
 */
export function selectRollbackTarget(deployment: Pick<DeploymentState, 'template'>, replicaSets: readonly ReplicaSetState[]): RollbackTarget {
  const currentKey = templateKey(deployment.template);
  const newestFirst = [...replicaSets].sort(newerFirst);
  const from = newestFirst.find((replicaSet) => replicaSet.templateKey === currentKey);
  const to = newestFirst.find(
    (replicaSet) =>
      (from === undefined || newerFirst(from, replicaSet) < 0) &&
      !isMarkedBad(replicaSet.annotations) &&
      replicaSet.templateKey !== currentKey,
  );
  const target: RollbackTarget = {};
  if (from) target.from = from;
  if (to) target.to = to;
  return target;
}

/**
 * Newest first: by revision, the controller's order (an undo renumbers the restored ReplicaSet, so it is not the
 * creation order). Equal revisions happen when the controller numbers a new ReplicaSet before its cache has the
 * previous one (a rollout right after another, on a busy control plane; it renumbers on a later sync): then the later
 * created, then the later `metricops.io/deployed-at` stamp is newer. Fully tied ReplicaSets are not ordered (0).
 */
function newerFirst(a: ReplicaSetState, b: ReplicaSetState): number {
  return b.revision - a.revision || b.createdAt.getTime() - a.createdAt.getTime() || deployedAtMs(b) - deployedAtMs(a);
}

function deployedAtMs(replicaSet: ReplicaSetState): number {
  const stamp = replicaSet.annotations[Annotations.deployedAt];
  const parsed = stamp === undefined ? undefined : parseDeployedAt(stamp);
  return parsed?.ok ? parsed.value.getTime() : 0;
}
