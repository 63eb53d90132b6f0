/** A KubeConfig pointing at a nock-intercepted apiserver, and wire-format Deployments and ReplicaSets. */
import { KubeConfig, type V1Deployment, type V1ReplicaSet } from '@kubernetes/client-node';
import { Annotations } from '../../../../common/contract/annotations.js';
import { kubeConnectionOf } from '../../../../common/kube-connection.js';
import { KubeApi } from '../../../../feedback-pipeline/kubernetes/api-client.js';

export const APISERVER = 'https://kube.test';

export function testKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: APISERVER, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'not-a-real-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return config;
}

/** The feedback pipeline's API client for testKubeConfig() (or another KubeConfig). */
export function testApi(config: KubeConfig = testKubeConfig()): KubeApi {
  return new KubeApi(kubeConnectionOf(config));
}

export const FAST_RETRY = { initialDelayMs: 1, maxDelayMs: 5, maxElapsedMs: 2_000 };

function template(image: string, hash?: string) {
  return {
    metadata: { labels: { app: 'checkout', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'app', image }] },
  };
}

export function wireDeployment(options: { image: string; resourceVersion: string; annotations?: Record<string, string>; paused?: boolean }): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'checkout',
      namespace: 'shop',
      uid: 'uid-checkout',
      resourceVersion: options.resourceVersion,
      annotations: {
        'deployment.kubernetes.io/revision': '2',
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":"x"}',
        [Annotations.deployedAt]: '2026-11-21T10:00:00Z',
        ...options.annotations,
      },
      managedFields: [{ manager: 'kubectl', operation: 'Update' }],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'checkout' } },
      ...(options.paused ? { paused: true } : {}),
      template: template(options.image),
    },
    status: { replicas: 2 },
  };
}

export function wireReplicaSet(options: {
  revision: number;
  image: string;
  hash: string;
  owner?: string;
  annotations?: Record<string, string>;
}): V1ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `checkout-${options.hash}`,
      namespace: 'shop',
      uid: `uid-rs-${options.hash}`,
      resourceVersion: `rs-${options.revision}`,
      creationTimestamp: new Date('2026-11-21T09:00:00Z'),
      labels: { app: 'checkout', 'pod-template-hash': options.hash },
      annotations: { 'deployment.kubernetes.io/revision': String(options.revision), ...options.annotations },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', uid: options.owner ?? 'uid-checkout', controller: true },
      ],
    },
    spec: { selector: { matchLabels: { app: 'checkout' } }, template: template(options.image, options.hash) },
  };
}

export const replicaSetList = (items: V1ReplicaSet[]) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSetList', metadata: { resourceVersion: '5000' }, items });
