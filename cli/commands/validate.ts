import type { Command } from 'commander';
import { addSpecOptions, type SpecFlags } from '../../slo-compiler/inputs/spec-flags.js';
import type { CliContext } from '../context.js';

type ValidateFlags = SpecFlags;

/**
 * `metricops validate PATH...`: reads and checks every spec without writing anything. Prints
 * "ok: N SLOs, M inline rules in K files", or every problem (through InvalidInputError: exit 1).
 */
export function registerValidateCommand(program: Command, context: CliContext): void {
  const command = program
    .command('validate')
    .description('check SLO specs (metricops, Sloth prometheus/v1 and PrometheusServiceLevel, OpenSLO v1 and v1alpha, Deployments with metricops.io/rule) without writing anything')
    .argument('<paths...>', 'spec files or directories (read recursively: *.yaml, *.yml)');
  addSpecOptions(command)
    .action(async (paths: string[], flags: ValidateFlags) => {
      const { loadSpecFiles } = await import('../../slo-compiler/inputs/load.js');
      const { parseSpecOptions } = await import('../../slo-compiler/inputs/spec-options.js');
      const loaded = await loadSpecFiles(paths, await parseSpecOptions(flags));
      context.stdout(
        `ok: ${plural(loaded.slos.length, 'SLO')}, ${plural(loaded.inlineRules.length, 'inline rule')} in ${plural(loaded.files.length, 'file')}\n`,
      );
    });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
