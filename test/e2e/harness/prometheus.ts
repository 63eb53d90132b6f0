import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { freePort } from './ports.js';
import { failOnExit, startProcess, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface ScrapeJob {
  job: string;
  /** host:port pairs on 127.0.0.1. */
  targets: string[];
}

export interface PrometheusOptions {
  /** Globs of rule files (Prometheus globs: one `*` per path segment, no `**`). */
  ruleFiles: string[];
  scrapeJobs: ScrapeJob[];
  /** host:port of Alertmanager. */
  alertmanager?: string;
  /** Remote-write endpoints (e.g. Cortex's /api/v1/push behind a tenant proxy); samples are sent within about a second. */
  remoteWrite?: string[];
  /** Scrape and rule evaluation interval; default 5s. */
  interval?: string;
  binary?: string;
}

export interface PrometheusAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: string;
  process: ManagedProcess;
  /** POST /-/reload (after new rule files were written). */
  reload(): Promise<void>;
  query(expr: string): Promise<VectorSample[]>;
  alerts(): Promise<PrometheusAlert[]>;
  /** Names of every recording and alerting rule loaded. */
  ruleNames(): Promise<string[]>;
  stop(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

export function prometheusConfig(options: PrometheusOptions): string {
  const interval = options.interval ?? '5s';
  return yaml.dump({
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: options.ruleFiles,
    scrape_configs: options.scrapeJobs.map((job) => ({ job_name: job.job, static_configs: [{ targets: job.targets }] })),
    ...(options.alertmanager
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] } }
      : {}),
    ...(options.remoteWrite
      ? { remote_write: options.remoteWrite.map((url) => ({ url, queue_config: { batch_send_deadline: '1s', min_backoff: '100ms', max_backoff: '1s' } })) }
      : {}),
  });
}

/** Debian's Prometheus on 127.0.0.1 with a temporary data folder and the lifecycle API (for /-/reload). */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'metricops-prometheus-'));
  await mkdir(join(dir, 'data'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(options));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess('prometheus', options.binary ?? 'prometheus', [
    `--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn',
  ], { logFile: join(dir, 'prometheus.log') });
  const stop = async (): Promise<void> => {
    await child.stop();
    if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([failOnExit(child), waitFor(async () => (await fetch(`${url}/-/ready`)).ok, { what: 'Prometheus /-/ready', timeoutMs: 30_000 })]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    process: child,
    async reload() {
      const response = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!response.ok) throw new Error(`Prometheus reload failed (${response.status}): ${await response.text()}`);
    },
    async query(expr) {
      const data = await getJson<{ result: VectorSample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result;
    },
    async alerts() {
      return (await getJson<{ alerts: PrometheusAlert[] }>(`${url}/api/v1/alerts`)).alerts;
    },
    async ruleNames() {
      const data = await getJson<{ groups: { rules: { name: string }[] }[] }>(`${url}/api/v1/rules`);
      return data.groups.flatMap((group) => group.rules.map((rule) => rule.name));
    },
    stop,
  };
}
