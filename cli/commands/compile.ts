import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

// Placeholder registration, replaced by the component that owns this command.
export function registerCompileCommand(program: Command, _context: CliContext): void {
  program
    .command('compile')
    .description('compile SLO specs into Prometheus rules')
    .action(() => {
      throw new UsageError('compile is not built yet');
    });
}
