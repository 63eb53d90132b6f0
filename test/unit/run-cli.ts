/** Runs the `metricops` CLI in-process with a captured context: what a command printed and its exit code. */
import { main } from '../../cli/main.js';
import type { CliContext } from '../../cli/context.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Resolve it to stop a long-running command (webhook, feedback, sync); by default it never resolves. */
  stopSignal?: Promise<string>;
  clock?: Clock;
}

export async function runCli(argv: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    createLogger: () => silentLogger(),
    clock: options.clock ?? systemClock,
    stopSignal: options.stopSignal ?? new Promise(() => undefined),
  };
  const code = await main(argv, context);
  return { code, stdout, stderr };
}
