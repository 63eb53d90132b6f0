/**
 * Where a rollback goes: `kubectl rollout undo` semantics, made safe. The target is the newest ReplicaSet revision
 * older than the current one whose pod template differs from the Deployment's and that is not marked bad.
 * Never "the second-highest revision": after an undo the controller renumbers the restored ReplicaSet, so a
 * duplicate notification would flip back to the bad version (kubernetes/website#6921). Pure.
 */
import { isMarkedBad } from '../../common/contract/bad-revision.js';
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
  const newestFirst = [...replicaSets].sort((a, b) => b.revision - a.revision);
  const from = newestFirst.find((replicaSet) => replicaSet.templateKey === currentKey);
  const to = newestFirst.find(
    (replicaSet) =>
      (from === undefined || replicaSet.revision < from.revision) &&
      !isMarkedBad(replicaSet.annotations) &&
      replicaSet.templateKey !== currentKey,
  );
  const target: RollbackTarget = {};
  if (from) target.from = from;
  if (to) target.to = to;
  return target;
}
