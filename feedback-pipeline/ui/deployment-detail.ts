/**
 * One Deployment's page: its revisions (one per ReplicaSet, bad ones marked), the timeline's markers (each
 * revision's rollout from its `metricops.io/deployed-at` stamp, each rollback from `metricops.io/rolled-back-from`
 * and the audit records) and its decision records. Pure.
 */
import { Annotations } from '../../common/contract/annotations.js';
import { parseBadRevision } from '../../common/contract/bad-revision.js';
import { parseDeployedAt } from '../../common/contract/deployed-at.js';
import { parseImages, templateImages } from '../../common/contract/images.js';
import type { DecisionRecord, ReplicaSetState } from '../model.js';
import type { DeploymentDetail, LastRollback, RevisionView, TimelineMarker } from './view-model.js';

function imagesOf(replicaSet: ReplicaSetState): Record<string, string> {
  const stamped = replicaSet.annotations[Annotations.images];
  const parsed = stamped === undefined ? undefined : parseImages(stamped);
  if (parsed?.ok) return parsed.value;
  try {
    return templateImages(replicaSet.template);
  } catch {
    return {};
  }
}

function formatImages(images: Readonly<Record<string, string>>): string {
  return Object.entries(images)
    .map(([container, image]) => `${container}=${image}`)
    .join(', ');
}

/** Newest revision first; `current` is the ReplicaSet of the Deployment's template. */
export function revisionsOf(replicaSets: readonly ReplicaSetState[], currentTemplateKey: string | undefined): RevisionView[] {
  return [...replicaSets]
    .sort((a, b) => b.revision - a.revision)
    .map((replicaSet) => {
      const view: RevisionView = {
        revision: replicaSet.revision,
        replicaSet: replicaSet.name,
        images: imagesOf(replicaSet),
        current: replicaSet.templateKey === currentTemplateKey,
      };
      const deployedAt = replicaSet.annotations[Annotations.deployedAt];
      const parsed = deployedAt === undefined ? undefined : parseDeployedAt(deployedAt);
      if (parsed?.ok) view.deployedAt = parsed.value.toISOString();
      const bad = replicaSet.annotations[Annotations.badRevision];
      if (bad !== undefined) {
        const record = parseBadRevision(bad);
        view.bad = record.ok
          ? { time: record.value.time, reason: record.value.reason, alert: record.value.alert.name }
          : { time: '', reason: `marked bad (annotation ${Annotations.badRevision} unreadable: ${record.problem})`, alert: '' };
      }
      return view;
    });
}

/** A rollback makes a new rollout of the good template (the webhook stamps it): within this long after a rollback, that rollout is the rollback's. */
const ROLLBACK_ROLLOUT_MS = 60_000;

/**
 * The timeline's markers, oldest first: one rollback per alert occurrence (the Deployment's annotation and the
 * audit records of rollbacks, one per alert fingerprint and start), and one rollout per revision's stamp, except the
 * rollout that a rollback itself made.
 */
export function markersOf(last: LastRollback | undefined, revisions: readonly RevisionView[], records: readonly DecisionRecord[]): TimelineMarker[] {
  const rollbacks = new Map<string, { time: string; alert: string; from?: number | undefined; to: number; images: Record<string, string> }>();
  for (const record of records) {
    if (record.outcome !== 'rolled-back' || !record.to) continue;
    const key = `${record.alert.fingerprint}|${record.alert.startsAt}`;
    if (!rollbacks.has(key)) rollbacks.set(key, { time: record.time, alert: record.alert.name, from: record.from?.revision, to: record.to.revision, images: record.to.images });
  }
  if (last) {
    // The annotation carries the time the Deployment was patched: it wins over the audit record's decision time.
    const match = [...rollbacks.entries()].find(([, rollback]) => rollback.alert === last.alert && rollback.to === last.to.revision && Math.abs(Date.parse(rollback.time) - Date.parse(last.time)) < ROLLBACK_ROLLOUT_MS);
    if (match) rollbacks.delete(match[0]);
    rollbacks.set('annotation', { time: last.time, alert: last.alert, from: last.from.revision, to: last.to.revision, images: last.to.images });
  }
  const markers: TimelineMarker[] = [...rollbacks.values()].map((rollback) => ({
    kind: 'rollback',
    time: new Date(rollback.time).toISOString(),
    label: `rollback${rollback.from !== undefined ? ` from revision ${rollback.from}` : ''} to revision ${rollback.to} (alert ${rollback.alert})`,
  }));
  for (const revision of revisions) {
    if (!revision.deployedAt) continue;
    const at = Date.parse(revision.deployedAt);
    const byRollback = [...rollbacks.values()].some((rollback) => {
      const since = at - Date.parse(rollback.time);
      return since >= -ROLLBACK_ROLLOUT_MS && since <= ROLLBACK_ROLLOUT_MS && formatImages(rollback.images) === formatImages(revision.images);
    });
    if (byRollback) continue;
    markers.push({ kind: 'rollout', time: revision.deployedAt, label: `rollout of revision ${revision.revision}: ${formatImages(revision.images)}` });
  }
  return markers.filter((marker) => !Number.isNaN(Date.parse(marker.time))).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

export function buildDeploymentDetail(input: Omit<DeploymentDetail, 'generatedAt'> & { now: Date }): DeploymentDetail {
  const { now, ...detail } = input;
  return { generatedAt: now.toISOString(), ...detail };
}
