import { noConfig } from './config-schemas.js';
import { unchanged, type SloPlugin } from './plugin.js';

/**
 * `sloth.dev/contrib/validate_victoria_metrics/v1`: the SLI queries are MetricsQL (VictoriaMetrics), not PromQL.
 * metricops has no MetricsQL parser: the queries must contain the window template and have balanced brackets and
 * quotes; the PromQL syntax check and the emitted promtool tests are left out. Put it first in an
 * `overridePrevious` chain with the rule plugins after it (Sloth's README).
 */
export const contribValidateVictoriaMetrics: SloPlugin<undefined> = {
  id: 'sloth.dev/contrib/validate_victoria_metrics/v1',
  config: noConfig,
  validates: 'metricsql',
  process: unchanged,
};
