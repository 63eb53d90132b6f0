import { Option, type Command } from 'commander';
import type { CompileOptions } from '../../slo-compiler/compile.js';
import type { CliContext } from '../context.js';

interface CompileFlags {
  out: string;
  format: CompileOptions['format'];
  longWindows: CompileOptions['longWindows'] | keyof typeof DEPRECATED_LONG_WINDOWS;
  emitTests?: boolean;
  commit?: boolean;
  defaultWindow?: string;
}

/**
 * Earlier names of the --long-windows modes, still accepted (scripts use them) with a warning on stderr:
 * `exact` was Sloth's expressions (now `sloth`, same output); `reuse` summed recorded rates (now `counts`, the default).
 */
const DEPRECATED_LONG_WINDOWS = {
  exact: { mode: 'sloth', why: 'it produced Sloth\'s expressions, which `sloth` produces unchanged' },
  reuse: { mode: 'counts', why: '`counts` computes every window from counts as `reuse` did, and the period for less' },
} as const;

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
    .addOption(
      new Option('--long-windows <mode>', 'counts: every window and the period are errors/events, cheaply from recorded rates; sloth: Sloth\'s expressions exactly')
        .choices(['counts', 'sloth', ...Object.keys(DEPRECATED_LONG_WINDOWS)])
        .default('counts'),
    )
    .option('--emit-tests', 'also write promtool unit tests per SLO under <out>/tests/')
    .option('--commit', 'commit the changed rule files in the Git repository that contains --out')
    .option('--default-window <duration>', 'SLO period for specs that give none (Sloth specs)', '30d')
    .action(async (paths: string[], flags: CompileFlags) => {
      const [{ loadSpecs }, { compile }, { writeCompiledRules }] = await Promise.all([
        import('../../slo-compiler/spec/load.js'),
        import('../../slo-compiler/compile.js'),
        import('../../slo-compiler/output/write.js'),
      ]);
      let longWindows = flags.longWindows;
      if (longWindows === 'exact' || longWindows === 'reuse') {
        const { mode, why } = DEPRECATED_LONG_WINDOWS[longWindows];
        context.stderr(`warning: --long-windows ${longWindows} is deprecated: use --long-windows ${mode} (${why})\n`);
        longWindows = mode;
      }
      const input = await loadSpecs(paths, { defaultWindow: flags.defaultWindow });
      const compiled = compile(input, { format: flags.format, longWindows, emitTests: flags.emitTests === true });
      const result = await writeCompiledRules(flags.out, compiled);
      const lines = [
        `compiled ${plural(input.slos.length, 'SLO')} and ${plural(input.inlineRules.length, 'inline rule')} into ${flags.out}: ` +
          `${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed`,
        ...result.written.map((path) => `  written   ${path}`),
        ...result.removed.map((path) => `  removed   ${path}`),
        ...(compiled.skippedTests ?? []).map((skip) => `  no test for ${skip.slo}: ${skip.reason}`),
      ];
      if (flags.commit) {
        const { commitCompiledRules, summarizeNames } = await import('../../slo-compiler/git-commit.js');
        const names = [...input.slos.map((slo) => slo.name), ...input.inlineRules.map((rule) => `${rule.namespace}/${rule.deployment}`)];
        const hash = await commitCompiledRules({
          outDir: flags.out,
          changed: [...result.written, ...result.removed],
          summary: summarizeNames(names),
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
