/**
 * Several `metricops feedback` replicas electing a leader on one Lease (the e2e HA tests and the failover benchmark):
 * who leads (from each replica's /readyz), the Lease as the apiserver has it, a storm of duplicate notifications
 * sent round-robin to the replicas as a Service and Alertmanager's retries would, and kill -9.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { kubeconfigYaml, type Cluster } from './control-plane.js';
import { startFeedback, type FeedbackProcess, type FeedbackProcessOptions } from './feedback-fixtures.js';
import { sleep, waitFor } from './wait.js';

export interface Readiness {
  status: string;
  role?: 'leader' | 'follower';
  identity?: string;
  leader?: string | null;
}

export interface ReplicaOptions extends Omit<FeedbackProcessOptions, 'name'> {
  /** The Lease's namespace (each test its own). */
  leaseNamespace: string;
  /** --leader-elect-lease-duration etc.; default the pipeline's (15s, 10s, 2s). */
  timings?: { leaseDuration: string; renewDeadline: string; retryPeriod: string };
  env?: NodeJS.ProcessEnv;
}

export function replicaArgs(options: ReplicaOptions): string[] {
  return [
    '--leader-elect-resource-namespace', options.leaseNamespace,
    ...(options.timings ? ['--leader-elect-lease-duration', options.timings.leaseDuration, '--leader-elect-renew-deadline', options.timings.renewDeadline, '--leader-elect-retry-period', options.timings.retryPeriod] : []),
    ...(options.extraArgs ?? []),
  ];
}

/** Starts one replica; it is ready (informers synced) but may follow. */
export function startReplica(name: string, options: ReplicaOptions): Promise<FeedbackProcess> {
  return startFeedback({ ...options, name, extraArgs: replicaArgs(options), token: sharedToken(options.leaseNamespace), ...(options.env ? { env: options.env } : {}) });
}

/** One receiver token per Lease (the replicas of one install mount the same Secret). */
const tokens = new Map<string, string>();
function sharedToken(leaseNamespace: string): string {
  let token = tokens.get(leaseNamespace);
  if (!token) tokens.set(leaseNamespace, (token = randomBytes(24).toString('hex')));
  return token;
}

export async function readiness(replica: FeedbackProcess): Promise<Readiness> {
  return (await (await fetch(`${replica.url}/readyz`)).json()) as Readiness;
}

/** The one replica whose /readyz says it leads (waits until exactly one does). */
export async function leaderOf(replicas: readonly FeedbackProcess[], timeoutMs = 60_000): Promise<FeedbackProcess> {
  return waitFor(async () => {
    const roles = await Promise.all(replicas.map(async (replica) => (await readiness(replica).catch(() => undefined))?.role));
    const leaders = replicas.filter((_, i) => roles[i] === 'leader');
    return leaders.length === 1 ? leaders[0] : undefined;
  }, { what: 'exactly one leader', timeoutMs, intervalMs: 100 });
}

export interface LeaseRecord {
  holderIdentity?: string;
  leaseTransitions?: number;
  renewTime?: string;
}

export async function leaseRecord(kubeConfig: KubeConfig, namespace: string, name = 'metricops-feedback'): Promise<LeaseRecord | undefined> {
  try {
    const lease = await kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name, namespace });
    return { holderIdentity: lease.spec?.holderIdentity, leaseTransitions: lease.spec?.leaseTransitions, renewTime: lease.spec?.renewTime === undefined ? undefined : String(lease.spec.renewTime) };
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

export interface Storm {
  /** Every answer: HTTP status, or 'unreachable' (the killed replica's port). */
  readonly answers: Array<{ at: number; replica: string; status: number | 'unreachable' }>;
  stop(): Promise<void>;
}

/**
 * POSTs the same notification to the replicas round-robin, one every `intervalMs`, until stopped: what Alertmanager
 * does through a Service (one delivery, retried while the answer is 5xx) multiplied into a storm of duplicates.
 */
export function notificationStorm(replicas: () => readonly FeedbackProcess[], body: object, intervalMs = 50): Storm {
  const answers: Storm['answers'] = [];
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const live = replicas();
      const replica = live[i % live.length]!;
      const status = await replica.notify(body).catch(() => 'unreachable' as const);
      answers.push({ at: performance.now(), replica: replica.url, status });
      await sleep(intervalMs);
    }
  })();
  return {
    answers,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** kill -9: the process ends at once, without releasing the Lease or finishing anything. */
export function killHard(replica: FeedbackProcess): void {
  process.kill(replica.process.pid, 'SIGKILL');
}

export async function appImage(apps: AppsV1Api, namespace: string, name: string): Promise<string | undefined> {
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  return deployment.spec?.template.spec?.containers.find((container) => container.name === 'checkout')?.image;
}

/**
 * A kubeconfig for ServiceAccount `name` in `namespace` after applying `rbac` (Roles, bindings...): the feedback
 * pipeline with exactly the grants a test gives it. Returns the kubeconfig's path.
 */
export async function serviceAccountKubeconfig(cluster: Cluster, namespace: string, name: string, rbac: readonly object[], dir: string): Promise<string> {
  await cluster.kubectl(['create', 'serviceaccount', name, '-n', namespace]);
  for (const object of rbac) {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) });
    if (applied.code !== 0) throw new Error(`kubectl apply ${JSON.stringify(object).slice(0, 120)}: ${applied.stderr}`);
  }
  const token = (await cluster.kubectl(['create', 'token', name, '-n', namespace, '--duration=1h'])).stdout.trim();
  const path = join(dir, `${namespace}-${name}.kubeconfig`);
  await writeFile(path, kubeconfigYaml(cluster.serverUrl, cluster.kubeConfig.getCurrentCluster()?.caFile ?? '', name, token), { mode: 0o600 });
  return path;
}

/** The feedback pipeline's workload rules (manifests/base/feedback-clusterrole.yaml), for a Role or ClusterRole. */
export const WORKLOAD_RULES = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list', 'watch', 'patch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

export const LEASE_RULES = [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }];

/** A Role with `rules` in `namespace` and its RoleBinding to the ServiceAccount. */
export function roleFor(namespace: string, roleName: string, rules: readonly object[], subject: { namespace: string; name: string }): object[] {
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: roleName, namespace }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: roleName, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects: [{ kind: 'ServiceAccount', ...subject }],
    },
  ];
}
