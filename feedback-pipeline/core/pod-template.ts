/**
 * Pod template comparison the way the Deployment controller does it: equal when equal without the
 * `pod-template-hash` label that the controller adds to each ReplicaSet's copy. Pure.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** A copy of the template without `pod-template-hash` (and without an emptied labels map). */
export function withoutPodTemplateHash(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const copy = plainJson(template) as V1PodTemplateSpec;
  const labels = copy.metadata?.labels;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) delete copy.metadata!.labels;
  }
  return copy;
}

/** A stable text form of a template (hash label and null fields removed, keys sorted): equal texts mean equal templates. */
export function templateKey(template: V1PodTemplateSpec): string {
  return canonicalJson(withoutPodTemplateHash(template));
}

export function templatesEqual(a: V1PodTemplateSpec, b: V1PodTemplateSpec): boolean {
  return templateKey(a) === templateKey(b);
}

function plainJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(plainJson(value)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      // null and absent mean the same to the apiserver (e.g. template.metadata.creationTimestamp: null).
      if (field !== null) sorted[key] = sortKeys(field);
    }
    return sorted;
  }
  return value;
}
