/**
 * The hold keeper's Kubernetes side: a fresh read of one Deployment and guarded JSON Patches of it (fieldManager
 * `metricops`), transient errors retried. The same verbs the rollback uses (deployments get, patch).
 */
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import type { Logger } from '../../common/logger.js';
import { DEFAULT_RETRY, withRetry, type RetrySettings } from '../kubernetes/retry.js';
import type { HoldCluster } from './gitops-hold-keeper.js';

export class KubernetesHoldCluster implements HoldCluster {
  private readonly apps: AppsV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly logger: Logger,
    private readonly retry: RetrySettings = { ...DEFAULT_RETRY, maxElapsedMs: 30_000 },
    private readonly fieldManager = 'metricops',
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  read({ namespace, name }: DeploymentRef): Promise<V1Deployment> {
    return withRetry(`read Deployment ${namespace}/${name}`, () => this.apps.readNamespacedDeployment({ name, namespace }), this.retry, this.logger);
  }

  async patch(deployment: DeploymentRef, ops: Operation[]): Promise<void> {
    const { namespace, name } = deployment;
    await withRetry(`patch Deployment ${namespacedName(deployment)}`, () =>
      this.apps.patchNamespacedDeployment(
        { name, namespace, body: ops, fieldManager: this.fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ), this.retry, this.logger);
  }
}
