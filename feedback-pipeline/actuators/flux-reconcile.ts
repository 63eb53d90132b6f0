/**
 * Flux, as the hold keeper needs it (opt-in: `--flux-reconcile auto|NAMESPACE/NAME`, with the RBAC of
 * manifests/components/flux or the chart's `feedback.fluxReconcile`):
 * - which Kustomization applies a Deployment (the labels kustomize-controller puts on what it applies);
 * - its status: the revision it applied last (`status.lastAppliedRevision`, e.g. `main@sha1:<commit>`);
 * - the GitRepository it applies from (named by the flag, or its `spec.sourceRef` with `auto`), and a request to
 *   fetch it now (`reconcile.fluxcd.io/requestedAt`, what `flux reconcile source git` sets), so the write-back
 *   revision is applied in about a second instead of up to one GitRepository interval.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../common/clock.js';
import type { DeploymentRef } from '../../common/contract/deployment-ref.js';
import { FluxKeys } from '../../common/contract/flux.js';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { DEFAULT_RETRY, describeApiError, withRetry, type RetrySettings } from '../kubernetes/retry.js';

/** The Flux objects metricops reads or annotates (and nothing else of Flux's). */
export const FLUX_OBJECTS = {
  gitRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
  kustomization: { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
} as const;

export type FluxObjectRef = DeploymentRef;

/** `auto`: the GitRepository of the Kustomization that applies the Deployment; else that very GitRepository. */
export type FluxSourceSetting = 'auto' | FluxObjectRef;

export class FluxError extends MetricopsError {}

/** The Kustomization that applied an object, from the labels kustomize-controller sets; undefined when not Flux's. */
export function kustomizationOf(labels: Readonly<Record<string, string>> | undefined): FluxObjectRef | undefined {
  const name = labels?.[FluxKeys.kustomizationName];
  const namespace = labels?.[FluxKeys.kustomizationNamespace];
  return name && namespace ? { namespace, name } : undefined;
}

export interface FluxStatus {
  /** `status.lastAppliedRevision`, e.g. `main@sha1:<commit>`. */
  lastAppliedRevision?: string;
}

/** The port the hold keeper uses. */
export interface FluxEngine {
  kustomizationOf(labels: Readonly<Record<string, string>> | undefined): FluxObjectRef | undefined;
  status(kustomization: FluxObjectRef): Promise<FluxStatus>;
  /** Asks source-controller to fetch the Kustomization's GitRepository now; returns the GitRepository annotated. */
  requestReconcile(kustomization: FluxObjectRef | undefined): Promise<FluxObjectRef | undefined>;
}

interface KustomizationObject {
  spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } };
  status?: { lastAppliedRevision?: string };
}

export class FluxReconciler implements FluxEngine {
  private readonly custom: CustomObjectsApi;
  private readonly retry: RetrySettings;

  constructor(
    kubeConfig: KubeConfig,
    private readonly source: FluxSourceSetting,
    private readonly clock: Clock,
    private readonly logger: Logger,
    retry: RetrySettings = { ...DEFAULT_RETRY, maxElapsedMs: 10_000 },
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.retry = retry;
  }

  kustomizationOf(labels: Readonly<Record<string, string>> | undefined): FluxObjectRef | undefined {
    return kustomizationOf(labels);
  }

  async status(kustomization: FluxObjectRef): Promise<FluxStatus> {
    const object = await this.readKustomization(kustomization);
    const revision = object.status?.lastAppliedRevision;
    return revision ? { lastAppliedRevision: revision } : {};
  }

  async requestReconcile(kustomization: FluxObjectRef | undefined): Promise<FluxObjectRef | undefined> {
    const source = await this.sourceOf(kustomization);
    if (!source) return undefined;
    const body = { metadata: { annotations: { [FluxKeys.requestedAt]: this.clock.now().toISOString() } } };
    await this.call(`annotate GitRepository ${source.namespace}/${source.name}`, () =>
      this.custom.patchNamespacedCustomObject(
        { ...FLUX_OBJECTS.gitRepository, namespace: source.namespace, name: source.name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    this.logger.debug({ gitRepository: `${source.namespace}/${source.name}` }, 'asked Flux to fetch the GitOps repository now');
    return source;
  }

  private async sourceOf(kustomization: FluxObjectRef | undefined): Promise<FluxObjectRef | undefined> {
    if (this.source !== 'auto') return this.source;
    if (!kustomization) return undefined;
    const ref = (await this.readKustomization(kustomization)).spec?.sourceRef;
    if (ref?.kind !== 'GitRepository' || !ref.name) {
      throw new FluxError(`Kustomization ${kustomization.namespace}/${kustomization.name} applies from ${ref?.kind ?? 'no source'}, not a GitRepository: name one with --flux-reconcile NAMESPACE/NAME`);
    }
    return { namespace: ref.namespace ?? kustomization.namespace, name: ref.name };
  }

  private readKustomization(kustomization: FluxObjectRef): Promise<KustomizationObject> {
    return this.call(`read Kustomization ${kustomization.namespace}/${kustomization.name}`, () =>
      this.custom.getNamespacedCustomObject({ ...FLUX_OBJECTS.kustomization, namespace: kustomization.namespace, name: kustomization.name }),
    ) as Promise<KustomizationObject>;
  }

  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(what, operation, this.retry, this.logger);
    } catch (error) {
      throw new FluxError(`${what}: ${describeApiError(error)}`, { cause: error });
    }
  }
}
