import { boolean, object, optional, string, type Infer } from '../inputs/schema.js';
import { unchanged, type SloPlugin } from './plugin.js';

const config = optional(object({ msg: optional(string), result: optional(boolean), request: optional(boolean) }));

/**
 * `sloth.dev/core/debug/v1`: in Sloth, logs `msg` (and the request or result) at debug level while generating. The
 * rules are unchanged; metricops checks the config and logs nothing (compilation is a pure function).
 */
export const coreDebug: SloPlugin<Infer<typeof config>> = {
  id: 'sloth.dev/core/debug/v1',
  config,
  process: unchanged,
};
