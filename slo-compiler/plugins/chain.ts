import type { PluginStep } from '../model.js';
import type { PluginRequest, SloRules } from './plugin.js';
import { DEFAULT_PLUGIN_IDS, sloPlugin } from './registry.js';

/** One declared plugin, anywhere (the command line, a spec's group chain, an SLO's chain). */
export interface PluginDeclaration<Where = unknown> {
  id: string;
  config?: unknown;
  priority: number;
  /** Where it was declared, for messages (a field path, or the flag). */
  where: Where;
}

/** A spec's `slo_plugins`/`sloPlugins` block, or an SLO's `plugins` block. */
export interface PluginBlock<Where = unknown> {
  overridePrevious: boolean;
  chain: Array<PluginDeclaration<Where>>;
}

/**
 * Sloth's chain order (internal/app/generate/generate.go): the command line's plugins (unless a block overrides
 * them), the group's (unless the SLO's block overrides them) and the SLO's, stably sorted by priority; those below
 * 0 run before the default plugins, the others after; an override (or --disable-default-slo-plugins) drops the
 * defaults. `'defaults'` marks where they run.
 */
export function chainOrder<Where>(
  app: ReadonlyArray<PluginDeclaration<Where>>, disableDefaults: boolean, group?: PluginBlock<Where>, slo?: PluginBlock<Where>,
): { order: Array<PluginDeclaration<Where> | 'default'>; overridden: boolean } {
  let declared = [...(group?.chain ?? [])];
  let overridden = group?.overridePrevious ?? false;
  if (slo?.overridePrevious) {
    declared = [];
    overridden = true;
  }
  declared.push(...(slo?.chain ?? []));
  const all = overridden ? declared : [...app, ...declared];
  const sorted = all.map((declaration, index) => ({ declaration, index })).sort((a, b) => a.declaration.priority - b.declaration.priority || a.index - b.index);
  const before = sorted.filter(({ declaration }) => declaration.priority < 0).map(({ declaration }) => declaration);
  const after = sorted.filter(({ declaration }) => declaration.priority >= 0).map(({ declaration }) => declaration);
  const defaults = overridden || disableDefaults ? [] : (['default'] as const);
  return { order: [...before, ...defaults, ...after], overridden };
}

export const DEFAULT_CHAIN: readonly PluginStep[] = DEFAULT_PLUGIN_IDS.map((id) => ({ id }));

/** The query dialect the chain validates SLI queries in: PromQL (the default validate plugin), MetricsQL, or none. */
export function chainDialect(steps: readonly PluginStep[]): 'promql' | 'metricsql' | 'none' {
  const dialects = steps.map((step) => sloPlugin(step.id)?.validates).filter((dialect) => dialect !== undefined);
  return dialects.includes('metricsql') ? 'metricsql' : dialects.includes('promql') ? 'promql' : 'none';
}

/** Whether a plugin of the chain replaces the SLI rules (the SLO is then generated with Sloth's expressions). */
export function chainRewritesSli(steps: readonly PluginStep[]): boolean {
  return steps.some((step) => sloPlugin(step.id)?.rewritesSli === true);
}

/** Runs the chain's steps in order, each a pure function of the rules before it. */
export function runChain(steps: readonly PluginStep[], request: PluginRequest, empty: SloRules): SloRules {
  return steps.reduce((rules, step) => {
    const plugin = sloPlugin(step.id);
    if (!plugin) throw new RangeError(`unknown SLO plugin ${step.id} (the input check should have refused it)`);
    return plugin.process(request, rules, step.config);
  }, empty);
}
