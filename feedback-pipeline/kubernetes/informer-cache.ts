/**
 * The informer cache of Deployments and ReplicaSets (client-node ListWatch: list, then watch from that
 * resourceVersion, relist on 410 Gone). Objects are slimmed (see cached-objects.ts) on the way in, both from the
 * paged list and from watch events, so the full objects are never kept. Readiness is explicit: waitForSync().
 */
import {
  AppsV1Api,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { Annotations } from '../../common/contract/annotations.js';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { parseGuardingAlerts } from '../../common/contract/guarding-alert.js';
import type { Logger } from '../../common/logger.js';
import type { DeploymentCache, DeploymentLister, DeploymentSummary } from '../ports.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';
import { describeApiError } from './retry.js';
import {
  cacheDeployment,
  cacheReplicaSet,
  deploymentStateOf,
  replicaSetStateOf,
  type CachedDeployment,
  type CachedReplicaSet,
} from './cached-objects.js';

export interface InformerCacheSettings {
  /** Items per list page. Default 500. */
  pageSize?: number;
  /** The apiserver ends each watch after this long and the informer resumes it. Default 300. */
  watchTimeoutSeconds?: number;
  /** Backoff between restarts after a list or watch error: first and maximum delay in ms. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

type Page<T> = { items: T[]; metadata?: { resourceVersion?: string; _continue?: string } };

/**
 * A Watch whose events carry slim objects, and whose first call tells that the initial list is in the cache
 * (ListWatch stores the listed items and only then starts watching).
 */
class SlimmingWatch<T extends KubernetesObject> extends Watch {
  constructor(
    config: KubeConfig,
    private readonly slim: (object: never) => T,
    private readonly onListed: () => void,
    private readonly timeoutSeconds: number,
    /** False once the cache is stopped: ListWatch may still be between its list and its watch then. */
    private readonly active: () => boolean,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    if (!this.active()) return new AbortController();
    this.onListed();
    const slimmed = (phase: string, object: any, watchObj?: any) =>
      callback(phase, phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' ? this.slim(object as never) : object, watchObj);
    const controller = await super.watch(path, { ...queryParams, timeoutSeconds: this.timeoutSeconds, allowWatchBookmarks: true }, slimmed, done);
    if (!this.active()) controller.abort();
    return controller;
  }
}

class Synced {
  done = false;
  readonly promise: Promise<void>;
  private resolve!: () => void;

  constructor() {
    this.promise = new Promise((resolve) => (this.resolve = resolve));
  }

  mark(): void {
    if (this.done) return;
    this.done = true;
    this.resolve();
  }
}

export class InformerCache implements DeploymentCache, DeploymentLister {
  private readonly deployments: ListWatch<CachedDeployment>;
  private readonly replicaSets: ListWatch<CachedReplicaSet>;
  private readonly deploymentsSynced = new Synced();
  private readonly replicaSetsSynced = new Synced();
  /** alertname -> the Deployments (by "namespace/name") whose metricops.io/rules list it. */
  private readonly guardedBy = new Map<string, Map<string, DeploymentRef>>();
  /** key -> the alertnames indexed for it, to unindex on update and delete. */
  private readonly indexed = new Map<string, string[]>();
  private readonly settings: Required<InformerCacheSettings>;
  private stopped = true;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly logger: Logger,
    settings: InformerCacheSettings = {},
  ) {
    this.settings = { pageSize: 500, watchTimeoutSeconds: 300, restartDelayMs: 1000, maxRestartDelayMs: 30_000, ...settings };
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const { pageSize, watchTimeoutSeconds } = this.settings;

    this.deployments = new ListWatch<CachedDeployment>(
      '/apis/apps/v1/deployments',
      new SlimmingWatch(kubeConfig, cacheDeployment, () => this.deploymentsSynced.mark(), watchTimeoutSeconds, () => !this.stopped),
      () => listAll((page) => apps.listDeploymentForAllNamespaces({ limit: pageSize, ...page }), cacheDeployment),
      false,
    );
    this.replicaSets = new ListWatch<CachedReplicaSet>(
      '/apis/apps/v1/replicasets',
      new SlimmingWatch(kubeConfig, cacheReplicaSet, () => this.replicaSetsSynced.mark(), watchTimeoutSeconds, () => !this.stopped),
      () => listAll((page) => apps.listReplicaSetForAllNamespaces({ limit: pageSize, ...page }), cacheReplicaSet),
      false,
    );

    this.deployments.on('add', (deployment) => this.index(deployment));
    this.deployments.on('update', (deployment) => this.index(deployment));
    this.deployments.on('delete', (deployment) => this.unindex(namespacedName(deployment.metadata)));
    this.restartOnError(this.deployments, 'deployments');
    this.restartOnError(this.replicaSets, 'replicasets');
  }

  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all([this.deployments.start(), this.replicaSets.start()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([this.deployments.stop(), this.replicaSets.stop()]);
  }

  waitForSync(): Promise<void> {
    return Promise.all([this.deploymentsSynced.promise, this.replicaSetsSynced.promise]).then(() => undefined);
  }

  get synced(): boolean {
    return this.deploymentsSynced.done && this.replicaSetsSynced.done;
  }

  getDeployment(namespace: string, name: string): DeploymentState | undefined {
    const cached = this.deployments.get(name, namespace);
    return cached ? deploymentStateOf(cached) : undefined;
  }

  deploymentsGuardedBy(alertName: string): DeploymentState[] {
    const states: DeploymentState[] = [];
    for (const { namespace, name } of this.guardedBy.get(alertName)?.values() ?? []) {
      const state = this.getDeployment(namespace, name);
      if (state) states.push(state);
    }
    return states;
  }

  /** Every cached Deployment that has `annotation`: a scan of the whole cache, for rare uses (resuming GitOps holds). */
  deploymentsWithAnnotation(annotation: string): DeploymentState[] {
    return this.deployments.list().filter((deployment) => deployment.annotations[annotation] !== undefined).map(deploymentStateOf);
  }

  replicaSetsOf(deployment: Pick<DeploymentState, 'namespace' | 'uid'>): ReplicaSetState[] {
    return this.replicaSets
      .list(deployment.namespace)
      .filter((replicaSet) => replicaSet.ownerUid === deployment.uid)
      .map(replicaSetStateOf);
  }

  listDeployments(namespace?: string): DeploymentSummary[] {
    return this.deployments.list(namespace).map(({ metadata, paused, annotations }) => ({ namespace: metadata.namespace, name: metadata.name, paused, annotations }));
  }

  /** Counts, for logs and the memory benchmark. */
  size(): { deployments: number; replicaSets: number } {
    return { deployments: this.deployments.list().length, replicaSets: this.replicaSets.list().length };
  }

  /** Indexes the alert names of metricops.io/rules (only that annotation is read here: decide() reads the rest). */
  private index(deployment: CachedDeployment): void {
    const ref = { namespace: deployment.metadata.namespace, name: deployment.metadata.name };
    const key = namespacedName(ref);
    this.unindex(key);
    const text = deployment.annotations[Annotations.rules];
    if (text === undefined) return;
    const rules = parseGuardingAlerts(text);
    if (!rules.ok) {
      this.logger.warn({ deployment: key }, `Deployment ${key}: annotation ${Annotations.rules}: ${rules.problem}`);
      return;
    }
    const names = [...new Set(rules.value.map((rule) => rule.alert))];
    for (const name of names) {
      let refs = this.guardedBy.get(name);
      if (!refs) this.guardedBy.set(name, (refs = new Map()));
      refs.set(key, ref);
    }
    if (names.length > 0) this.indexed.set(key, names);
  }

  private unindex(key: string): void {
    for (const name of this.indexed.get(key) ?? []) {
      const refs = this.guardedBy.get(name);
      refs?.delete(key);
      if (refs?.size === 0) this.guardedBy.delete(name);
    }
    this.indexed.delete(key);
  }

  private restartOnError(informer: ListWatch<KubernetesObject>, resource: string): void {
    let delay = this.settings.restartDelayMs;
    informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.logger.warn({ error: describeApiError(error), resource, retryInMs: delay }, `watching ${resource} failed; restarting`);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.stopped) return;
        void informer.start();
      }, delay);
      this.timers.add(timer);
      delay = Math.min(delay * 2, this.settings.maxRestartDelayMs);
    });
    const reset = () => (delay = this.settings.restartDelayMs);
    informer.on('add', reset);
    informer.on('update', reset);
  }
}

/** Lists every page, slimming each page as it arrives. */
async function listAll<Full, Slim extends KubernetesObject>(
  fetchPage: (page: { _continue?: string }) => Promise<Page<Full>>,
  slim: (object: Full) => Slim,
): Promise<KubernetesListObject<Slim>> {
  const items: Slim[] = [];
  let next: string | undefined;
  let resourceVersion = '';
  do {
    const page = await fetchPage(next ? { _continue: next } : {});
    for (const item of page.items) items.push(slim(item));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    next = page.metadata?._continue || undefined;
  } while (next);
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
}
