import { UsageError } from '../../common/errors.js';
import { formatFieldPath } from '../../common/field-path.js';
import { loadAlertWindows } from './alert-windows.js';
import type { DocumentIssue } from './document-issue.js';
import type { LoadOptions } from './load.js';
import { checkDeclaration, type AppPlugins } from './plugin-chain.js';
import type { SpecFlags } from './spec-flags.js';

/**
 * The spec flags, checked, as load options: a bad flag is a UsageError naming it and saying what to write; the
 * windows folder is read now (its problems are InvalidInputError, located in its files). `root` resolves a relative
 * windows folder (sync: the repository root).
 */
export async function parseSpecOptions(flags: SpecFlags, resolvePath: (path: string) => string = (path) => path): Promise<LoadOptions> {
  const windowFlags = [flags.defaultWindow && ['--default-window', flags.defaultWindow], flags.defaultSloPeriod && ['--default-slo-period', flags.defaultSloPeriod]].filter(Boolean) as Array<[string, string]>;
  if (windowFlags.length === 2 && windowFlags[0]![1] !== windowFlags[1]![1]) {
    throw new UsageError(`--default-window ${flags.defaultWindow} and --default-slo-period ${flags.defaultSloPeriod} disagree: they are the same setting, give one`);
  }
  const options: LoadOptions = {};
  if (windowFlags.length > 0) options.defaultWindow = windowFlags[0]![1];
  if (flags.minEvents !== undefined) {
    const count = Number(flags.minEvents);
    if (!/^\d+$/.test(flags.minEvents.trim()) || count < 1) throw new UsageError(`--min-events "${flags.minEvents}" is not a whole number of events of at least 1: write e.g. --min-events 100`);
    options.minEvents = count;
  }
  const appPlugins = parseAppPlugins(flags.sloPlugins ?? [], flags.disableDefaultSloPlugins === true);
  if (appPlugins.plugins.length > 0 || appPlugins.disableDefaults) options.appPlugins = appPlugins;
  if (flags.sloPeriodWindowsPath !== undefined) {
    const dir = resolvePath(flags.sloPeriodWindowsPath);
    options.windowCatalog = await loadAlertWindows(dir);
    options.skip = dir;
  }
  return options;
}

/** Sloth's `--slo-plugins` JSON declarations, each checked as a chain entry would be. */
export function parseAppPlugins(declarations: readonly string[], disableDefaults: boolean): AppPlugins {
  const plugins = declarations.map((text, index) => {
    const flag = `--slo-plugins #${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${flag} is not JSON (${(error as Error).message}): write '{"id": "sloth.dev/contrib/rule_intervals/v1", "config": {"interval": {"default": "1m"}}}'`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { id?: unknown }).id !== 'string') {
      throw new UsageError(`${flag} must be a JSON object with an "id" (and optional "priority" and "config"), e.g. '{"id": "sloth.dev/core/noop/v1"}'`);
    }
    const { id, priority = 0, config, ...rest } = value as { id: string; priority?: unknown; config?: unknown };
    if (Object.keys(rest).length > 0) throw new UsageError(`${flag}: unknown field "${Object.keys(rest)[0]}": allowed fields are id, priority, config`);
    if (typeof priority !== 'number' || !Number.isInteger(priority)) throw new UsageError(`${flag}: "priority" must be a whole number (lower runs first; below 0 before the default plugins)`);
    const issues: DocumentIssue[] = [];
    const step = checkDeclaration({ id, config }, [], issues);
    if (!step) throw new UsageError(`${flag}: ${issues.map((issue) => `${formatFieldPath(issue.path) || 'plugin'}: ${issue.message}`).join('; ')}`);
    return { id, priority, where: flag, ...(step.config !== undefined ? { config: step.config } : {}) };
  });
  return { plugins, disableDefaults };
}
