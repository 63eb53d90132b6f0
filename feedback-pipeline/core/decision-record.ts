/**
 * A decision and what came of it, as every recorder receives it: the DecisionRecord. Pure.
 */
import { createHash } from 'node:crypto';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { templateImages } from '../../common/contract/images.js';
import type { RevisionRef } from '../../common/contract/rolled-back-from.js';
import type { Alert, Decision, DecisionRecord, DeploymentState } from '../model.js';
import { alertName } from './alert-matching.js';
import type { RollbackTarget } from './rollback-target.js';

/** A stable id: the same alert occurrence and Deployment always get the same one (across replicas and restarts). */
export function decisionId(alert: Pick<Alert, 'fingerprint' | 'startsAt'>, deployment?: DeploymentRef): string {
  const text = `${alert.fingerprint}|${alert.startsAt.toISOString()}|${deployment ? namespacedName(deployment) : ''}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The record of `decision` at `now`; `extra` says what acting on it did (outcome, revisions, commit, error...). */
export function buildRecord(alert: Alert, decision: Decision, now: Date, extra: Partial<DecisionRecord>): DecisionRecord {
  const record: DecisionRecord = {
    id: decisionId(alert, decision.deployment),
    time: now.toISOString(),
    outcome: decision.action === 'skip' ? 'skipped' : 'rolled-back',
    reason: decision.reason,
    alert: {
      name: alertName(alert),
      fingerprint: alert.fingerprint,
      labels: alert.labels,
      startsAt: alert.startsAt.toISOString(),
      source: alert.source,
    },
    ...extra,
  };
  if (decision.action === 'skip') record.skip = decision.skip;
  if (decision.deployment) record.deployment = decision.deployment;
  return record;
}

/** The revisions a plan goes from and to, as a record shows them (a dry run, or a rollback that failed). */
export function plannedRevisions(deployment: Pick<DeploymentState, 'template'>, target: RollbackTarget): Pick<DecisionRecord, 'from' | 'to'> {
  const from: RevisionRef = { images: templateImages(deployment.template) };
  if (target.from) {
    from.revision = target.from.revision;
    from.replicaSet = target.from.name;
  }
  const { to } = target;
  return to ? { from, to: { revision: to.revision, replicaSet: to.name, images: templateImages(to.template) } } : { from };
}
