import { checkReservedLabels } from '../inputs/checks.js';
import { INVALID, isMapping, labelMap, type Schema } from '../inputs/schema.js';

/** Plugins that read no config (Sloth ignores one): a config block is refused, so a misplaced one is noticed. */
export const noConfig: Schema<undefined> = {
  expected: 'no config',
  optional: true,
  check(value, path, issues) {
    if (value === undefined || value === null || (isMapping(value) && Object.keys(value).length === 0)) return undefined;
    issues.push({ path, message: 'this plugin takes no config: remove the config block' });
    return INVALID;
  },
};

/**
 * Labels a plugin puts on rules: Prometheus label names (as every spec label; Sloth also takes UTF-8 names, which
 * Prometheus 2 refuses to load), and none that metricops sets itself or that marks a guarded Deployment.
 */
export function pluginLabels(why: string): Schema<Record<string, string>> {
  return {
    expected: labelMap.expected,
    optional: false,
    check(value, path, issues) {
      const labels = labelMap.check(value, path, issues);
      if (labels === INVALID) return INVALID;
      const reserved = checkReservedLabels(labels, path, why);
      issues.push(...reserved);
      return reserved.length > 0 ? INVALID : labels;
    },
  };
}
