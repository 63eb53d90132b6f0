import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { freePort } from './ports.js';
import { failOnExit, startProcess, type ManagedProcess } from './processes.js';
import { repoRoot } from './repo-root.js';
import { waitFor } from './wait.js';

export interface CortexOptions {
  /** Where the ruler sends alerts (Alertmanager's base URL; Cortex posts to <url>/api/v2/alerts). */
  alertmanagerUrl?: string;
  /** Per-tenant limits (Cortex runtime-config overrides), e.g. { tight: { ruler_max_rules_per_rule_group: 7 } }. */
  tenantLimits?: Record<string, Record<string, number>>;
  /** Rule evaluation, rule polling and alert resend interval; default 2s (Cortex defaults to 1m each). */
  interval?: string;
  /** Folder of the cortex binary; default: built (or reused from the cache) by build-cortex.sh. */
  binDir?: string;
}

export interface CortexAlert {
  labels: Record<string, string>;
  state: string;
  activeAt?: string;
}

export interface Cortex {
  /** Base URL: the ruler API is <url>/api/v1/rules, remote write <url>/api/v1/push, PromQL <url>/prometheus/api/v1. */
  url: string;
  workDir: string;
  process: ManagedProcess;
  /** The tenant's rule groups in one namespace, by name (GET /api/v1/rules/<ns>; none is an empty list). */
  ruleGroupNames(tenant: string, namespace: string): Promise<string[]>;
  /** The tenant's alerts as the ruler evaluates them (GET /prometheus/api/v1/alerts). */
  alerts(tenant: string): Promise<CortexAlert[]>;
  /** An instant query as the tenant. */
  query(tenant: string, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/**
 * Builds Cortex (once; cached by version) and returns its folder. The first build takes minutes (build-cortex.sh):
 * its progress lines go to stderr as they come, so a first run does not look stuck.
 */
export async function cortexBinDir(): Promise<string> {
  if (process.env.METRICOPS_CORTEX_BIN) return process.env.METRICOPS_CORTEX_BIN;
  const script = join(repoRoot(), 'test', 'e2e', 'build-cortex.sh');
  const stdout = await new Promise<string>((done, fail) => {
    const child = execFile('nice', ['-n', '10', 'bash', script], { maxBuffer: 16 << 20 }, (error, out, err) =>
      (error ? fail(new Error(`${script} failed: ${err || error.message}`)) : done(out)));
    child.stderr?.on('data', (chunk: Buffer | string) => process.stderr.write(chunk));
  });
  return stdout.trim().split('\n').pop() ?? '';
}

/**
 * The single-process configuration (docs/configuration/single-process-config-blocks-local.yaml of Cortex) made
 * local: every ring in memory, everything on 127.0.0.1, rules on the filesystem backend (the `local` backend is
 * read-only), Cortex's own Alertmanager without clustering, multi-tenancy on (X-Scope-OrgID required).
 */
export function cortexConfig(dir: string, ports: { http: number; grpc: number }, options: CortexOptions): string {
  const interval = options.interval ?? '2s';
  const ring = { kvstore: { store: 'inmemory' } };
  return yaml.dump({
    auth_enabled: true,
    target: 'all',
    server: {
      http_listen_address: '127.0.0.1', http_listen_port: ports.http,
      grpc_listen_address: '127.0.0.1', grpc_listen_port: ports.grpc, log_level: 'warn',
    },
    distributor: { shard_by_all_labels: true, pool: { health_check_ingesters: true }, ring: { instance_addr: '127.0.0.1', ...ring } },
    ingester: {
      lifecycler: { address: '127.0.0.1', min_ready_duration: '0s', final_sleep: '0s', num_tokens: 512, ring: { ...ring, replication_factor: 1 } },
    },
    blocks_storage: {
      backend: 'filesystem', filesystem: { dir: join(dir, 'blocks') },
      tsdb: { dir: join(dir, 'tsdb') }, bucket_store: { sync_dir: join(dir, 'tsdb-sync') },
    },
    compactor: { data_dir: join(dir, 'compactor'), sharding_ring: { instance_addr: '127.0.0.1', ...ring } },
    store_gateway: { sharding_ring: { instance_addr: '127.0.0.1', ...ring } },
    frontend_worker: { match_max_concurrent: true },
    ruler: {
      enable_api: true,
      rule_path: join(dir, 'ruler-tmp'),
      evaluation_interval: interval,
      poll_interval: interval,
      resend_delay: interval,
      ...(options.alertmanagerUrl ? { alertmanager_url: options.alertmanagerUrl, alertmanager_refresh_interval: interval } : {}),
      ring: { instance_addr: '127.0.0.1', ...ring },
    },
    ruler_storage: { backend: 'filesystem', filesystem: { dir: join(dir, 'rules') } },
    alertmanager: {
      external_url: 'http://127.0.0.1/alertmanager', cluster: { listen_address: '' },
      sharding_ring: { instance_addr: '127.0.0.1', ...ring },
    },
    alertmanager_storage: { backend: 'local', local: { path: join(dir, 'alertmanager-configs') } },
    runtime_config: { file: join(dir, 'overrides.yaml'), period: '1s' },
  });
}

/** Cortex from Go modules as one process (-target=all) on 127.0.0.1, its data and log (cortex.log) in a temp folder. */
export async function startCortex(options: CortexOptions = {}): Promise<Cortex> {
  const binDir = options.binDir ?? (await cortexBinDir());
  const dir = await mkdtemp(join(tmpdir(), 'metricops-cortex-'));
  await mkdir(join(dir, 'alertmanager-configs'));
  const ports = { http: await freePort(), grpc: await freePort() };
  await writeFile(join(dir, 'cortex.yaml'), cortexConfig(dir, ports, options));
  await writeFile(join(dir, 'overrides.yaml'), yaml.dump({ overrides: options.tenantLimits ?? {} }));
  const url = `http://127.0.0.1:${ports.http}`;
  const child = startProcess('cortex', join(binDir, 'cortex'), [`-config.file=${join(dir, 'cortex.yaml')}`], { logFile: join(dir, 'cortex.log'), cwd: dir });
  const stop = async (): Promise<void> => {
    await child.stop();
    if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([failOnExit(child), waitFor(async () => (await fetch(`${url}/ready`)).ok, { what: 'Cortex /ready', timeoutMs: 60_000 })]);
  } catch (error) {
    await stop();
    throw error;
  }
  const get = async (tenant: string, path: string): Promise<Response> => fetch(`${url}${path}`, { headers: { 'X-Scope-OrgID': tenant } });
  const prometheusData = async <T>(tenant: string, path: string): Promise<T> => {
    const response = await get(tenant, path);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Cortex ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  return {
    url,
    workDir: dir,
    process: child,
    async ruleGroupNames(tenant, namespace) {
      const response = await get(tenant, `/api/v1/rules/${encodeURIComponent(namespace)}`);
      const text = await response.text();
      if (response.status === 404 && text.trim() === 'no rule groups found') return [];
      if (!response.ok) throw new Error(`Cortex GET /api/v1/rules/${namespace}: HTTP ${response.status}: ${text}`);
      const groups = ((yaml.load(text) as Record<string, Array<{ name: string }>>)[namespace] ?? []);
      return groups.map((group) => group.name).sort();
    },
    async alerts(tenant) {
      return (await prometheusData<{ alerts: CortexAlert[] }>(tenant, '/prometheus/api/v1/alerts')).alerts;
    },
    async query(tenant, expr) {
      return (await prometheusData<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        tenant, `/prometheus/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
    },
    stop,
  };
}
