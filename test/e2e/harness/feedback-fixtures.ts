/**
 * What the feedback e2e test and the feedback benchmark share: stamped rollouts (annotations as the webhook writes
 * them), Alertmanager v4 notifications, a `metricops feedback` process, and a watch on a Deployment's template.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AppsV1Api, type KubeConfig, type V1Deployment, Watch } from '@kubernetes/client-node';
import { Annotations } from '../../../common/contract/annotations.js';
import { formatDeployedAt } from '../../../common/contract/deployed-at.js';
import { containerImages, formatImages } from '../../../common/contract/images.js';
import type { DecisionRecord } from '../../../feedback-pipeline/model.js';
import { startMetricops } from './metricops-cli.js';
import { freePort } from './ports.js';
import { failOnExit, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

export const IMAGE = 'example.com/metricops/checkout';
export const MIGRATE_IMAGE = 'example.com/metricops/migrate';
export const PAGE_ALERT_NAME = 'CheckoutAvailabilityBurnRatePage';

export interface RolloutOptions {
  namespace: string;
  name: string;
  /** Image tag of the app and the init container, e.g. v1. */
  version: string;
  deployedAt: Date;
  gitPath?: string;
  replicas?: number;
}

/** A Deployment at `version` with the stamps the webhook would write on its admission. */
export function stampedDeployment(options: RolloutOptions): V1Deployment {
  const labels = { app: options.name };
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      annotations: options.gitPath ? { [Annotations.gitPath]: options.gitPath } : {},
    },
    spec: {
      replicas: options.replicas ?? 0,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          initContainers: [{ name: 'migrate', image: `${MIGRATE_IMAGE}:${options.version}` }],
          containers: [{ name: 'checkout', image: `${IMAGE}:${options.version}`, ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  };
  deployment.metadata!.annotations![Annotations.images] = formatImages(containerImages(deployment));
  deployment.metadata!.annotations![Annotations.deployedAt] = formatDeployedAt(options.deployedAt);
  deployment.metadata!.annotations![Annotations.rules] = JSON.stringify([]);
  return deployment;
}

/**
 * Creates the Deployment, or rolls it out to `version` (template and stamps replaced, other annotations kept).
 * A conflict (the controller wrote the status in between) reads again and retries.
 */
export async function rollOut(apps: AppsV1Api, options: RolloutOptions): Promise<void> {
  const desired = stampedDeployment(options);
  for (let attempt = 1; ; attempt++) {
    let current: V1Deployment | undefined;
    try {
      current = await apps.readNamespacedDeployment({ name: options.name, namespace: options.namespace });
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
    }
    try {
      if (!current) {
        await apps.createNamespacedDeployment({ namespace: options.namespace, body: desired });
        return;
      }
      current.metadata!.annotations = { ...current.metadata!.annotations, ...desired.metadata!.annotations };
      current.spec!.template = desired.spec!.template;
      await apps.replaceNamespacedDeployment({ name: options.name, namespace: options.namespace, body: current });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt >= 10) throw error;
    }
  }
}

/** Waits until the Deployment controller has made `count` ReplicaSets for the Deployment. */
export async function waitForReplicaSets(apps: AppsV1Api, namespace: string, name: string, count: number): Promise<void> {
  await waitFor(async () => {
    const sets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${name}` });
    return sets.items.length >= count;
  }, { what: `${count} ReplicaSets of ${namespace}/${name}`, timeoutMs: 60_000, intervalMs: 100 });
}

export interface NotificationOptions {
  namespace: string;
  deployment: string;
  startsAt: Date;
  fingerprint?: string;
}

/** The Alertmanager webhook (version 4) body for one firing page alert guarding the Deployment. */
export function pageNotification(options: NotificationOptions): object {
  const labels = {
    alertname: PAGE_ALERT_NAME, slo: 'checkout-availability', slo_severity: 'page',
    namespace: options.namespace, deployment: options.deployment,
  };
  const groupLabels = { alertname: PAGE_ALERT_NAME, namespace: options.namespace, deployment: options.deployment };
  return {
    version: '4', groupKey: `{}:${JSON.stringify(groupLabels)}`, truncatedAlerts: 0, status: 'firing', receiver: 'metricops',
    groupLabels, commonLabels: labels, commonAnnotations: { summary: 'checkout burns its error budget' }, externalURL: 'http://alertmanager.invalid',
    alerts: [{
      status: 'firing', labels, annotations: { summary: 'checkout burns its error budget' }, startsAt: options.startsAt.toISOString(),
      endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: options.fingerprint ?? randomBytes(8).toString('hex'),
    }],
  };
}

export interface FeedbackProcess {
  url: string;
  token: string;
  process: ManagedProcess;
  /** POSTs a notification as Alertmanager does (bearer token); returns the HTTP status. */
  notify(body: object): Promise<number>;
  /** The decision records for one Deployment (GET /api/v1/events). */
  decisions(namespace: string, deployment: string): Promise<DecisionRecord[]>;
  stop(): Promise<void>;
}

export interface FeedbackProcessOptions {
  name: string;
  kubeconfigPath: string;
  /** Folder for the data dir, token file and log (<dir>/<name>.log). */
  dir: string;
  gitRepo?: string;
  gitopsRepo?: string;
  extraArgs?: readonly string[];
}

/** Starts `metricops feedback` (the built CLI) and waits for /readyz (informer cache synced). */
export async function startFeedback(options: FeedbackProcessOptions): Promise<FeedbackProcess> {
  await mkdir(options.dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(options.dir, `${options.name}.token`);
  await writeFile(tokenFile, token, { mode: 0o600 });
  const args = [
    'feedback', '--kubeconfig', options.kubeconfigPath, '--host', '127.0.0.1', '--port', String(port), '--token-file', tokenFile,
    '--data-dir', join(options.dir, `${options.name}-data`),
    ...(options.gitRepo ? ['--git-repo', options.gitRepo] : []),
    ...(options.gitopsRepo ? ['--gitops-repo', options.gitopsRepo] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = startMetricops(`metricops feedback (${options.name})`, args, join(options.dir, `${options.name}.log`),
    { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
  try {
    await Promise.race([
      failOnExit(child),
      waitFor(async () => (await fetch(`${url}/readyz`)).ok, { what: `metricops feedback (${options.name}) /readyz`, timeoutMs: 120_000 }),
    ]);
  } catch (error) {
    await child.stop();
    throw error;
  }
  const headers = { authorization: `Bearer ${token}` };
  return {
    url, token, process: child,
    async notify(body) {
      const response = await fetch(`${url}/api/v1/alerts`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async decisions(namespace, deployment) {
      const response = await fetch(`${url}/api/v1/events?namespace=${namespace}&deployment=${deployment}`, { headers });
      if (!response.ok) throw new Error(`GET /api/v1/events of ${options.name}: HTTP ${response.status}`);
      return ((await response.json()) as { events: DecisionRecord[] }).events;
    },
    stop: () => child.stop(),
  };
}

export interface TemplateWatch {
  /**
   * The app image of every Deployment state the watch delivered, in order (name -> images), and whether that state
   * carried metricops' GitOps hold.
   */
  readonly seen: Array<{ name: string; image: string; at: number; held: boolean }>;
  stop(): void;
}

/** Watches the Deployments of a namespace and calls `onImage` with each delivered state's app image. */
export async function watchDeploymentImages(
  kubeConfig: KubeConfig, namespace: string, onImage?: (name: string, image: string, at: number) => void,
): Promise<TemplateWatch> {
  const seen: TemplateWatch['seen'] = [];
  let controller: AbortController | undefined;
  let stopped = false;
  let lastVersion: string | undefined;
  const resume = (): void => {
    // The apiserver ends watches now and then (and when it restarts): resume from the last version seen.
    if (!stopped) setTimeout(() => void start().catch(resume), 250);
  };
  const start = async (): Promise<void> => {
    controller = await new Watch(kubeConfig).watch(`/apis/apps/v1/namespaces/${namespace}/deployments`,
      lastVersion ? { resourceVersion: lastVersion, allowWatchBookmarks: true } : { allowWatchBookmarks: true },
      (type: string, object: V1Deployment) => {
        lastVersion = object.metadata?.resourceVersion ?? lastVersion;
        if (type === 'BOOKMARK' || type === 'ERROR') return;
        const name = object.metadata?.name ?? '';
        const image = object.spec?.template.spec?.containers.find((container) => container.name === 'checkout')?.image ?? '';
        const at = performance.now();
        seen.push({ name, image, at, held: object.metadata?.annotations?.[Annotations.gitopsHold] !== undefined });
        onImage?.(name, image, at);
      },
      resume);
  };
  await start();
  return { seen, stop: () => { stopped = true; controller?.abort(); } };
}

