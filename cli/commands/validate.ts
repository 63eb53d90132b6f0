import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

// Placeholder registration, replaced by the component that owns this command.
export function registerValidateCommand(program: Command, _context: CliContext): void {
  program
    .command('validate')
    .description('validate SLO specs without writing anything')
    .action(() => {
      throw new UsageError('validate is not built yet');
    });
}
