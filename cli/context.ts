import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';

/** What every subcommand gets from outside, so tests can run commands in-process and read what they print. */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  createLogger: (name: string) => Logger;
  clock: Clock;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands shut down then. */
  stopSignal: Promise<string>;
}
