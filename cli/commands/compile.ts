import { Option, type Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CompileOptions } from '../../slo-compiler/compile.js';
import { addSpecOptions, type SpecFlags } from '../../slo-compiler/inputs/spec-flags.js';
import { addRulerOptions, parseRulerOptions, type RulerFlags, type RulerOptions } from '../../slo-compiler/ruler/ruler-options.js';
import type { RuleGroup } from '../../slo-compiler/rules/rule.js';
import type { CliContext } from '../context.js';
import { clusterFlag } from '../flags.js';

interface CompileFlags extends RulerFlags, SpecFlags {
  out?: string;
  format: CompileOptions['format'];
  longWindows: CompileOptions['longWindows'] | keyof typeof DEPRECATED_LONG_WINDOWS;
  layout: NonNullable<CompileOptions['layout']>;
  emitTests?: boolean;
  commit?: boolean;
  clusterLabel?: string;
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
 * `metricops compile PATH... --out DIR`: loadSpecs -> compile -> writeCompiledRules [-> commit] -> summary;
 * with --ruler-url the groups also go to a Cortex/Mimir ruler (--out is then optional).
 * The compiler is loaded when the command runs, so other commands and --help do not pay for it.
 */
export function registerCompileCommand(program: Command, context: CliContext): void {
  const command = program
    .command('compile')
    .description('compile SLO specs (metricops, Sloth prometheus/v1 and PrometheusServiceLevel, OpenSLO v1 and v1alpha, Deployments with metricops.io/rule) into Prometheus rules')
    .argument('<paths...>', 'spec files or directories (read recursively: *.yaml, *.yml)')
    .option('-o, --out <dir>', 'directory to write the rule files to (created when missing); required unless --ruler-url is given')
    .addOption(new Option('--format <format>', 'plain Prometheus rule files or prometheus-operator PrometheusRule objects').choices(['prometheus', 'operator']).default('prometheus'))
    .addOption(
      new Option('--long-windows <mode>', 'counts: every window and the period are errors/events, cheaply from recorded rates; sloth: Sloth\'s expressions exactly')
        .choices(['counts', 'sloth', ...Object.keys(DEPRECATED_LONG_WINDOWS)])
        .default('counts'),
    )
    .addOption(
      new Option('--layout <layout>', 'slo: one rule file per SLO, named after it; input: one per input file, at its path under the input folder (Sloth\'s layout)')
        .choices(['slo', 'input'])
        .default('slo'),
    )
    .option('--emit-tests', 'also write promtool unit tests per SLO under <out>/tests/')
    .option('--commit', 'commit the changed rule files in the Git repository that contains --out')
    .option('--cluster-label <name>', 'add the label cluster=<name> to every generated rule (as an SLO label, like Sloth) and inline rule, for many clusters behind one Alertmanager');
  addSpecOptions(command);
  addRulerOptions(command)
    .action(async (paths: string[], flags: CompileFlags) => {
      const ruler = parseRulerOptions(flags);
      if (flags.out === undefined && ruler === undefined) throw new UsageError('--out is required: give the directory to write the rule files to (or --ruler-url to load them into a ruler)');
      if (flags.out === undefined && (flags.commit || flags.emitTests)) throw new UsageError(`--${flags.commit ? 'commit' : 'emit-tests'} needs --out: it works on the written rule files`);
      const clusterLabel = flags.clusterLabel === undefined ? {} : { clusterLabel: clusterFlag('--cluster-label', flags.clusterLabel) };
      // One after the other: they share modules, and jest's ESM loader fails on concurrent imports of shared modules.
      const { loadSpecs } = await import('../../slo-compiler/inputs/load.js');
      const { compile } = await import('../../slo-compiler/compile.js');
      const { writeCompiledRules } = await import('../../slo-compiler/output/write.js');
      let longWindows = flags.longWindows;
      if (longWindows === 'exact' || longWindows === 'reuse') {
        const { mode, why } = DEPRECATED_LONG_WINDOWS[longWindows];
        context.stderr(`warning: --long-windows ${longWindows} is deprecated: use --long-windows ${mode} (${why})\n`);
        longWindows = mode;
      }
      const { parseSpecOptions } = await import('../../slo-compiler/inputs/spec-options.js');
      const input = await loadSpecs(paths, await parseSpecOptions(flags));
      const compiled = compile(input, { format: flags.format, longWindows, layout: flags.layout, emitTests: flags.emitTests === true, ...clusterLabel });
      if (flags.out === undefined) {
        context.stdout(`compiled ${plural(input.slos.length, 'SLO')} and ${plural(input.inlineRules.length, 'inline rule')} into ${plural(compiled.groups.length, 'rule group')}\n`);
        await loadRules(ruler!, compiled.groups, context);
        return;
      }
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
      if (ruler) await loadRules(ruler, compiled.groups, context);
    });
}

/** The ruler part: sync, print the summary, fail (exit 1) when the ruler did not take everything. */
async function loadRules(ruler: RulerOptions, groups: readonly RuleGroup[], context: CliContext): Promise<void> {
  // One after the other: they share modules, and jest's ESM loader fails on concurrent imports of shared modules.
  const { loadIntoRuler } = await import('../../slo-compiler/ruler/load-into-ruler.js');
  const { assertRulerComplete, formatRulerResult } = await import('../../slo-compiler/ruler/ruler-report.js');
  const result = await loadIntoRuler(ruler, groups, context.createLogger('compile'));
  context.stdout(formatRulerResult(result));
  assertRulerComplete(result);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
