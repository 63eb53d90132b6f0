/**
 * One Debian Prometheus for the rule-cost benchmark, on 127.0.0.1: started on the backfilled TSDB, scraping the
 * exporter, its rule files swapped by rewriting the configuration and POST /-/reload, read through /metrics and the
 * query API (with stats=all: the samples each expression touches).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../free-port.js';


function configText(interval: number, exporterPort: number, ruleFiles: string[]): string {
  return [
    'global:',
    `  scrape_interval: ${interval}s`,
    `  evaluation_interval: ${interval}s`,
    `rule_files: ${JSON.stringify(ruleFiles)}`,
    'scrape_configs:',
    '  - job_name: bench',
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: ["127.0.0.1:${exporterPort}"]`,
    '',
  ].join('\n');
}

export interface QueryResult {
  result: Array<{ metric: Record<string, string>; value: [number, string] }>;
  samples: number;
  evalSeconds: number;
}

export class BenchPrometheus {
  private constructor(
    private readonly process: ChildProcess,
    private readonly base: string,
    private readonly configPath: string,
    private readonly exporterPort: number,
    private readonly interval: number,
  ) {}

  static async start(dir: string, tsdb: string, exporterPort: number, interval: number): Promise<BenchPrometheus> {
    const port = await freePort();
    const configPath = join(dir, 'prometheus.yml');
    await writeFile(configPath, configText(interval, exporterPort, []));
    const child = spawn('prometheus', [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${tsdb}`,
      '--storage.tsdb.retention.time=90d',
      '--storage.tsdb.max-block-duration=1d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ], { stdio: 'ignore' });
    const started = new BenchPrometheus(child, `http://127.0.0.1:${port}`, configPath, exporterPort, interval);
    for (let attempt = 0; ; attempt += 1) {
      if (await fetch(`${started.base}/-/ready`).then((response) => response.ok, () => false)) return started;
      if (attempt > 600 || child.exitCode !== null) throw new Error('Prometheus did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async loadRules(ruleFiles: string[]): Promise<void> {
    await writeFile(this.configPath, configText(this.interval, this.exporterPort, ruleFiles));
    const response = await fetch(`${this.base}/-/reload`, { method: 'POST' });
    if (!response.ok) throw new Error(`reload failed: ${response.status} ${await response.text()}`);
  }

  /** Every sample of /metrics whose name is in `names`, as { name, labels, value }. */
  async metrics(names: string[]): Promise<Array<{ name: string; labels: string; value: number }>> {
    const text = await (await fetch(`${this.base}/metrics`)).text();
    const found: Array<{ name: string; labels: string; value: number }> = [];
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
      if (match && names.includes(match[1]!)) found.push({ name: match[1]!, labels: match[2] ?? '', value: Number(match[3]) });
    }
    return found;
  }

  async query(expr: string, time: number): Promise<QueryResult> {
    const response = await fetch(`${this.base}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr, time: String(time), stats: 'all' }),
    });
    const body = (await response.json()) as any;
    if (body.status !== 'success') throw new Error(`query failed: ${expr}: ${JSON.stringify(body)}`);
    return {
      result: body.data.result,
      samples: body.data.stats?.samples?.totalQueryableSamples ?? 0,
      evalSeconds: body.data.stats?.timings?.evalTotalTime ?? 0,
    };
  }

  async stop(): Promise<void> {
    this.process.kill('SIGTERM');
    if (this.process.exitCode === null) await once(this.process, 'exit').catch(() => undefined);
  }
}
