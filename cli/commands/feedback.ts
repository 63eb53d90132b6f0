import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

// Placeholder registration, replaced by the component that owns this command.
export function registerFeedbackCommand(program: Command, _context: CliContext): void {
  program
    .command('feedback')
    .description('receive Alertmanager notifications and roll back bad rollouts')
    .action(() => {
      throw new UsageError('feedback is not built yet');
    });
}
