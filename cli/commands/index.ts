import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerCertsCommand } from './certs.js';
import { registerCompileCommand } from './compile.js';
import { registerFeedbackCommand } from './feedback.js';
import { registerStatusCommand } from './status.js';
import { registerSyncCommand } from './sync.js';
import { registerValidateCommand } from './validate.js';
import { registerWebhookCommand } from './webhook.js';

/** Every subcommand, in the order `metricops --help` lists them. */
export function registerCommands(program: Command, context: CliContext): void {
  registerCompileCommand(program, context);
  registerValidateCommand(program, context);
  registerSyncCommand(program, context);
  registerWebhookCommand(program, context);
  registerCertsCommand(program, context);
  registerFeedbackCommand(program, context);
  registerStatusCommand(program, context);
}
