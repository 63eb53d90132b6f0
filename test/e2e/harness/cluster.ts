import { clusterFromKubeconfig, type Cluster } from './control-plane.js';

/** Environment variables through which the e2e globalSetup (or control-plane.sh) hands the cluster to tests. */
export const E2E_ENV = {
  kubeconfig: 'METRICOPS_E2E_KUBECONFIG',
  binDir: 'METRICOPS_E2E_BIN_DIR',
  workDir: 'METRICOPS_E2E_WORK_DIR',
} as const;

/** The control plane of this e2e run (started once by the e2e project's globalSetup). */
export function e2eCluster(): Cluster {
  const kubeconfig = process.env[E2E_ENV.kubeconfig];
  const binDir = process.env[E2E_ENV.binDir];
  if (!kubeconfig || !binDir) {
    throw new Error(`${E2E_ENV.kubeconfig} and ${E2E_ENV.binDir} are not set: run e2e tests with "npm run test:e2e" ` +
      '(or jest --selectProjects e2e), whose globalSetup starts the control plane');
  }
  return clusterFromKubeconfig(kubeconfig, binDir);
}

/** A fresh namespace name for one test file: lowercase, unique enough for one run. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4).toString(36)}`.toLowerCase();
}
