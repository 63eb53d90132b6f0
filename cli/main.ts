import { Command, CommanderError } from 'commander';
import { systemClock } from '../common/clock.js';
import { InvalidInputError, MetricopsError, UsageError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import type { CliContext } from './context.js';
import { ExitCode } from './exit-codes.js';
import { registerCommands } from './commands/index.js';

function processStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}

export function defaultContext(): CliContext {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    createLogger: (name) => createLogger({ name }),
    clock: systemClock,
    stopSignal: processStopSignal(),
  };
}

export function buildProgram(context: CliContext): Command {
  const program = new Command('metricops')
    .description('GitOps deploys + SLOs + automatic rollback for Kubernetes')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
    .exitOverride();
  registerCommands(program, context);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: context.stdout, writeErr: context.stderr });
  }
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 invalid input, 2 usage. */
export async function main(argv: string[], context: CliContext = defaultContext()): Promise<number> {
  const program = buildProgram(context);
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return exitCodeFor(error, context);
  }
}

function exitCodeFor(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and version are successes.
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof UsageError) {
    context.stderr(`metricops: ${error.message}\n(run with --help for usage)\n`);
    return ExitCode.usage;
  }
  if (error instanceof InvalidInputError) {
    context.stderr(`metricops: ${error.message}\n`);
    return ExitCode.invalidInput;
  }
  const message = error instanceof MetricopsError ? error.message : `unexpected error: ${String((error as Error)?.stack ?? error)}`;
  context.stderr(`metricops: ${message}\n`);
  return ExitCode.invalidInput;
}
