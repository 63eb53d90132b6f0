/**
 * Deployments listed once (no informer): what `metricops status` reads. Pages of 500, keeping the annotations the
 * informer cache keeps (cached-objects.ts), so both readers see the same DeploymentSummary.
 */
import { AppsV1Api, type KubeConfig, type V1DeploymentList } from '@kubernetes/client-node';
import { MetricopsError } from '../../common/errors.js';
import type { DeploymentLister, DeploymentSummary } from '../ports.js';
import { keptAnnotations } from './cached-objects.js';
import { describeApiError } from './retry.js';

export class KubernetesReadError extends MetricopsError {}

const PAGE_SIZE = 500;

export class ListedDeployments implements DeploymentLister {
  private constructor(private readonly deployments: readonly DeploymentSummary[]) {}

  /** Lists every Deployment (of `namespace` only, when given); throws KubernetesReadError saying what the apiserver answered. */
  static async list(kubeConfig: KubeConfig, namespace?: string): Promise<ListedDeployments> {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const summaries: DeploymentSummary[] = [];
    let next: string | undefined;
    do {
      const page: { _continue?: string; limit: number } = { limit: PAGE_SIZE, ...(next ? { _continue: next } : {}) };
      let list: V1DeploymentList;
      try {
        list = namespace === undefined ? await apps.listDeploymentForAllNamespaces(page) : await apps.listNamespacedDeployment({ namespace, ...page });
      } catch (error) {
        const where = namespace === undefined ? 'in all namespaces' : `in namespace ${namespace}`;
        throw new KubernetesReadError(
          `cannot list Deployments ${where} from ${kubeConfig.getCurrentCluster()?.server ?? 'the cluster'}: ${describeApiError(error)} (check --kubeconfig/--context, and that you may list deployments.apps${namespace === undefined ? ', or pass -n NAMESPACE' : ''})`,
          { cause: error },
        );
      }
      for (const item of list.items) {
        summaries.push({
          namespace: item.metadata?.namespace ?? '',
          name: item.metadata?.name ?? '',
          paused: item.spec?.paused === true,
          annotations: keptAnnotations(item.metadata?.annotations),
        });
      }
      next = list.metadata?._continue || undefined;
    } while (next);
    return new ListedDeployments(summaries);
  }

  listDeployments(namespace?: string): DeploymentSummary[] {
    return namespace === undefined ? [...this.deployments] : this.deployments.filter((deployment) => deployment.namespace === namespace);
  }
}
