import { noConfig } from './config-schemas.js';
import { unchanged, type SloPlugin } from './plugin.js';

/**
 * `sloth.dev/core/validate/v1`: the SLO is valid and its queries are PromQL. metricops checks everything when it
 * reads the spec; this plugin's presence in the chain is what makes the queries be parsed as PromQL there (Sloth's
 * `validation.ValidateSLO` with the PromQL dialect). A chain without it (overridePrevious) skips the syntax check.
 */
export const coreValidate: SloPlugin<undefined> = {
  id: 'sloth.dev/core/validate/v1',
  config: noConfig,
  validates: 'promql',
  process: unchanged,
};
