import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A long-running helper process (etcd, kube-apiserver, Prometheus...) in its own process group. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartProcessOptions {
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export class ProcessExitedError extends Error {
  constructor(name: string, result: number | string, logFile: string) {
    super(`${name} exited early (${result}); its output is in ${logFile}`);
    this.name = 'ProcessExitedError';
  }
}

export function startProcess(name: string, command: string, args: readonly string[], options: StartProcessOptions): ManagedProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  // The harness must not keep the test runner alive on its own: the children are stopped explicitly.
  child.unref();
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (error) => resolve(`spawn error: ${error.message}`));
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let ended = false;
  void exited.then(() => {
    ended = true;
    log.end();
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command}); see ${options.logFile}`);
  const pid = child.pid;

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    name,
    pid,
    logFile: options.logFile,
    exited,
    async stop(graceMs = 10_000) {
      if (ended) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Children the process left behind in its group.
      signalGroup('SIGKILL');
    },
  };
}

/** Rejects when the process exits, so a readiness wait can race against an early crash. */
export async function failOnExit(process: ManagedProcess): Promise<never> {
  const result = await process.exited;
  throw new ProcessExitedError(process.name, result, process.logFile);
}

