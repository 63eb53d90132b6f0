import { statSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigSource {
  /** A kubeconfig file; without it: $KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  kubeconfig?: string;
  context?: string;
}

/**
 * The one place that decides how metricops reaches the Kubernetes API. Throws when the configuration cannot be used
 * (an empty file, no cluster for the current context) rather than failing later with a vaguer error.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const config = new KubeConfig();
  if (source.kubeconfig) {
    if (statSync(source.kubeconfig).size === 0) throw new Error('the file is empty');
    config.loadFromFile(source.kubeconfig);
  } else config.loadFromDefault();
  if (source.context) {
    if (!config.getContextObject(source.context)) {
      throw new Error(`it has no context "${source.context}" (contexts: ${config.getContexts().map((context) => context.name).join(', ') || 'none'})`);
    }
    config.setCurrentContext(source.context);
  }
  if (!config.getCurrentCluster()) {
    const context = config.getCurrentContext();
    throw new Error(context ? `the current context "${context}" names no cluster it lists` : 'it has no current-context: set one, or pass --context');
  }
  return config;
}
