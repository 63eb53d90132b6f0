/**
 * Keeps the feedback RBAC in step with the code: derives the (verb, resource) pairs the feedback pipeline calls from
 * its source (every call names a resource of feedback-pipeline/kubernetes/resources.ts: `api.patch(Deployments, ...)`,
 * and each `new Reflector(api, Deployments, ...)` lists and watches) and compares them with the ClusterRole (the
 * workloads, cluster-wide) and the Role in its own namespace (the leader-election Lease). A new API call without a
 * matching grant (or a grant no code uses) fails here, not in production.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole } from '@kubernetes/client-node';
import { kubeObjects, onlyObject, repoRoot } from './manifest-files.js';

const pipelineDir = join(repoRoot, 'feedback-pipeline');
/** The resources the code can name, from resources.ts: constant -> "plural.group". */
const RESOURCES = new Map(
  [...readFileSync(join(pipelineDir, 'kubernetes', 'resources.ts'), 'utf8').matchAll(/export const (\w+): Resource = \{ group: '([^']*)', version: '\w+', plural: '(\w+)'/g)]
    .map((match) => [match[1]!, `${match[3]}.${match[2] || 'core'}`]),
);
const VERBS: Record<string, string> = { get: 'get', list: 'list', watch: 'watch', create: 'create', update: 'update', patch: 'patch', delete: 'delete' };
/** Resources in the pipeline's own namespace (a Role), not cluster-wide (the ClusterRole). */
const OWN_NAMESPACE = new Set(['leases.coordination.k8s.io']);

function resourceOf(constant: string): string {
  const resource = RESOURCES.get(constant);
  if (resource === undefined) throw new Error(`unknown resource ${constant}: declare it in feedback-pipeline/kubernetes/resources.ts`);
  return resource;
}

/** `verb resource.group` for each API call in one source file. */
function callsIn(source: string): string[] {
  const calls: string[] = [];
  for (const match of source.matchAll(/\.(get|list|watch|create|update|patch|delete)(?:<[^()]*>)?\(\s*([A-Z]\w*)\b/g)) {
    if (RESOURCES.has(match[2]!)) calls.push(`${VERBS[match[1]!]} ${resourceOf(match[2]!)}`);
  }
  for (const match of source.matchAll(/new Reflector\(\s*\w+,\s*([A-Z]\w*)\b/g)) {
    calls.push(`list ${resourceOf(match[1]!)}`, `watch ${resourceOf(match[1]!)}`);
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

describe('the feedback ClusterRole and Role match the calls in feedback-pipeline/', () => {
  test.each([
    ['a read with a type argument', "this.api.get<V1Deployment>(Deployments, namespace, name)", ['get deployments.apps']],
    ['a list across namespaces', "api.list<{ items: V1ReplicaSet[] }>(ReplicaSets, undefined, {})", ['list replicasets.apps']],
    ['a core Event create', "() => this.api.create(Events, namespace, event)", ['create events.core']],
    ['a core Event patch (a repeated decision\'s count)', "() => this.api.patch(Events, namespace, step.name, patch, 'merge')", ['patch events.core']],
    ['a Lease update', "await this.api.update<Lease>(Leases, namespace, name, updated)", ['update leases.coordination.k8s.io']],
    ['a reflector (list and watch)', "new Reflector(api, Deployments, namespace, slim, store, settings, log)", ['list deployments.apps', 'watch deployments.apps']],
    ['a method on something that is not an API client', "this.cache.get(name)", []],
  ])('the scanner reads %s', (_description, source, expected) => {
    expect(callsIn(source)).toEqual(expected);
  });

  const used = () => new Set(sourceFiles(pipelineDir).flatMap((file) => callsIn(readFileSync(file, 'utf8'))));

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
});
