import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface ValidateFlags {
  defaultWindow: string;
}

/**
 * `metricops validate PATH...`: reads and checks every spec without writing anything. Prints
 * "ok: N SLOs, M inline rules in K files", or every problem (through InvalidInputError: exit 1).
 */
export function registerValidateCommand(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description('check SLO specs (metricops, Sloth prometheus/v1, OpenSLO v1, Deployments with metricops.io/rule) without writing anything')
    .argument('<paths...>', 'spec files or directories (read recursively: *.yaml, *.yml)')
    .option('--default-window <duration>', 'SLO period for specs that give none (Sloth specs)', '30d')
    .action(async (paths: string[], flags: ValidateFlags) => {
      const { loadSpecFiles } = await import('../../slo-compiler/inputs/load.js');
      const loaded = await loadSpecFiles(paths, { defaultWindow: flags.defaultWindow });
      context.stdout(
        `ok: ${plural(loaded.slos.length, 'SLO')}, ${plural(loaded.inlineRules.length, 'inline rule')} in ${plural(loaded.files.length, 'file')}\n`,
      );
    });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
