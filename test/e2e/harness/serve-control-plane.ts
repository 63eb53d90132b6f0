// `node dist/test/e2e/harness/serve-control-plane.js <state-dir>`: starts the local control plane, writes
// <state-dir>/env (shell exports) and keeps it running until SIGTERM/SIGINT, then tears it down.
// test/e2e/control-plane.sh wraps it (start|stop|env).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startControlPlane } from './control-plane.js';
import { E2E_ENV } from './cluster.js';

const stateDir = process.argv[2];
if (!stateDir) {
  console.error('usage: serve-control-plane.js <state-dir>');
  process.exit(2);
}
await mkdir(stateDir, { recursive: true });
const controlPlane = await startControlPlane();
const env = [
  `export KUBECONFIG=${controlPlane.kubeconfigPath}`,
  `export ${E2E_ENV.kubeconfig}=${controlPlane.kubeconfigPath}`,
  `export ${E2E_ENV.binDir}=${controlPlane.binDir}`,
  `export ${E2E_ENV.workDir}=${controlPlane.workDir}`,
  `export PATH=${controlPlane.binDir}:$PATH`,
  '',
].join('\n');
await writeFile(join(stateDir, 'env'), env);
console.log(`control plane ready at ${controlPlane.serverUrl}; logs in ${controlPlane.workDir}/logs`);

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await rm(join(stateDir, 'env'), { force: true });
  await controlPlane.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
setInterval(() => undefined, 1 << 30);
