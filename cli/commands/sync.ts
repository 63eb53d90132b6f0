import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

// Placeholder registration, replaced by the component that owns this command.
export function registerSyncCommand(program: Command, _context: CliContext): void {
  program
    .command('sync')
    .description('pull a Git repo, compile its SLOs, commit and push the rules on a schedule')
    .action(() => {
      throw new UsageError('sync is not built yet');
    });
}
