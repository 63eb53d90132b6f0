/** Runs the `metricops` CLI in-process with a captured context: what a command printed and its exit code. */
import { main } from '../../../cli/main.js';
import type { CliContext } from '../../../cli/context.js';
import { systemClock, type Clock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';

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

/** A CliContext whose output is kept in `out` and `err` (one entry per write). */
export function capturedContext(options: CliRunOptions = {}): { context: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    createLogger: () => silentLogger(),
    clock: options.clock ?? systemClock,
    stopSignal: options.stopSignal ?? new Promise(() => undefined),
  };
  return { context, out, err };
}

export async function runCli(argv: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const { context, out, err } = capturedContext(options);
  const code = await main(argv, context);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
