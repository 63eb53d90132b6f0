import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { freePort } from './ports.js';
import { failOnExit, startProcess, type ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface AlertmanagerOptions {
  /** Where notifications go: the feedback pipeline's Alertmanager endpoint. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` (written to a credentials_file, never into the config). */
  bearerToken: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  binary?: string;
}

export interface Alertmanager {
  url: string;
  /** host:port, for Prometheus' alerting config. */
  address: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export function alertmanagerConfig(options: AlertmanagerOptions, credentialsFile: string): string {
  return yaml.dump({
    route: {
      receiver: 'metricops',
      group_by: ['alertname', 'namespace', 'deployment', 'slo'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '5s',
      repeat_interval: options.repeatInterval ?? '15s',
    },
    receivers: [{
      name: 'metricops',
      webhook_configs: [{
        url: options.webhookUrl,
        send_resolved: true,
        http_config: { authorization: { type: 'Bearer', credentials_file: credentialsFile } },
      }],
    }],
  });
}

/** Debian's Alertmanager on 127.0.0.1, clustering off, routing every alert to one webhook with a bearer token. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<Alertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'metricops-alertmanager-'));
  const credentialsFile = join(dir, 'token');
  await writeFile(credentialsFile, options.bearerToken, { mode: 0o600 });
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, alertmanagerConfig(options, credentialsFile));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const child = startProcess('alertmanager', options.binary ?? 'prometheus-alertmanager', [
    `--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`, '--cluster.listen-address=', '--log.level=warn',
  ], { logFile: join(dir, 'alertmanager.log') });
  const stop = async (): Promise<void> => {
    await child.stop();
    if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([failOnExit(child), waitFor(async () => (await fetch(`${url}/-/ready`)).ok, { what: 'Alertmanager /-/ready', timeoutMs: 30_000 })]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, address, process: child, stop };
}
