import type { Logger } from '../../common/logger.js';
import type { RuleGroup } from '../rules/rule.js';
import { DEFAULT_RULER_CLIENT_SETTINGS, RulerClient, type RulerClientDependencies, type RulerClientSettings } from './ruler-client.js';
import { rulerAuthorization } from './ruler-credentials.js';
import type { RulerOptions } from './ruler-options.js';
import { syncRuler, type RulerSyncResult } from './ruler-sync.js';

/** Requests in flight at once: enough to hide a remote ruler's latency, few enough not to crowd it. */
export const RULER_CONCURRENCY = 8;

export interface LoadIntoRulerDependencies extends Partial<Omit<RulerClientDependencies, 'logger'>> {
  clientSettings?: RulerClientSettings;
  concurrency?: number;
}

/** One sync of the compiled groups into the ruler the flags name; credentials are read now (rotation needs no restart). */
export async function loadIntoRuler(options: RulerOptions, groups: readonly RuleGroup[], logger: Logger, dependencies: LoadIntoRulerDependencies = {}): Promise<RulerSyncResult> {
  const authorization = await rulerAuthorization(options.credentials);
  const client = new RulerClient(
    { rulesUrl: options.rulesUrl, ...(options.tenant !== undefined ? { tenant: options.tenant } : {}), ...(authorization !== undefined ? { authorization } : {}) },
    dependencies.clientSettings ?? DEFAULT_RULER_CLIENT_SETTINGS,
    { logger, ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}), ...(dependencies.sleep ? { sleep: dependencies.sleep } : {}) },
  );
  return syncRuler(groups, client, { namespace: options.namespace, concurrency: dependencies.concurrency ?? RULER_CONCURRENCY }, logger);
}
