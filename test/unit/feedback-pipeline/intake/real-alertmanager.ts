import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../e2e/harness/ports.js';

export { freePort };

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

/** A real Alertmanager on 127.0.0.1 with its own config and storage, clustering off; stop() kills it. */
export class RealAlertmanager {
  private constructor(
    readonly url: string,
    readonly dir: string,
    private readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  static async start(config: string, timeoutMs = 15_000): Promise<RealAlertmanager> {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-am-'));
    await writeFile(join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(
      ALERTMANAGER_BINARY,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const alertmanager = new RealAlertmanager(`http://127.0.0.1:${port}`, dir, child, output);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`alertmanager exited ${child.exitCode}: ${output.join('')}`);
      const ready = await fetch(`${alertmanager.url}/-/ready`).then((response) => response.ok, () => false);
      if (ready) return alertmanager;
      if (Date.now() > deadline) {
        await alertmanager.stop();
        throw new Error(`alertmanager not ready after ${timeoutMs} ms: ${output.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Posts alerts as Prometheus would (POST /api/v2/alerts). */
  async postAlerts(alerts: Array<Record<string, unknown>>): Promise<void> {
    const response = await fetch(`${this.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    if (!response.ok) throw new Error(`alertmanager refused alerts: ${response.status} ${await response.text()}`);
  }

  async silence(matchers: Record<string, string>): Promise<void> {
    const now = Date.now();
    const response = await fetch(`${this.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
        startsAt: new Date(now - 1000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        createdBy: 'metricops-test',
        comment: 'test',
      }),
    });
    if (!response.ok) throw new Error(`alertmanager refused the silence: ${response.status} ${await response.text()}`);
  }

  logs(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
