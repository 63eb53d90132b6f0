import { metadataRecordingRules } from '../rules/metadata-rules.js';
import { noConfig } from './config-schemas.js';
import type { SloPlugin } from './plugin.js';

/** `sloth.dev/core/metadata_rules/v1`: objective, error budget, period, burn rates, budget remaining, sloth_slo_info. */
export const coreMetadataRules: SloPlugin<undefined> = {
  id: 'sloth.dev/core/metadata_rules/v1',
  config: noConfig,
  process({ slo, periodMs, windows, info }, rules) {
    return { ...rules, metadata: { ...rules.metadata, rules: metadataRecordingRules(slo, periodMs, windows, info) } };
  },
};
