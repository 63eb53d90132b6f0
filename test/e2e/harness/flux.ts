import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { commitOfFluxRevision } from '../../../common/contract/flux.js';
import { cachedBuildDir } from './cached-build.js';
import type { Cluster } from './control-plane.js';
import { freePort } from './ports.js';
import { failOnExit, startProcess, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

/**
 * A real Flux (source-controller + kustomize-controller, built by build-flux.sh) on the local control plane, as
 * two processes on 127.0.0.1, and the few Flux objects the tests need. See docs/design.md "Test harness".
 */
export interface Flux {
  /** Where the Flux objects live; the controllers watch only this namespace (RUNTIME_NAMESPACE). */
  readonly namespace: string;
  /** Folder with source-controller, kustomize-controller and crds/. */
  readonly binDir: string;
  /** source-controller's artifact server, which kustomize-controller downloads the sources from. */
  readonly storageUrl: string;
  readonly processes: readonly ManagedProcess[];
  /** A GitRepository that fetches `branch` (default main) of `url` every `interval` (default 2s). */
  createGitRepository(options: GitRepositoryOptions): Promise<void>;
  /** A Kustomization that applies `path` of a GitRepository every `interval` (default 2s), wait: false. */
  createKustomization(options: KustomizationOptions): Promise<void>;
  /** Asks the controller to reconcile the object now (the reconcile.fluxcd.io/requestedAt annotation); returns the token. */
  requestReconcile(kind: FluxKind, name: string): Promise<string>;
  kustomizationStatus(name: string): Promise<KustomizationStatus>;
  /** Resolves when the Kustomization reports `commit` applied (status.lastAppliedRevision). */
  waitForAppliedRevision(name: string, commit: string, options?: { timeoutMs?: number }): Promise<KustomizationStatus>;
  /**
   * Stops both controllers, then deletes the Flux objects created here (their finalizers first, since no controller
   * is left to handle them); the objects they applied and the namespace stay.
   */
  stop(): Promise<void>;
}

export interface FluxOptions {
  /** The cluster: its admin kubeconfig goes to the controllers (KUBECONFIG), its kubectl installs the CRDs. */
  cluster: Pick<Cluster, 'kubeconfigPath' | 'kubeConfig' | 'kubectl'>;
  /** Logs go to <workDir>/logs/{source,kustomize}-controller.log, artifacts to <workDir>/flux-storage. */
  workDir: string;
  /** Namespace of the Flux objects, created if missing; default flux-system. */
  namespace?: string;
  /** Default: METRICOPS_FLUX_BIN, else built (or reused from the cache) by build-flux.sh. */
  binDir?: string;
  /** The controllers' --log-level; default info (debug logs every apply decision). */
  logLevel?: 'info' | 'debug';
}

export type FluxKind = 'GitRepository' | 'Kustomization';

export interface GitRepositoryOptions {
  name: string;
  url: string;
  branch?: string;
  /** A Go duration; default 2s. */
  interval?: string;
}

export interface KustomizationOptions {
  name: string;
  /** Name of the GitRepository (in the Flux namespace). */
  source: string;
  /** Folder in the repository; default the root. */
  path?: string;
  /** A Go duration; default 2s. Drift is corrected on every interval. */
  interval?: string;
  /** Delete objects that left the repository; default true. */
  prune?: boolean;
  /** Sets the namespace of every namespaced object the Kustomization applies. */
  targetNamespace?: string;
}

export interface KustomizationStatus {
  /** "<branch>@sha1:<commit>", e.g. "main@sha1:1a2b...". */
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastHandledReconcileAt?: string;
  ready?: { status: string; reason: string; message: string };
}

export class FluxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FluxError';
  }
}

export const FLUX_API = {
  gitRepository: 'source.toolkit.fluxcd.io/v1',
  kustomization: 'kustomize.toolkit.fluxcd.io/v1',
} as const;
/** The annotation `flux reconcile` sets to ask for a reconcile now. */
export const RECONCILE_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
/** Field manager of what this harness applies (CRDs, namespace, Flux objects); Flux applies as kustomize-controller. */
export const HARNESS_FIELD_MANAGER = 'metricops-e2e';

/** "main@sha1:<commit>" (Flux v2) or a bare commit -> the commit (the contract's reading, common/contract/flux.ts). */
export const commitOfRevision = commitOfFluxRevision;

export async function fluxBinDir(): Promise<string> {
  return process.env.METRICOPS_FLUX_BIN || cachedBuildDir('build-flux.sh');
}

function kindApiVersion(kind: FluxKind): string {
  return kind === 'GitRepository' ? FLUX_API.gitRepository : FLUX_API.kustomization;
}

/**
 * Server-side applies Flux's CRDs with kubectl (idempotent) and waits until they are established. Not through
 * @kubernetes/client-node: its CRD model drops the schemas' `default:` keywords (it expects `_default`), and Flux
 * relies on those defaults (source-controller panics on a GitRepository without spec.timeout).
 */
async function installCrds(cluster: FluxOptions['cluster'], binDir: string): Promise<void> {
  const folder = join(binDir, 'crds');
  if (!(await readdir(folder).catch(() => [])).some((file) => file.endsWith('.yaml'))) {
    throw new FluxError(`no CRDs in ${folder}: run test/e2e/build-flux.sh`);
  }
  for (const args of [
    ['apply', '--server-side', '--force-conflicts', `--field-manager=${HARNESS_FIELD_MANAGER}`, '-f', folder],
    ['wait', '--for=condition=Established', '--timeout=60s', '-f', folder],
  ]) {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new FluxError(`installing Flux's CRDs: kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
  }
}

/** Installs Flux's CRDs (server-side apply: idempotent), starts both controllers and waits until they are ready. */
export async function startFlux(options: FluxOptions): Promise<Flux> {
  const binDir = options.binDir ?? (await fluxBinDir());
  const namespace = options.namespace ?? 'flux-system';
  const logs = join(options.workDir, 'logs');
  await mkdir(logs, { recursive: true });
  const objects = KubernetesObjectApi.makeApiClient(options.cluster.kubeConfig);
  const apply = <T extends KubernetesObject>(object: T): Promise<T> =>
    objects.patch(object, undefined, undefined, HARNESS_FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

  await installCrds(options.cluster, binDir);
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });

  const processes: ManagedProcess[] = [];
  const created: { kind: FluxKind; name: string }[] = [];
  const remember = (kind: FluxKind, name: string): void => {
    if (!created.some((object) => object.kind === kind && object.name === name)) created.push({ kind, name });
  };
  const environment = { ...process.env, KUBECONFIG: options.cluster.kubeconfigPath, RUNTIME_NAMESPACE: namespace };
  const logLevel = options.logLevel ?? 'info';
  const storagePort = await freePort();
  const storageUrl = `http://127.0.0.1:${storagePort}`;

  const startController = async (name: string, args: readonly string[]): Promise<void> => {
    const healthPort = await freePort();
    const metricsPort = await freePort();
    const controller = startProcess(name, join(binDir, name), [
      `--metrics-addr=127.0.0.1:${metricsPort}`, `--health-addr=127.0.0.1:${healthPort}`,
      '--watch-all-namespaces=false', '--enable-leader-election=false', `--log-level=${logLevel}`, ...args,
    ], { logFile: join(logs, `${name}.log`), env: environment });
    processes.push(controller);
    // Once the controller has exited, failOnExit has the answer: the poll ends too instead of running to its timeout.
    let exited = false;
    void controller.exited.then(() => {
      exited = true;
    });
    await Promise.race([
      failOnExit(controller),
      waitFor(async () => exited || (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, { what: `${name} /readyz`, timeoutMs: 60_000 }),
    ]);
  };

  const removeObjects = async (): Promise<void> => {
    for (const { kind, name } of [...created].reverse()) {
      const header = { apiVersion: kindApiVersion(kind), kind, metadata: { name, namespace } };
      try {
        await objects.patch({ ...header, metadata: { ...header.metadata, finalizers: null } } as unknown as KubernetesObject,
          undefined, undefined, HARNESS_FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
        await objects.delete(header);
      } catch {
        // Already gone.
      }
    }
  };

  const stop = async (): Promise<void> => {
    for (const controller of [...processes].reverse()) await controller.stop();
    await removeObjects();
  };

  const storagePath = join(options.workDir, 'flux-storage');
  await mkdir(storagePath, { recursive: true });
  try {
    await startController('source-controller', [
      `--storage-path=${storagePath}`,
      `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`,
    ]);
    await startController('kustomize-controller', []);
  } catch (error) {
    await stop();
    throw new FluxError(`Flux did not start: ${(error as Error).message} (logs in ${logs})`, { cause: error });
  }

  const read = async (kind: FluxKind, name: string): Promise<KubernetesObject & { status?: any }> =>
    objects.read({ apiVersion: kindApiVersion(kind), kind, metadata: { name, namespace } });

  const kustomizationStatus = async (name: string): Promise<KustomizationStatus> => {
    const status = (await read('Kustomization', name)).status ?? {};
    const ready = (status.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)
      ?.find((condition) => condition.type === 'Ready');
    return {
      lastAppliedRevision: status.lastAppliedRevision,
      lastAttemptedRevision: status.lastAttemptedRevision,
      lastHandledReconcileAt: status.lastHandledReconcileAt,
      ready: ready && { status: ready.status, reason: ready.reason, message: ready.message },
    };
  };

  let requests = 0;
  return {
    namespace,
    binDir,
    storageUrl,
    processes,
    async createGitRepository({ name, url, branch = 'main', interval = '2s' }) {
      await apply({
        apiVersion: FLUX_API.gitRepository, kind: 'GitRepository', metadata: { name, namespace },
        spec: { url, interval, ref: { branch } },
      } as KubernetesObject);
      remember('GitRepository', name);
    },
    async createKustomization({ name, source, path = './', interval = '2s', prune = true, targetNamespace }) {
      await apply({
        apiVersion: FLUX_API.kustomization, kind: 'Kustomization', metadata: { name, namespace },
        spec: {
          interval, path, prune,
          // No kubelet: pods never become ready on their own, so Flux must not wait for the rollout.
          wait: false,
          sourceRef: { kind: 'GitRepository', name: source },
          ...(targetNamespace ? { targetNamespace } : {}),
        },
      } as KubernetesObject);
      remember('Kustomization', name);
    },
    async requestReconcile(kind, name) {
      requests += 1;
      const token = `${new Date().toISOString()}-${requests}`;
      await objects.patch({
        apiVersion: kindApiVersion(kind), kind, metadata: { name, namespace, annotations: { [RECONCILE_REQUESTED_AT]: token } },
      }, undefined, undefined, HARNESS_FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
      return token;
    },
    kustomizationStatus,
    async waitForAppliedRevision(name, commit, { timeoutMs = 60_000 } = {}) {
      return waitFor(async () => {
        const status = await kustomizationStatus(name);
        if (status.lastAppliedRevision && commitOfRevision(status.lastAppliedRevision) === commit) return status;
        if (status.lastAttemptedRevision && commitOfRevision(status.lastAttemptedRevision) === commit && status.ready?.status === 'False') {
          throw new FluxError(`Kustomization ${namespace}/${name} failed to apply ${commit}: ${status.ready.reason}: ${status.ready.message}`);
        }
        return undefined;
      }, { what: `Kustomization ${namespace}/${name} to apply commit ${commit}`, timeoutMs, intervalMs: 100 });
    },
    stop,
  };
}
