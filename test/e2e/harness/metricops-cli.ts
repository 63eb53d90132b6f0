import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from './processes.js';
import { repoRoot } from './repo-root.js';
import type { CommandResult } from './control-plane.js';

/** The built CLI (bin/metricops.js -> dist/), run the way a user runs it. */
export function metricopsBin(): string {
  return join(repoRoot(), 'bin', 'metricops.js');
}

export function runMetricops(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(process.execPath, [metricopsBin(), ...args], { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      done({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
    });
  });
}

export class MetricopsCommandError extends Error {
  constructor(args: readonly string[], result: CommandResult) {
    super(`metricops ${args.join(' ')} exited ${result.code}:\n${result.stderr || result.stdout}`);
    this.name = 'MetricopsCommandError';
  }
}

export async function metricops(args: readonly string[]): Promise<string> {
  const result = await runMetricops(args);
  if (result.code !== 0) throw new MetricopsCommandError(args, result);
  return result.stdout;
}

/** A long-running `metricops <command>` (webhook, feedback) writing JSON logs to `logFile`. */
export function startMetricops(name: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ManagedProcess {
  return startProcess(name, process.execPath, [metricopsBin(), ...args], { logFile, env });
}
