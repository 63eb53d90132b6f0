/**
 * The Kubernetes resources the feedback pipeline touches, and their REST paths. Every API call names one of these
 * (`api.patch(Deployments, ...)`), so test/unit/manifests/rbac-from-code.test.ts can read the calls from the source
 * and compare them with the RBAC rules.
 */
export interface Resource {
  /** API group; '' is the core group. */
  group: string;
  version: string;
  /** The resource name in RBAC rules and URLs. */
  plural: string;
  kind: string;
}

export const Deployments: Resource = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' };
export const ReplicaSets: Resource = { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' };
export const Events: Resource = { group: '', version: 'v1', plural: 'events', kind: 'Event' };
export const Leases: Resource = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' };

/** `/apis/apps/v1/namespaces/shop/deployments/checkout`; no namespace: the cluster-wide collection. */
export function resourcePath(resource: Resource, namespace?: string, name?: string): string {
  const root = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${root}${scope}/${resource.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
