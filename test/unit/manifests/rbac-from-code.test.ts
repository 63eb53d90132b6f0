/**
 * Keeps the feedback ClusterRoles in step with the code: derives the (verb, resource) pairs the feedback pipeline
 * calls from its source (the Kubernetes adapters, the actuators, the Event recorder) (client-node API methods,
 * custom objects named by FLUX_OBJECTS, and ListWatch paths) and compares them with the ClusterRoles: the base one
 * for everything but Flux, the opt-in manifests/components/flux one for actuators/flux-reconcile.ts. A new API call
 * without a matching grant (or a grant no code uses) fails here, not in production.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole } from '@kubernetes/client-node';
import { FLUX_OBJECTS } from '../../../feedback-pipeline/actuators/flux-reconcile.js';
import { kubeObjects, onlyObject, repoRoot } from './manifest-files.js';

const pipelineDir = join(repoRoot, 'feedback-pipeline');
const API_GROUPS: Record<string, string> = { AppsV1Api: 'apps', CoreV1Api: 'core', CustomObjectsApi: 'custom' };
const VERBS: Record<string, string> = { read: 'get', get: 'get', list: 'list', create: 'create', patch: 'patch', replace: 'update', delete: 'delete' };
const FLUX_FILE = join(pipelineDir, 'actuators', 'flux-reconcile.ts');

/** "ReplicaSet" -> "replicasets", "Event" -> "events" (the kinds metricops touches pluralise with an s). */
const plural = (kind: string): string => `${kind.toLowerCase()}s`;

/** `verb resource.group` for each API call in one source file. */
function callsIn(source: string): string[] {
  const clients = new Map<string, string>();
  for (const match of source.matchAll(/(?:this\.)?(\w+)\s*=\s*kubeConfig\.makeApiClient\((\w+)\)/g)) {
    const group = API_GROUPS[match[2]!];
    if (group === undefined) throw new Error(`unknown API client ${match[2]}: add it to API_GROUPS`);
    clients.set(match[1]!, group);
  }
  const calls: string[] = [];
  for (const match of source.matchAll(/(?:this\.)?(\w+)\.(read|list|create|patch|replace|delete)(?:Namespaced)?([A-Z]\w*?)(?:ForAllNamespaces)?\(/g)) {
    const group = clients.get(match[1]!);
    if (group !== undefined && group !== 'custom') calls.push(`${VERBS[match[2]!]} ${plural(match[3]!)}.${group}`);
  }
  // Custom objects: `client.getNamespacedCustomObject({ ...FLUX_OBJECTS.kustomization, ... })`.
  for (const match of source.matchAll(/(\w+)\.(get|list|create|patch|replace|delete)(?:Namespaced)?CustomObject\(\s*\{\s*\.\.\.FLUX_OBJECTS\.(\w+)/g)) {
    if (clients.get(match[1]!) !== 'custom') continue;
    const object = FLUX_OBJECTS[match[3]! as keyof typeof FLUX_OBJECTS];
    if (!object) throw new Error(`unknown FLUX_OBJECTS entry ${match[3]}`);
    calls.push(`${VERBS[match[2]!]} ${object.plural}.${object.group}`);
  }
  if (/CustomObject\(/.test(source) && !/\.\.\.FLUX_OBJECTS\./.test(source)) throw new Error('a custom-object call that does not name its object by FLUX_OBJECTS: the scanner cannot check it');
  for (const match of source.matchAll(/new ListWatch<\w+>\(\s*'\/apis?\/(?:([a-z.]+)\/)?v1\/([a-z]+)'/g)) {
    calls.push(`watch ${match[2]}.${match[1] ?? 'core'}`);
  }
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

describe('the feedback ClusterRole matches the calls in feedback-pipeline/', () => {
  test.each([
    ['a namespaced read through an AppsV1Api client', "this.apps = kubeConfig.makeApiClient(AppsV1Api); this.apps.readNamespacedDeployment({ name })", ['get deployments.apps']],
    ['a list across namespaces', "const apps = kubeConfig.makeApiClient(AppsV1Api); apps.listReplicaSetForAllNamespaces({})", ['list replicasets.apps']],
    ['a core Event create', "this.core = kubeConfig.makeApiClient(CoreV1Api); this.core.createNamespacedEvent({})", ['create events.core']],
    ['a core Event patch', "this.core = kubeConfig.makeApiClient(CoreV1Api); this.core.patchNamespacedEvent({ name })", ['patch events.core']],
    ['a ListWatch informer', "new ListWatch<CachedDeployment>(\n '/apis/apps/v1/deployments',", ['watch deployments.apps']],
    ['a method on something that is not an API client', "this.cache.listDeployments()", []],
    ['a Flux custom object', "this.custom = kubeConfig.makeApiClient(CustomObjectsApi); this.custom.patchNamespacedCustomObject({ ...FLUX_OBJECTS.gitRepository, name })", ['patch gitrepositories.source.toolkit.fluxcd.io']],
  ])('the scanner reads %s', (_description, source, expected) => {
    expect(callsIn(source)).toEqual(expected);
  });

  test('every call the code makes is granted, and every grant is used (Flux: by the opt-in component)', () => {
    const files = sourceFiles(pipelineDir);
    const used = new Set(files.filter((file) => file !== FLUX_FILE).flatMap((file) => callsIn(readFileSync(file, 'utf8'))));
    expect(used.size).toBeGreaterThan(0);
    const granted = new Set(grantsOf(onlyObject('ClusterRole', 'metricops-feedback') as unknown as V1ClusterRole));
    expect([...used].sort()).toEqual([...granted].sort());

    const flux = callsIn(readFileSync(FLUX_FILE, 'utf8'));
    const component = kubeObjects().filter((document) => document.object.kind === 'ClusterRole' && document.file.startsWith('manifests/components/flux/'));
    expect(component).toHaveLength(1);
    expect([...new Set(flux)].sort()).toEqual(grantsOf(component[0]!.object as unknown as V1ClusterRole).sort());
    expect(files.filter((file) => file !== FLUX_FILE && /FLUX_OBJECTS\./.test(readFileSync(file, 'utf8')))).toEqual([]);
  });
});
