import { Option, type Command } from 'commander';
import type { CompileOptions } from '../../slo-compiler/compile.js';
import type { CliContext } from '../context.js';

interface CompileFlags {
  out: string;
  format: CompileOptions['format'];
  longWindows: CompileOptions['longWindows'];
  emitTests?: boolean;
  commit?: boolean;
  defaultWindow?: string;
}

/**
 * `metricops compile PATH... --out DIR`: loadSpecs -> compile -> writeCompiledRules [-> commit] -> summary.
 * The compiler is loaded when the command runs, so other commands and --help do not pay for it.
 */
export function registerCompileCommand(program: Command, context: CliContext): void {
  program
    .command('compile')
    .description('compile SLO specs (metricops, Sloth prometheus/v1, OpenSLO v1, Deployments with metricops.io/rule) into Prometheus rules')
    .argument('<paths...>', 'spec files or directories (read recursively: *.yaml, *.yml)')
    .requiredOption('-o, --out <dir>', 'directory to write the rule files to (created when missing)')
    .addOption(new Option('--format <format>', 'plain Prometheus rule files or prometheus-operator PrometheusRule objects').choices(['prometheus', 'operator']).default('prometheus'))
    .addOption(new Option('--long-windows <mode>', 'exact: rate over every window; reuse: 1d and longer windows from recorded 5m event rates').choices(['exact', 'reuse']).default('exact'))
    .option('--emit-tests', 'also write promtool unit tests per SLO under <out>/tests/')
    .option('--commit', 'commit the changed rule files in the Git repository that contains --out')
    .option('--default-window <duration>', 'SLO period for specs that give none (Sloth specs)', '30d')
    .action(async (paths: string[], flags: CompileFlags) => {
      const [{ loadSpecs }, { compile }, { writeCompiledRules }] = await Promise.all([
        import('../../slo-compiler/inputs/load.js'),
        import('../../slo-compiler/compile.js'),
        import('../../slo-compiler/output/write.js'),
      ]);
      const input = await loadSpecs(paths, { defaultWindow: flags.defaultWindow });
      const compiled = compile(input, { format: flags.format, longWindows: flags.longWindows, emitTests: flags.emitTests === true });
      const result = await writeCompiledRules(flags.out, compiled);
      const lines = [
        `compiled ${plural(input.slos.length, 'SLO')} and ${plural(input.inlineRules.length, 'inline rule')} into ${flags.out}: ` +
          `${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed`,
        ...result.written.map((path) => `  written   ${path}`),
        ...result.removed.map((path) => `  removed   ${path}`),
        ...(compiled.skippedTests ?? []).map((skip) => `  no test for ${skip.slo}: ${skip.reason}`),
      ];
      if (flags.commit) {
        const { commitCompiledRules, compiledNames, summarizeNames } = await import('../../slo-compiler/git-commit.js');
        const hash = await commitCompiledRules({
          outDir: flags.out,
          changed: [...result.written, ...result.removed],
          summary: summarizeNames(compiledNames(input)),
          logger: context.createLogger('compile'),
        });
        lines.push(hash ? `committed ${hash}` : 'nothing to commit: the rules did not change');
      }
      context.stdout(`${lines.join('\n')}\n`);
    });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
