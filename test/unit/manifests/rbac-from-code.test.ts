/**
 * Keeps the feedback RBAC in step with the code: derives the (verb, resource) pairs the feedback pipeline calls from
 * its source and compares them with the roles. Calls are read in two forms: the pipeline's own client names a
 * resource of feedback-pipeline/kubernetes/resources.ts (`api.patch(Deployments, ...)`, and each
 * `new Reflector(api, Deployments, ...)` lists and watches); the parts still on client-node (`metricops status`'s
 * list, the GitOps hold's Deployment patch, Flux) call API methods, custom objects named by FLUX_OBJECTS. Roles: the
 * base ClusterRole (the workloads, cluster-wide), the base Role (the leader-election Lease, in its own namespace), and
 * the opt-in manifests/components/flux ClusterRole for actuators/flux-reconcile.ts. A new API call without a matching
 * grant (or a grant no code uses) fails here, not in production.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole } from '@kubernetes/client-node';
import { FLUX_OBJECTS } from '../../../feedback-pipeline/actuators/flux-reconcile.js';
import { kubeObjects, onlyObject, repoRoot } from './manifest-files.js';

const pipelineDir = join(repoRoot, 'feedback-pipeline');
const FLUX_FILE = join(pipelineDir, 'actuators', 'flux-reconcile.ts');
/** The resources the pipeline's client can name, from resources.ts: constant -> "plural.group". */
const RESOURCES = new Map(
  [...readFileSync(join(pipelineDir, 'kubernetes', 'resources.ts'), 'utf8').matchAll(/export const (\w+): Resource = \{ group: '([^']*)', version: '\w+', plural: '(\w+)'/g)]
    .map((match) => [match[1]!, `${match[3]}.${match[2] || 'core'}`]),
);
const API_VERBS: Record<string, string> = { get: 'get', list: 'list', watch: 'watch', create: 'create', update: 'update', patch: 'patch', delete: 'delete' };
const CLIENT_NODE_GROUPS: Record<string, string> = { AppsV1Api: 'apps', CoreV1Api: 'core', CustomObjectsApi: 'custom' };
const CLIENT_NODE_VERBS: Record<string, string> = { read: 'get', get: 'get', list: 'list', create: 'create', patch: 'patch', replace: 'update', delete: 'delete' };
/** Resources in the pipeline's own namespace (a Role), not cluster-wide (the ClusterRole). */
const OWN_NAMESPACE = new Set(['leases.coordination.k8s.io']);

/** "ReplicaSet" -> "replicasets", "Event" -> "events" (the kinds metricops touches pluralise with an s). */
const plural = (kind: string): string => `${kind.toLowerCase()}s`;

function resourceOf(constant: string): string {
  const resource = RESOURCES.get(constant);
  if (resource === undefined) throw new Error(`unknown resource ${constant}: declare it in feedback-pipeline/kubernetes/resources.ts`);
  return resource;
}

/** `verb resource.group` for each API call in one source file. */
function callsIn(source: string): string[] {
  const calls: string[] = [];
  // The pipeline's client (kubernetes/api-client.ts).
  for (const match of source.matchAll(/\.(get|list|watch|create|update|patch|delete)(?:<[^()]*>)?\(\s*([A-Z]\w*)\b/g)) {
    if (RESOURCES.has(match[2]!)) calls.push(`${API_VERBS[match[1]!]} ${resourceOf(match[2]!)}`);
  }
  for (const match of source.matchAll(/new Reflector\(\s*\w+,\s*([A-Z]\w*)\b/g)) {
    calls.push(`list ${resourceOf(match[1]!)}`, `watch ${resourceOf(match[1]!)}`);
  }
  // client-node.
  const clients = new Map<string, string>();
  for (const match of source.matchAll(/(?:this\.)?(\w+)\s*=\s*kubeConfig\.makeApiClient\((\w+)\)/g)) {
    const group = CLIENT_NODE_GROUPS[match[2]!];
    if (group === undefined) throw new Error(`unknown API client ${match[2]}: add it to CLIENT_NODE_GROUPS`);
    clients.set(match[1]!, group);
  }
  for (const match of source.matchAll(/(?:this\.)?(\w+)\.(read|list|create|patch|replace|delete)(?:Namespaced)?([A-Z]\w*?)(?:ForAllNamespaces)?\(/g)) {
    const group = clients.get(match[1]!);
    if (group !== undefined && group !== 'custom') calls.push(`${CLIENT_NODE_VERBS[match[2]!]} ${plural(match[3]!)}.${group}`);
  }
  // Custom objects: `client.getNamespacedCustomObject({ ...FLUX_OBJECTS.kustomization, ... })`.
  for (const match of source.matchAll(/(\w+)\.(get|list|create|patch|replace|delete)(?:Namespaced)?CustomObject\(\s*\{\s*\.\.\.FLUX_OBJECTS\.(\w+)/g)) {
    if (clients.get(match[1]!) !== 'custom') continue;
    const object = FLUX_OBJECTS[match[3]! as keyof typeof FLUX_OBJECTS];
    if (!object) throw new Error(`unknown FLUX_OBJECTS entry ${match[3]}`);
    calls.push(`${CLIENT_NODE_VERBS[match[2]!]} ${object.plural}.${object.group}`);
  }
  if (/CustomObject\(/.test(source) && !/\.\.\.FLUX_OBJECTS\./.test(source)) throw new Error('a custom-object call that does not name its object by FLUX_OBJECTS: the scanner cannot check it');
  return calls;
}

function grantsOf(role: V1ClusterRole): string[] {
  return role.rules!.flatMap((rule) =>
    rule.apiGroups!.flatMap((group) => rule.resources!.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${resource}.${group || 'core'}`))),
  );
}

/** Every TypeScript file below `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('the feedback ClusterRoles and Role match the calls in feedback-pipeline/', () => {
  test.each([
    ['a read with a type argument', "this.api.get<V1Deployment>(Deployments, namespace, name)", ['get deployments.apps']],
    ['a list across namespaces', "api.list<{ items: V1ReplicaSet[] }>(ReplicaSets, undefined, {})", ['list replicasets.apps']],
    ['a core Event create', "() => this.api.create(Events, namespace, event)", ['create events.core']],
    ['a core Event patch (a repeated decision\'s count)', "() => this.api.patch(Events, namespace, step.name, patch, 'merge')", ['patch events.core']],
    ['a Lease update', "await this.api.update<Lease>(Leases, namespace, name, updated)", ['update leases.coordination.k8s.io']],
    ['a reflector (list and watch)', "new Reflector(api, Deployments, namespace, slim, store, settings, log)", ['list deployments.apps', 'watch deployments.apps']],
    ['a client-node read through an AppsV1Api client', "this.apps = kubeConfig.makeApiClient(AppsV1Api); this.apps.readNamespacedDeployment({ name })", ['get deployments.apps']],
    ['a client-node list across namespaces', "const apps = kubeConfig.makeApiClient(AppsV1Api); apps.listDeploymentForAllNamespaces(page)", ['list deployments.apps']],
    ['a Flux custom object', "this.custom = kubeConfig.makeApiClient(CustomObjectsApi); this.custom.patchNamespacedCustomObject({ ...FLUX_OBJECTS.gitRepository, name })", ['patch gitrepositories.source.toolkit.fluxcd.io']],
    ['a method on something that is not an API client', "this.cache.get(name); this.cache.listDeployments()", []],
  ])('the scanner reads %s', (_description, source, expected) => {
    expect(callsIn(source)).toEqual(expected);
  });

  const files = sourceFiles(pipelineDir);
  const used = () => new Set(files.filter((file) => file !== FLUX_FILE).flatMap((file) => callsIn(readFileSync(file, 'utf8'))));

  test('every cluster-wide call the code makes is granted by the ClusterRole, and every grant is used', () => {
    const cluster = [...used()].filter((call) => !OWN_NAMESPACE.has(call.split(' ')[1]!));
    expect(cluster.length).toBeGreaterThan(0);
    const granted = new Set(grantsOf(onlyObject('ClusterRole', 'metricops-feedback') as unknown as V1ClusterRole));
    expect(cluster.sort()).toEqual([...granted].sort());
  });

  test('the calls in its own namespace (the leader-election Lease) are the Role\'s, and nothing else is', () => {
    const own = [...used()].filter((call) => OWN_NAMESPACE.has(call.split(' ')[1]!));
    expect(own.sort()).toEqual(['create leases.coordination.k8s.io', 'get leases.coordination.k8s.io', 'update leases.coordination.k8s.io']);
    const roles = kubeObjects().filter((document) => document.object.kind === 'Role' && document.file.startsWith('manifests/base/'));
    expect(roles.map((document) => document.object.metadata?.name)).toEqual(['metricops-feedback']);
    expect(roles.flatMap((document) => grantsOf(document.object as unknown as V1ClusterRole)).sort()).toEqual(own);
  });

  test('Flux: the calls of actuators/flux-reconcile.ts are the opt-in component\'s ClusterRole, and only that file makes them', () => {
    const flux = callsIn(readFileSync(FLUX_FILE, 'utf8'));
    const component = kubeObjects().filter((document) => document.object.kind === 'ClusterRole' && document.file.startsWith('manifests/components/flux/'));
    expect(component).toHaveLength(1);
    expect([...new Set(flux)].sort()).toEqual(grantsOf(component[0]!.object as unknown as V1ClusterRole).sort());
    expect(files.filter((file) => file !== FLUX_FILE && /FLUX_OBJECTS\./.test(readFileSync(file, 'utf8')))).toEqual([]);
  });
});
