/**
 * Keeps the feedback ClusterRole in step with the code: derives the (verb, resource) pairs the feedback pipeline
 * calls from its source (the Kubernetes adapters, the cluster actuator, the Event recorder) (client-node API methods and ListWatch paths) and compares them with
 * the ClusterRole. A new API call without a matching grant (or a grant no code uses) fails here, not in production.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole } from '@kubernetes/client-node';
import { onlyObject, repoRoot } from './manifest-files.js';

const pipelineDir = join(repoRoot, 'feedback-pipeline');
const API_GROUPS: Record<string, string> = { AppsV1Api: 'apps', CoreV1Api: 'core' };
const VERBS: Record<string, string> = { read: 'get', list: 'list', create: 'create', patch: 'patch', replace: 'update', delete: 'delete' };

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
    if (group !== undefined) calls.push(`${VERBS[match[2]!]} ${plural(match[3]!)}.${group}`);
  }
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
  ])('the scanner reads %s', (_description, source, expected) => {
    expect(callsIn(source)).toEqual(expected);
  });

  test('every call the code makes is granted, and every grant is used', () => {
    const used = new Set(sourceFiles(pipelineDir).flatMap((file) => callsIn(readFileSync(file, 'utf8'))));
    expect(used.size).toBeGreaterThan(0);
    const granted = new Set(grantsOf(onlyObject('ClusterRole', 'metricops-feedback') as unknown as V1ClusterRole));
    expect([...used].sort()).toEqual([...granted].sort());
  });
});
