import { noConfig } from './config-schemas.js';
import { unchanged, type SloPlugin } from './plugin.js';

/** `sloth.dev/core/noop/v1`: does nothing (Sloth uses it to stand in for disabled steps). */
export const coreNoop: SloPlugin<undefined> = {
  id: 'sloth.dev/core/noop/v1',
  config: noConfig,
  process: unchanged,
};
