/**
 * What the informer keeps of each Deployment and ReplicaSet: only what decisions read, so that 10,000 Deployments
 * fit in little memory. Pod templates are kept as one canonical JSON string (keys sorted, `pod-template-hash`
 * removed): compact, and two equal strings mean equal templates. Pure conversions.
 */
import type { KubernetesObject, V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { ANNOTATION_PREFIX } from '../../common/contract/annotations.js';
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

export interface CachedDeployment extends KubernetesObject {
  metadata: SlimMetadata;
  paused: boolean;
  annotations: Record<string, string>;
  /** Canonical JSON of spec.template. */
  template: string;
}

export interface CachedReplicaSet extends KubernetesObject {
  metadata: SlimMetadata;
  /** uid of the Deployment that controls it, if any. */
  ownerUid?: string;
  revision: number;
  annotations: Record<string, string>;
  /** Canonical JSON of spec.template without `pod-template-hash`. */
  template: string;
  createdAt: string;
}

/**
 * Only metricops annotations, the controller's revision and Flux's reconcile annotation are kept (a hold records the
 * value it replaces, so the rollback patched from the cache must know it).
 */
export function keptAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (key.startsWith(ANNOTATION_PREFIX) || key === REVISION_ANNOTATION || key === FluxKeys.reconcile) kept[key] = value;
  }
  return kept;
}

function slimMetadata(object: KubernetesObject): SlimMetadata {
  const metadata = object.metadata ?? {};
  return {
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? '',
    uid: metadata.uid ?? '',
    resourceVersion: metadata.resourceVersion ?? '',
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
  const annotations = keptAnnotations(replicaSet.metadata?.annotations);
  const owner = replicaSet.metadata?.ownerReferences?.find((reference) => reference.controller && reference.kind === 'Deployment');
  const created = replicaSet.metadata?.creationTimestamp as Date | string | undefined;
  const cached: CachedReplicaSet = {
    metadata: slimMetadata(replicaSet),
    revision: Number.parseInt(annotations[REVISION_ANNOTATION] ?? '0', 10) || 0,
    annotations,
    template: templateKey(replicaSet.spec?.template ?? {}),
    createdAt: created === undefined ? '' : new Date(created).toISOString(),
  };
  if (owner?.uid) cached.ownerUid = owner.uid;
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
    annotations: { ...cached.annotations },
    template: JSON.parse(cached.template) as V1PodTemplateSpec,
    templateKey: cached.template,
    createdAt: new Date(cached.createdAt),
  };
}
