import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { cachedBuildDir } from './cached-build.js';
import { generateControlPlaneCertificates } from './certificates.js';
import { httpsGet } from './https-get.js';
import { freePort } from './ports.js';
import { failOnExit, startProcess, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** What a test needs to talk to the cluster. */
export interface Cluster {
  /** A kubeconfig file with the admin identity (user metricops-admin in group system:masters). */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** https://127.0.0.1:<port> */
  serverUrl: string;
  /** Folder holding kube-apiserver, kube-controller-manager, kubectl and etcd. */
  binDir: string;
  /** Runs the built kubectl against this cluster; never throws on a non-zero exit. */
  kubectl(args: readonly string[], options?: { input?: string }): Promise<CommandResult>;
}

export interface ControlPlane extends Cluster {
  /** Temporary folder with certificates, etcd data and the logs (logs/<name>.log). */
  workDir: string;
  processes: readonly ManagedProcess[];
  /** Stops kube-apiserver alone (etcd and kube-controller-manager keep running): for outage tests. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again with the same port, certificates and etcd; resolves once /readyz answers 200. */
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Where the binaries are; default: built (or reused from the cache) by build-control-plane.sh. */
  binDir?: string;
  /** Keep the temporary folder after stop (logs for debugging). Also METRICOPS_E2E_KEEP=1. */
  keepWorkDir?: boolean;
  /** Extra kube-controller-manager flags, e.g. ['--kube-api-qps=500'] for benchmarks that create thousands of objects. */
  controllerManagerArgs?: readonly string[];
}

/** Controllers the local cluster runs; see docs/design.md "Test harness" for why these. */
export const CONTROLLERS = ['deployment', 'replicaset', 'serviceaccount', 'namespace', 'garbagecollector'];

export async function controlPlaneBinDir(): Promise<string> {
  return process.env.METRICOPS_K8S_BIN || cachedBuildDir('build-control-plane.sh');
}

export function runKubectl(binDir: string, kubeconfigPath: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((done) => {
    const child = execFile(join(binDir, 'kubectl'), ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ stdout, stderr, code });
      });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export function clusterFromKubeconfig(kubeconfigPath: string, binDir: string): Cluster {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    kubeconfigPath,
    kubeConfig,
    serverUrl: kubeConfig.getCurrentCluster()?.server ?? '',
    binDir,
    kubectl: (args, options) => runKubectl(binDir, kubeconfigPath, args, options?.input),
  };
}

export function kubeconfigYaml(server: string, caFile: string, user: string, token: string): string {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'metricops-e2e', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'metricops-e2e', context: { cluster: 'metricops-e2e', user } }],
    'current-context': 'metricops-e2e',
  });
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1 (free ports, a temporary folder) and
 * waits until the apiserver is ready and the "default" ServiceAccount exists.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = options.binDir ?? (await controlPlaneBinDir());
  const workDir = await mkdtemp(join(tmpdir(), 'metricops-e2e-'));
  const logs = join(workDir, 'logs');
  await mkdir(logs);
  const processes: ManagedProcess[] = [];
  const keep = options.keepWorkDir ?? process.env.METRICOPS_E2E_KEEP === '1';
  let startApiServer = async (): Promise<void> => undefined;
  let stopApiServer = async (): Promise<void> => undefined;

  const stop = async (): Promise<void> => {
    for (const child of [...processes].reverse()) await child.stop();
    if (!keep) await rm(workDir, { recursive: true, force: true });
  };

  try {
    const certificates = await generateControlPlaneCertificates(workDir);
    const adminToken = randomBytes(24).toString('hex');
    const controllerToken = randomBytes(24).toString('hex');
    const tokenFile = join(workDir, 'tokens.csv');
    await writeFile(tokenFile, [
      `${adminToken},metricops-admin,metricops-admin,"system:masters"`,
      `${controllerToken},system:kube-controller-manager,system:kube-controller-manager,"system:masters"`,
      '',
    ].join('\n'), { mode: 0o600 });

    const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess('etcd', join(binDir, 'etcd'), [
      '--name=e2e', `--data-dir=${join(workDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync', '--log-level=warn',
    ], { logFile: join(logs, 'etcd.log') });
    processes.push(etcd);
    await Promise.race([failOnExit(etcd), waitFor(async () => (await fetch(`${etcdUrl}/health`)).ok, { what: 'etcd /health', timeoutMs: 30_000 })]);

    const serverUrl = `https://127.0.0.1:${apiPort}`;
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      // The "kubernetes" Service endpoint cannot be a loopback address; nothing in the tests needs it.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(workDir, 'apiserver-certs')}`,
      `--tls-cert-file=${certificates.servingCert}`, `--tls-private-key-file=${certificates.servingKey}`,
      `--client-ca-file=${certificates.caCert}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certificates.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${certificates.serviceAccountKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--profiling=false',
    ];
    const ca = await readFile(certificates.caCert);
    let apiserver: ManagedProcess | undefined;
    startApiServer = async () => {
      if (apiserver) throw new Error('kube-apiserver is already running');
      const started = startProcess('kube-apiserver', join(binDir, 'kube-apiserver'), apiserverArgs, { logFile: join(logs, 'kube-apiserver.log') });
      apiserver = started;
      processes.push(started);
      await Promise.race([
        failOnExit(started),
        waitFor(async () => (await httpsGet(`${serverUrl}/readyz`, ca, adminToken)).status === 200, {
          what: 'kube-apiserver /readyz', timeoutMs: 90_000, intervalMs: 500,
        }),
      ]);
    };
    stopApiServer = async () => {
      const running = apiserver;
      if (!running) return;
      apiserver = undefined;
      await running.stop();
      processes.splice(processes.indexOf(running), 1);
    };
    await startApiServer();

    const kubeconfigPath = join(workDir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml(serverUrl, certificates.caCert, 'metricops-admin', adminToken), { mode: 0o600 });
    const controllerKubeconfig = join(workDir, 'kube-controller-manager.kubeconfig');
    await writeFile(controllerKubeconfig,
      kubeconfigYaml(serverUrl, certificates.caCert, 'system:kube-controller-manager', controllerToken), { mode: 0o600 });

    const controllerManager = startProcess('kube-controller-manager', join(binDir, 'kube-controller-manager'), [
      `--kubeconfig=${controllerKubeconfig}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1', '--secure-port=0',
      '--concurrent-deployment-syncs=5', '--concurrent-replicaset-syncs=5',
      ...(options.controllerManagerArgs ?? []),
    ], { logFile: join(logs, 'kube-controller-manager.log') });
    processes.push(controllerManager);

    const cluster = clusterFromKubeconfig(kubeconfigPath, binDir);
    await Promise.race([
      failOnExit(controllerManager),
      waitFor(async () => (await cluster.kubectl(['get', 'serviceaccount', 'default', '-n', 'default'])).code === 0, {
        what: 'the "default" ServiceAccount (created by kube-controller-manager)', timeoutMs: 60_000, intervalMs: 500,
      }),
    ]);

    return { ...cluster, workDir, processes, stop, stopApiServer: () => stopApiServer(), startApiServer: () => startApiServer() };
  } catch (error) {
    await stop();
    throw new Error(`the local control plane did not start: ${(error as Error).message}${keep ? ` (logs in ${logs})` : ' (set METRICOPS_E2E_KEEP=1 to keep the logs)'}`, { cause: error });
  }
}
