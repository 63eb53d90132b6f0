import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

// Placeholder registration, replaced by the component that owns this command.
export function registerCertsCommand(program: Command, _context: CliContext): void {
  program
    .command('certs')
    .description('create a CA and serving certificate for the webhook')
    .action(() => {
      throw new UsageError('certs is not built yet');
    });
}
