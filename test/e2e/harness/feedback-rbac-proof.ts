/**
 * The `kubectl auth can-i` proof of an install's RBAC (kustomize: manifests.test.ts, Helm: helm.test.ts): the feedback
 * pipeline may make exactly the calls its code (feedback-pipeline/) makes, cluster-wide, and nothing on the list
 * below; the webhook may do nothing at all.
 */
import type { Cluster } from './control-plane.js';

export type Verb = 'get' | 'list' | 'watch' | 'patch' | 'create' | 'update' | 'delete';

/** [why, verb, resource] */
export const FEEDBACK_MAY: ReadonlyArray<readonly [string, Verb, string]> = [
  ['it lists and watches Deployments through its informer (list)', 'list', 'deployments.apps'],
  ['it lists and watches Deployments through its informer (watch)', 'watch', 'deployments.apps'],
  ['it reads a Deployment fresh before acting', 'get', 'deployments.apps'],
  ['it rolls a Deployment back', 'patch', 'deployments.apps'],
  ['it lists the ReplicaSets to find the last good revision', 'list', 'replicasets.apps'],
  ['it watches the ReplicaSets', 'watch', 'replicasets.apps'],
  ['it marks a bad revision on its ReplicaSet', 'patch', 'replicasets.apps'],
  ['it records an Event per series of decisions (core v1 Events, as the code writes them)', 'create', 'events'],
  ["it updates a repeated decision's Event (count, lastTimestamp), as client-go's recorder does", 'patch', 'events'],
];

/** [what, verb, resource, subresource] */
export const FEEDBACK_MAY_NOT: ReadonlyArray<readonly [string, Verb, string, string | undefined]> = [
  ['delete Deployments', 'delete', 'deployments.apps', undefined],
  ['replace Deployments wholesale', 'update', 'deployments.apps', undefined],
  ['create Deployments', 'create', 'deployments.apps', undefined],
  ['scale Deployments', 'patch', 'deployments.apps', 'scale'],
  ['scale ReplicaSets', 'patch', 'replicasets.apps', 'scale'],
  ['delete ReplicaSets', 'delete', 'replicasets.apps', undefined],
  ['read Secrets', 'get', 'secrets', undefined],
  ['list Secrets', 'list', 'secrets', undefined],
  ['create pods', 'create', 'pods', undefined],
  ['exec into pods', 'create', 'pods', 'exec'],
  ['delete Events', 'delete', 'events', undefined],
  ['read Events back (it only writes them)', 'list', 'events', undefined],
  ['write Events through events.k8s.io (the code uses core v1)', 'create', 'events.events.k8s.io', undefined],
  ['change its own permissions', 'patch', 'clusterroles.rbac.authorization.k8s.io', undefined],
  ['change the webhook registration', 'patch', 'mutatingwebhookconfigurations.admissionregistration.k8s.io', undefined],
];

/** [verb, resource]: the webhook has no API access at all. */
export const WEBHOOK_MAY_NOT: ReadonlyArray<readonly [Verb, string]> = [
  ['get', 'deployments.apps'],
  ['list', 'replicasets.apps'],
  ['create', 'events'],
  ['get', 'secrets'],
];

/** The identity a ServiceAccount's token authenticates as. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** `kubectl auth can-i` as `user`: "yes" or "no". */
export async function canI(cluster: Cluster, user: string, verb: string, resource: string, namespace = 'shop', subresource?: string): Promise<string> {
  const args = ['auth', 'can-i', verb, resource, `--as=${user}`, '-n', namespace, ...(subresource ? [`--subresource=${subresource}`] : [])];
  return (await cluster.kubectl(args)).stdout.trim();
}
