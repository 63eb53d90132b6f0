import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

// Placeholder registration, replaced by the component that owns this command.
export function registerWebhookCommand(program: Command, _context: CliContext): void {
  program
    .command('webhook')
    .description('serve the mutating admission webhook')
    .action(() => {
      throw new UsageError('webhook is not built yet');
    });
}
