// Jest globalSetup of the e2e project: ONE control plane for the whole e2e run, handed to the test files through
// environment variables (tests read them with e2eCluster() from harness/cluster.ts).
// Jest loads this file without its TypeScript transform, so it runs the compiled harness (dist/test/e2e/), which
// test/e2e/run.sh builds; it is built here too when missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const compiled = join(root, 'dist', 'test', 'e2e', 'harness', 'control-plane.js');

export default async function globalSetup() {
  if (process.env.METRICOPS_E2E_KUBECONFIG) return; // A cluster started outside (control-plane.sh start) is reused.
  if (!existsSync(compiled) || process.env.METRICOPS_E2E_REBUILD === '1') {
    execFileSync('npx', ['tsc', '-p', join(root, 'test', 'e2e', 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  }
  const { startControlPlane } = await import(compiled);
  const controlPlane = await startControlPlane();
  globalThis.metricopsControlPlane = controlPlane;
  process.env.METRICOPS_E2E_KUBECONFIG = controlPlane.kubeconfigPath;
  process.env.METRICOPS_E2E_BIN_DIR = controlPlane.binDir;
  process.env.METRICOPS_E2E_WORK_DIR = controlPlane.workDir;
}
