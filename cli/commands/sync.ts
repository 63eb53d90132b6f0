import { Option, type Command } from 'commander';
import { InvalidInputError } from '../../common/errors.js';
import { addSpecOptions } from '../../slo-compiler/inputs/spec-flags.js';
import { addRulerOptions } from '../../slo-compiler/ruler/ruler-options.js';
import { DEFAULT_SCHEDULE } from '../../slo-compiler/sync/default-schedule.js';
import type { SyncFlags } from '../../slo-compiler/sync/sync-options.js';
import type { CliContext } from '../context.js';
import { clusterFlag } from '../flags.js';

/**
 * `metricops sync --repo URL|PATH --slo-dir DIR --out-dir DIR`: clone, pull, compile, commit and push the rules,
 * and with --ruler-url load them into a Cortex/Mimir ruler; once (--once) or on a cron schedule until SIGINT/SIGTERM.
 */
export function registerSyncCommand(program: Command, context: CliContext): void {
  const command = program
    .command('sync')
    .description('pull a Git repo, compile its SLOs, commit and push the rules on a schedule')
    .requiredOption('--repo <url|path>', 'Git repository holding the SLO specs (URL or local path); the rules are pushed back to it')
    .requiredOption('--slo-dir <dir>', 'folder of SLO specs, relative to the repository root')
    .option('--out-dir <dir>', 'folder for the generated rules, relative to the repository root (outside --slo-dir); required unless --ruler-url is given')
    .option('--branch <name>', 'branch to pull from and push to', 'main')
    .option('--schedule <cron>', 'cron expression: when to sync', DEFAULT_SCHEDULE)
    .option('--once', 'run a single sync and exit: 0 synced, 1 invalid specs or Git failure')
    .option('--workdir <dir>', 'where to keep the clone (reused across runs); default ~/.cache/metricops/sync/<repo>')
    .addOption(new Option('--format <format>', 'plain Prometheus rule files or prometheus-operator PrometheusRule objects').choices(['prometheus', 'operator']).default('prometheus'))
    .addOption(new Option('--layout <layout>', 'slo: one rule file per SLO; input: one per spec file, at its path under --slo-dir (Sloth\'s layout)').choices(['slo', 'input']))
    .option('--cluster-label <name>', 'add the label cluster=<name> to every generated rule, as compile --cluster-label does');
  addSpecOptions(command);
  addRulerOptions(command)
    .action(async (flags: SyncFlags) => {
      const [{ parseSyncOptions }, { defaultGitFactory, RuleSync }, { SyncLoop }] = await Promise.all([
        import('../../slo-compiler/sync/sync-options.js'),
        import('../../slo-compiler/sync/rule-sync.js'),
        import('../../slo-compiler/sync/sync-loop.js'),
      ]);
      // After the others, one after the other: they share modules, and jest's ESM loader fails on concurrent imports of shared modules.
      const { loadIntoRuler } = await import('../../slo-compiler/ruler/load-into-ruler.js');
      const { assertRulerComplete, formatRulerResult } = await import('../../slo-compiler/ruler/ruler-report.js');
      if (flags.clusterLabel !== undefined) clusterFlag('--cluster-label', flags.clusterLabel);
      const options = parseSyncOptions(flags, { cacheDir: process.env.METRICOPS_CACHE });
      const logger = context.createLogger('sync');
      const sync = new RuleSync({ options, logger, clock: context.clock, git: defaultGitFactory(logger), ruler: loadIntoRuler });
      if (!options.once) {
        await new SyncLoop(sync, options.schedule, logger).run(context.stopSignal);
        return;
      }
      const outcome = await sync.runOnce();
      if (outcome.status === 'invalid') throw new InvalidInputError(outcome.issues);
      if (options.outDir !== undefined) {
        context.stdout(
          outcome.status === 'committed'
            ? `committed and pushed ${outcome.commit}: ${outcome.changed.length} rule file(s) changed\n${outcome.changed.map((path) => `  ${path}`).join('\n')}\n`
            : `rules up to date${outcome.pushed ? ' (pushed commits left from an earlier run)' : ''}: nothing to commit\n`,
        );
      }
      if (outcome.ruler) {
        context.stdout(formatRulerResult(outcome.ruler));
        assertRulerComplete(outcome.ruler);
      }
    });
}
