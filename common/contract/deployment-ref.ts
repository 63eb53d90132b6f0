import { AlertLabels } from './alert-labels.js';

/** A Deployment as alerts, annotations and records name it. */
export interface DeploymentRef {
  namespace: string;
  name: string;
}

/** "namespace/name": the one key and display form of a Deployment (or of any namespaced object, e.g. a ReplicaSet). */
export function namespacedName(ref: { namespace: string; name: string }): string {
  return `${ref.namespace}/${ref.name}`;
}

/** The Deployment an alert's `namespace` and `deployment` labels name, when it carries both. */
export function deploymentOfLabels(labels: Readonly<Record<string, string>>): DeploymentRef | undefined {
  const namespace = labels[AlertLabels.namespace];
  const name = labels[AlertLabels.deployment];
  return namespace && name ? { namespace, name } : undefined;
}
