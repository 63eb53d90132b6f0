import type { FieldPath } from '../../common/field-path.js';
import type { PluginStep, Slo } from '../model.js';
import { chainOrder, type PluginBlock, type PluginDeclaration } from '../plugins/chain.js';
import { closestPluginId, DEFAULT_PLUGIN_IDS, SLO_PLUGINS, sloPlugin } from '../plugins/registry.js';
import type { DocumentIssue } from './document-issue.js';
import { array, boolean, INVALID, nonEmptyString, number, object, optional, refine, unknown, type Infer, type Schema } from './schema.js';

/** A plugin declared on the command line (`--slo-plugins`), its ID and config already checked. */
export interface AppPlugins {
  plugins: Array<PluginDeclaration<string> & { config?: unknown }>;
  /** `--disable-default-slo-plugins`. */
  disableDefaults: boolean;
}

export const NO_APP_PLUGINS: AppPlugins = { plugins: [], disableDefaults: false };

const integer = refine(number, Number.isInteger, (value) => `priority ${value} is not a whole number: use an integer (lower runs first; below 0 runs before the default plugins)`);

const declaration = object({ id: nonEmptyString, config: unknown, priority: optional(integer) });

/** Sloth's `slo_plugins`/`sloPlugins` (spec) and `plugins` (SLO) block: `overridePrevious` and a `chain`. */
export const pluginBlock = object({ overridePrevious: optional(boolean), chain: optional(array(declaration)) });

export type PluginBlockSpec = Infer<typeof pluginBlock>;

/** A checked block, each declaration knowing its field path. */
export function declaredBlock(block: PluginBlockSpec | undefined, path: FieldPath): PluginBlock<FieldPath> | undefined {
  if (block === undefined) return undefined;
  return {
    overridePrevious: block.overridePrevious ?? false,
    chain: (block.chain ?? []).map((entry, index) => ({ id: entry.id, config: entry.config, priority: entry.priority ?? 0, where: [...path, 'chain', index] })),
  };
}

/** What to write instead of an unknown plugin ID. */
export function unknownPluginMessage(id: string): string {
  const closest = closestPluginId(id);
  const known = [...SLO_PLUGINS.keys()].join(', ');
  return (
    `unknown SLO plugin "${id}"${closest ? ` (did you mean "${closest}"?)` : ''}: metricops runs Sloth's own plugins natively (${known}) ` +
    'and cannot load Go plugins: use one of these, or remove it and write the extra rules in a rule file of your own next to the generated ones'
  );
}

/** Checks one declaration's ID and config; the plugin step, or undefined (the problems are in `issues`). */
export function checkDeclaration(entry: { id: string; config?: unknown }, path: FieldPath, issues: DocumentIssue[]): PluginStep | undefined {
  const plugin = sloPlugin(entry.id);
  if (!plugin) {
    issues.push({ path: [...path, 'id'], message: unknownPluginMessage(entry.id) });
    return undefined;
  }
  const config = (plugin.config as Schema<unknown>).check(entry.config === null ? undefined : entry.config, [...path, 'config'], issues);
  return config === INVALID ? undefined : { id: entry.id, ...(config !== undefined ? { config } : {}) };
}

/**
 * One SLO's chain in run order (Sloth's order, plugins/chain.ts), every declaration checked where it is written;
 * undefined when a declaration is wrong (problems in `issues`). `overridePath` is where a group or SLO block
 * overrides: an override with nothing to run is refused there.
 */
export function sloPluginSteps(
  app: AppPlugins, group: PluginBlock<FieldPath> | undefined, slo: PluginBlock<FieldPath> | undefined, blockPaths: { group?: FieldPath; slo?: FieldPath }, issues: DocumentIssue[],
): PluginStep[] | undefined {
  const appDeclarations = app.plugins.map((plugin) => ({ ...plugin, where: plugin.where as string | FieldPath }));
  const { order, overridden } = chainOrder<string | FieldPath>(appDeclarations, app.disableDefaults, group, slo);
  const found: DocumentIssue[] = [];
  if (overridden && order.length === 0) {
    const path = slo?.overridePrevious ? blockPaths.slo! : blockPaths.group!;
    found.push({ path: [...path, 'overridePrevious'], message: 'overridePrevious drops the default plugins, but no plugin is left to run: list the plugins to run in chain (e.g. sloth.dev/core/sli_rules/v1, sloth.dev/core/metadata_rules/v1, sloth.dev/core/alert_rules/v1)' });
  }
  const steps: PluginStep[] = [];
  for (const entry of order) {
    if (entry === 'default') {
      steps.push(...DEFAULT_PLUGIN_IDS.map((id) => ({ id })));
    } else if (typeof entry.where === 'string') {
      steps.push({ id: entry.id, ...(entry.config !== undefined ? { config: entry.config } : {}) });
    } else {
      const step = checkDeclaration(entry, entry.where, found);
      if (step) steps.push(step);
    }
  }
  if (steps.length === 0 && found.length === 0 && app.disableDefaults) {
    found.push({ path: [], message: '--disable-default-slo-plugins leaves this SLO no plugin to run: declare the plugins to run (--slo-plugins or the spec\'s chain)' });
  }
  issues.push(...found);
  return found.length > 0 ? undefined : steps;
}

/** What the chain's plugins need from the SLO (e.g. an SLI that counts events), checked once the SLO is read. */
export function checkPluginRequirements(slo: Slo, steps: readonly PluginStep[], path: FieldPath): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  for (const step of steps) {
    const why = sloPlugin(step.id)?.requires?.(slo, step.config);
    if (why !== undefined) issues.push({ path, message: `SLO plugin ${step.id} ${why}` });
  }
  return issues;
}

