/**
 * What the informer keeps of each Deployment and ReplicaSet: only what decisions read, so that 10,000 Deployments
 * fit in little memory. Pod templates are kept as one canonical JSON string (keys sorted, `pod-template-hash`
 * removed): compact, and two equal strings mean equal templates; equal strings are stored once (a ReplicaSet's
 * template is its Deployment's). A ReplicaSet keeps only what a decision or the UI reads of it (name, owner, the
 * revision, `metricops.io/bad-revision` and its `metricops.io/deployed-at` stamp, the rollout's time on the UI's
 * timeline: the controller copies the Deployment's other annotations onto it). The input is the
 * wire JSON (list pages, watch events), never client-node's models. Pure conversions; StringPool is the cache's.
 */
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { ANNOTATION_PREFIX, Annotations } from '../../common/contract/annotations.js';
import { FluxKeys } from '../../common/contract/flux.js';
import { templateKey } from '../core/pod-template.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

interface SlimMetadata {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
}

export interface CachedDeployment {
  metadata: SlimMetadata;
  paused: boolean;
  annotations: Record<string, string>;
  /** Canonical JSON of spec.template. */
  template: string;
}

export interface CachedReplicaSet {
  /** name and namespace (uid and resourceVersion are not kept: nothing reads them). */
  metadata: SlimMetadata;
  /** uid of the Deployment that controls it, if any. */
  ownerUid?: string;
  revision: number;
  /** `metricops.io/bad-revision`, when marked. */
  badRevision?: string;
  /** `metricops.io/deployed-at` of the rollout that made it (the webhook's stamp, copied from the Deployment). */
  deployedAt?: string;
  /** Canonical JSON of spec.template without `pod-template-hash`. */
  template: string;
  /** creationTimestamp, ms since the epoch (0: unknown). */
  createdAt: number;
}

/**
 * A copy of a string that holds only its own characters. V8 makes the strings JSON.parse returns slices of the
 * parsed text, so keeping one 36-character uid from a list page would keep the whole page (megabytes) alive.
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Only metricops annotations, the controller's revision and Flux's reconcile annotation are kept (a hold records the
 * value it replaces, so the rollback patched from the cache must know it).
 */
export function keptAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (key.startsWith(ANNOTATION_PREFIX) || key === REVISION_ANNOTATION || key === FluxKeys.reconcile) kept[ownString(key)] = ownString(value);
  }
  return kept;
}

/**
 * Equal strings stored once: templates (a ReplicaSet's is its Deployment's) and namespaces. Entries are counted
 * by the objects that hold them and dropped with the last one.
 */
export class StringPool {
  /** The kept string (the Map holds it as its key), and how many objects hold it. */
  private readonly holders = new Map<string, number>();
  private readonly keys = new Map<string, string>();

  take(value: string): string {
    const kept = this.keys.get(value);
    if (kept !== undefined) {
      this.holders.set(kept, this.holders.get(kept)! + 1);
      return kept;
    }
    this.keys.set(value, value);
    this.holders.set(value, 1);
    return value;
  }

  release(value: string): void {
    const count = this.holders.get(value);
    if (count === undefined) return;
    if (count > 1) this.holders.set(value, count - 1);
    else {
      this.holders.delete(value);
      this.keys.delete(value);
    }
  }

  get size(): number {
    return this.keys.size;
  }
}

function slimMetadata(object: { metadata?: V1Deployment['metadata'] }): SlimMetadata {
  const metadata = object.metadata ?? {};
  return {
    name: ownString(metadata.name ?? ''),
    namespace: ownString(metadata.namespace ?? ''),
    uid: ownString(metadata.uid ?? ''),
    resourceVersion: ownString(metadata.resourceVersion ?? ''),
  };
}

export function cacheDeployment(deployment: V1Deployment): CachedDeployment {
  return {
    metadata: slimMetadata(deployment),
    paused: deployment.spec?.paused === true,
    annotations: keptAnnotations(deployment.metadata?.annotations),
    template: templateKey(deployment.spec?.template ?? {}),
  };
}

export function cacheReplicaSet(replicaSet: V1ReplicaSet): CachedReplicaSet {
  const annotations = replicaSet.metadata?.annotations;
  const owner = replicaSet.metadata?.ownerReferences?.find((reference) => reference.controller && reference.kind === 'Deployment');
  const created = replicaSet.metadata?.creationTimestamp as Date | string | undefined;
  const cached: CachedReplicaSet = {
    metadata: { name: ownString(replicaSet.metadata?.name ?? ''), namespace: ownString(replicaSet.metadata?.namespace ?? ''), uid: '', resourceVersion: '' },
    revision: Number.parseInt(annotations?.[REVISION_ANNOTATION] ?? '0', 10) || 0,
    template: templateKey(replicaSet.spec?.template ?? {}),
    createdAt: created === undefined ? 0 : new Date(created).getTime() || 0,
  };
  const bad = annotations?.[Annotations.badRevision];
  if (bad !== undefined) cached.badRevision = ownString(bad);
  const deployedAt = annotations?.[Annotations.deployedAt];
  if (deployedAt !== undefined) cached.deployedAt = ownString(deployedAt);
  if (owner?.uid) cached.ownerUid = ownString(owner.uid);
  return cached;
}

export function deploymentStateOf(cached: CachedDeployment): DeploymentState {
  return {
    namespace: cached.metadata.namespace,
    name: cached.metadata.name,
    uid: cached.metadata.uid,
    resourceVersion: cached.metadata.resourceVersion,
    paused: cached.paused,
    annotations: { ...cached.annotations },
    template: JSON.parse(cached.template) as V1PodTemplateSpec,
  };
}

export function replicaSetStateOf(cached: CachedReplicaSet): ReplicaSetState {
  return {
    namespace: cached.metadata.namespace,
    name: cached.metadata.name,
    revision: cached.revision,
    annotations: {
      [REVISION_ANNOTATION]: String(cached.revision),
      ...(cached.badRevision !== undefined ? { [Annotations.badRevision]: cached.badRevision } : {}),
      ...(cached.deployedAt !== undefined ? { [Annotations.deployedAt]: cached.deployedAt } : {}),
    },
    template: JSON.parse(cached.template) as V1PodTemplateSpec,
    templateKey: cached.template,
    createdAt: new Date(cached.createdAt),
  };
}
