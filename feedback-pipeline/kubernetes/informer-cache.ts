/**
 * The informer cache of Deployments and ReplicaSets: one reflector per collection (kubernetes/reflector.ts: list,
 * then watch from that resourceVersion, relist on 410 Gone), cluster-wide or, with `namespaces`, one per namespace
 * (`/apis/apps/v1/namespaces/<ns>/deployments`, for installs granted a Role per namespace only). Objects are slimmed
 * (see cached-objects.ts) on the way in, both from the paged list and from watch events, so the full objects are
 * never kept. ReplicaSets are indexed by their owner's uid. Readiness is explicit: waitForSync().
 */
import { Annotations } from '../../common/contract/annotations.js';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { parseGuardingAlerts } from '../../common/contract/guarding-alert.js';
import type { Logger } from '../../common/logger.js';
import type { DeploymentCache, DeploymentLister, DeploymentSummary } from '../ports.js';
import type { DeploymentState, ReplicaSetState } from '../model.js';
import type { KubeApi } from './api-client.js';
import { Reflector, type ReflectorSink, type SlimObject } from './reflector.js';
import { Deployments, ReplicaSets } from './resources.js';
import {
  StringPool,
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
  /** Watch only these namespaces (one list/watch each); absent or empty: all namespaces. */
  namespaces?: readonly string[];
}

/**
 * A store of one reflector's scope, by namespace then name (the object's own strings as keys: no "namespace/name"
 * string per object), telling the cache what changed.
 */
class Store<T extends SlimObject> implements ReflectorSink<T> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private count = 0;

  constructor(private readonly changed: (before: T | undefined, after: T | undefined) => void) {}

  get size(): number {
    return this.count;
  }

  get(namespace: string, name: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  all(): T[] {
    return [...this.byNamespace.values()].flatMap((objects) => [...objects.values()]);
  }

  replace(items: T[]): void {
    const fresh = new Set(items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`));
    for (const [namespace, objects] of this.byNamespace) {
      for (const [name, before] of objects) {
        if (!fresh.has(`${namespace}/${name}`)) this.delete(before);
      }
    }
    fresh.clear();
    for (const item of items) this.upsert(item);
  }

  upsert(item: T): void {
    const { namespace, name } = item.metadata;
    let objects = this.byNamespace.get(namespace);
    if (!objects) this.byNamespace.set(namespace, (objects = new Map()));
    const before = objects.get(name);
    objects.set(name, item);
    if (!before) this.count += 1;
    this.changed(before, item);
  }

  remove(item: T): void {
    const before = this.get(item.metadata.namespace, item.metadata.name);
    if (before) this.delete(before);
  }

  private delete(before: T): void {
    const objects = this.byNamespace.get(before.metadata.namespace);
    objects?.delete(before.metadata.name);
    if (objects?.size === 0) this.byNamespace.delete(before.metadata.namespace);
    this.count -= 1;
    this.changed(before, undefined);
  }
}

export class InformerCache implements DeploymentCache, DeploymentLister {
  private readonly reflectors: Array<Reflector<SlimObject>> = [];
  /** Per namespace (or '' for all), the store of Deployments. */
  private readonly deploymentStores = new Map<string, Store<CachedDeployment>>();
  private readonly replicaSetStores: Array<Store<CachedReplicaSet>> = [];
  /** owner uid -> its ReplicaSets (one per revision: a few). */
  private readonly replicaSetsByOwner = new Map<string, CachedReplicaSet[]>();
  /** Templates (and namespaces) held once. */
  private readonly strings = new StringPool();
  /** alertname -> the Deployments (by "namespace/name") whose metricops.io/rules list it. */
  private readonly guardedBy = new Map<string, Map<string, DeploymentRef>>();
  /** key -> the alertnames indexed for it, to unindex on update and delete. */
  private readonly indexed = new Map<string, string[]>();
  private readonly settings: Required<Omit<InformerCacheSettings, 'namespaces'>>;
  private readonly namespaces: readonly string[] | undefined;

  constructor(
    api: KubeApi,
    private readonly logger: Logger,
    settings: InformerCacheSettings = {},
  ) {
    const { namespaces, ...rest } = settings;
    this.settings = { pageSize: 500, watchTimeoutSeconds: 300, restartDelayMs: 1000, maxRestartDelayMs: 30_000, ...rest };
    this.namespaces = namespaces && namespaces.length > 0 ? [...new Set(namespaces)] : undefined;
    for (const namespace of this.namespaces ?? [undefined]) {
      const deployments = new Store<CachedDeployment>((before, after) => this.deploymentChanged(before, after));
      const replicaSets = new Store<CachedReplicaSet>((before, after) => this.replicaSetChanged(before, after));
      this.deploymentStores.set(namespace ?? '', deployments);
      this.replicaSetStores.push(replicaSets);
      const slimDeployment = (object: any) => cacheDeployment(object);
      const slimReplicaSet = (object: any) => cacheReplicaSet(object);
      const log = logger.child({ ...(namespace ? { namespace } : {}) });
      this.reflectors.push(
        new Reflector(api, Deployments, namespace, slimDeployment, deployments, this.settings, log) as unknown as Reflector<SlimObject>,
        new Reflector(api, ReplicaSets, namespace, slimReplicaSet, replicaSets, this.settings, log) as unknown as Reflector<SlimObject>,
      );
    }
  }

  /** Starts every list/watch; resolves once each has listed or failed once (waitForSync() tells readiness). */
  async start(): Promise<void> {
    await Promise.all(this.reflectors.map((reflector) => reflector.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((reflector) => reflector.stop()));
  }

  waitForSync(): Promise<void> {
    return Promise.all(this.reflectors.map((reflector) => reflector.waitForList())).then(() => undefined);
  }

  get synced(): boolean {
    return this.reflectors.every((reflector) => reflector.synced);
  }

  /** The namespaces watched, or undefined for all. */
  get watchedNamespaces(): readonly string[] | undefined {
    return this.namespaces;
  }

  getDeployment(namespace: string, name: string): DeploymentState | undefined {
    const store = this.deploymentStores.get(this.namespaces ? namespace : '');
    const cached = store?.get(namespace, name);
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
    return this.allDeployments().filter((deployment) => deployment.annotations[annotation] !== undefined).map(deploymentStateOf);
  }

  listDeployments(namespace?: string): DeploymentSummary[] {
    return this.allDeployments()
      .filter((deployment) => namespace === undefined || deployment.metadata.namespace === namespace)
      .map(({ metadata, paused, annotations }) => ({ namespace: metadata.namespace, name: metadata.name, paused, annotations }));
  }

  replicaSetsOf(deployment: Pick<DeploymentState, 'namespace' | 'uid'>): ReplicaSetState[] {
    return (this.replicaSetsByOwner.get(deployment.uid) ?? [])
      .filter((replicaSet) => replicaSet.metadata.namespace === deployment.namespace)
      .map(replicaSetStateOf);
  }

  private allDeployments(): CachedDeployment[] {
    return [...this.deploymentStores.values()].flatMap((store) => store.all());
  }

  /** Counts, for logs and the memory benchmark. */
  size(): { deployments: number; replicaSets: number } {
    let deployments = 0;
    for (const store of this.deploymentStores.values()) deployments += store.size;
    return { deployments, replicaSets: this.replicaSetStores.reduce((sum, store) => sum + store.size, 0) };
  }

  /** A stored object takes its template and namespace from the pool (held once); a replaced or removed one gives them back. */
  private pooled<T extends { template: string; metadata: { namespace: string } }>(object: T): void {
    object.template = this.strings.take(object.template);
    object.metadata.namespace = this.strings.take(object.metadata.namespace);
  }

  private released(object: { template: string; metadata: { namespace: string } }): void {
    this.strings.release(object.template);
    this.strings.release(object.metadata.namespace);
  }

  private deploymentChanged(before: CachedDeployment | undefined, after: CachedDeployment | undefined): void {
    if (after) this.pooled(after);
    if (before) this.released(before);
    if (after) this.index(after);
    else if (before) this.unindex(namespacedName(before.metadata));
  }

  private replicaSetChanged(before: CachedReplicaSet | undefined, after: CachedReplicaSet | undefined): void {
    if (after) this.pooled(after);
    if (before) {
      this.released(before);
      const owned = before.ownerUid ? this.replicaSetsByOwner.get(before.ownerUid) : undefined;
      if (owned) {
        const rest = owned.filter((replicaSet) => replicaSet !== before);
        if (rest.length === 0) this.replicaSetsByOwner.delete(before.ownerUid!);
        else this.replicaSetsByOwner.set(before.ownerUid!, rest);
      }
    }
    if (after?.ownerUid) {
      const owned = this.replicaSetsByOwner.get(after.ownerUid);
      if (owned) owned.push(after);
      else this.replicaSetsByOwner.set(after.ownerUid, [after]);
    }
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
}
