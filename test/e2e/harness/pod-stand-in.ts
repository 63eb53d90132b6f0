import { join } from 'node:path';
import {
  AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment, type V1Pod,
} from '@kubernetes/client-node';
import { startProcess, type ManagedProcess } from './processes.js';
import { repoRoot } from './repo-root.js';
import { sleep, waitFor } from './wait.js';

/**
 * There is no kubelet in the local cluster, so pods never run. The pod stand-in plays the kubelet for ONE
 * Deployment: it follows the Deployment's current pod template and runs the example app (examples/app/server.ts)
 * at the version its image tag names (example.com/metricops/checkout:v2 -> `--version v2`) on a fixed port that
 * Prometheus scrapes, restarting it when the template changes; and it marks that Deployment's pods Running and
 * Ready (status subresource) so rollouts complete as they would on a real node.
 */
export interface PodStandInOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  deployment: string;
  /** Port on 127.0.0.1 the app listens on (the Prometheus scrape target). */
  port: number;
  /** Where the app's output goes (one file per start: <logDir>/app-<n>-<version>.log). */
  logDir: string;
  /** Passed as --error-ratio to versions other than v1 (default: the app's own default, 0.5). */
  errorRatio?: number;
  /** How often to look at the Deployment and its pods, ms (default 300). */
  pollMs?: number;
  /** Called when a new version starts serving. */
  onVersion?: (change: VersionChange) => void;
}

export interface VersionChange {
  version: string;
  image: string;
  at: Date;
}

export interface PodStandIn {
  /** Every version served so far, in order. */
  readonly history: readonly VersionChange[];
  /** Resolves when `version` is serving (answers /healthz). */
  waitForVersion(version: string, timeoutMs?: number): Promise<VersionChange>;
  stop(): Promise<void>;
}

/** "registry/name:tag" -> "tag"; digests and missing tags give "latest" (a digest is not a version name). */
export function versionOfImage(image: string): string {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const withoutDigest = lastSegment.split('@')[0] ?? lastSegment;
  const colon = withoutDigest.lastIndexOf(':');
  return colon >= 0 ? withoutDigest.slice(colon + 1) : 'latest';
}

function templateImage(deployment: V1Deployment): string | undefined {
  return deployment.spec?.template.spec?.containers[0]?.image;
}

function readyStatus(pod: V1Pod, now: string): object {
  const containers = pod.spec?.containers ?? [];
  return {
    status: {
      phase: 'Running',
      podIP: '127.0.0.1',
      hostIP: '127.0.0.1',
      startTime: now,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
      containerStatuses: containers.map((container) => ({
        name: container.name, image: container.image ?? '', imageID: '', ready: true, started: true, restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    },
  };
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

export function startPodStandIn(options: PodStandInOptions): PodStandIn {
  const apps = options.kubeConfig.makeApiClient(AppsV1Api);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const server = join(repoRoot(), 'dist', 'examples', 'app', 'server.js');
  const history: VersionChange[] = [];
  let app: ManagedProcess | undefined;
  let runningImage: string | undefined;
  let stopped = false;
  let starting = false;
  let starts = 0;

  const serve = async (image: string): Promise<void> => {
    const version = versionOfImage(image);
    starting = true;
    await app?.stop();
    starts += 1;
    const args = [server, '--version', version, '--port', String(options.port)];
    if (options.errorRatio !== undefined && version !== 'v1') args.push('--error-ratio', String(options.errorRatio));
    app = startProcess(`checkout ${version}`, process.execPath, args, { logFile: join(options.logDir, `app-${starts}-${version}.log`) });
    runningImage = image;
    await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${options.port}/healthz`);
      return response.ok && ((await response.json()) as { version: string }).version === version;
    }, { what: `the checkout app ${version} on port ${options.port}`, timeoutMs: 20_000, intervalMs: 100 });
    const change = { version, image, at: new Date() };
    history.push(change);
    starting = false;
    options.onVersion?.(change);
  };

  const markPodsReady = async (deployment: V1Deployment): Promise<void> => {
    const labels = deployment.spec?.selector.matchLabels ?? {};
    const labelSelector = Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
    const pods = await core.listNamespacedPod({ namespace: options.namespace, labelSelector });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const pod of pods.items) {
      if (isReady(pod) || pod.metadata?.deletionTimestamp || !pod.metadata?.name) continue;
      await core.patchNamespacedPodStatus({ name: pod.metadata.name, namespace: options.namespace, body: readyStatus(pod, now) },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        const deployment = await apps.readNamespacedDeployment({ name: options.deployment, namespace: options.namespace });
        const image = templateImage(deployment);
        if (image && image !== runningImage) {
          await serve(image).catch((error: unknown) => {
            // Try again next round (the app's log is in logDir).
            runningImage = undefined;
            starting = false;
            throw error;
          });
        }
        await markPodsReady(deployment);
      } catch {
        // Not created yet, or a transient API error: look again next round.
      }
      await sleep(options.pollMs ?? 300);
    }
  })();

  return {
    history,
    async waitForVersion(version, timeoutMs = 60_000) {
      return waitFor(() => {
        const last = history.at(-1);
        return !starting && last?.version === version && last.image === runningImage ? last : undefined;
      }, {
        what: `the pod stand-in to serve ${version}`, timeoutMs,
      });
    },
    async stop() {
      stopped = true;
      await loop;
      await app?.stop();
    },
  };
}
