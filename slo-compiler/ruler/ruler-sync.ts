import type { Logger } from '../../common/logger.js';
import { groupsToPlain } from '../output/rule-groups-yaml.js';
import { toYaml } from '../output/yaml.js';
import type { RuleGroup } from '../rules/rule.js';
import { canonicalGroup, RuleGroupShapeError } from './canonical-group.js';
import { isGeneratedGroupName } from './ownership.js';
import { RulerRequestError, type RulerClient } from './ruler-client.js';
import { planRulerSync, type CurrentGroup, type DesiredGroup } from './ruler-plan.js';

export type RulerAction = 'create' | 'update' | 'delete';

/** What one sync did to the ruler's namespace; every compiled or owned group is in exactly one list. */
export interface RulerSyncResult {
  rulesUrl: string;
  tenant?: string;
  namespace: string;
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
  /** Groups in the namespace metricops did not generate: left alone. */
  foreign: string[];
  /** Changes the ruler refused or that got no answer, with the ruler's answer. */
  failed: Array<{ group: string; action: RulerAction; reason: string }>;
  /** Changes not sent: the sync stopped (see `stopped`), or deletes held back because a write failed. */
  notSent: Array<{ group: string; action: RulerAction }>;
  /** Why the sync stopped before the end: the ruler was unavailable or refused metricops' identity. */
  stopped?: string;
  /** HTTP requests sent, retries included; `writes` counts the POSTs and DELETEs among them. */
  requests: number;
  writes: number;
}

export interface RulerSyncSettings {
  namespace: string;
  /** Requests in flight at once. */
  concurrency: number;
}

/** The compiled group as the plan compares it; its YAML is rendered only when it is posted. */
export function desiredGroup(group: RuleGroup): DesiredGroup<RuleGroup> {
  const [plain] = groupsToPlain([group]);
  return { name: group.name, canonical: canonicalGroup(plain), group };
}

/** The body of the POST: one group as in a rule file (`name`, `rules`). */
export function groupYaml(group: RuleGroup): string {
  return toYaml(groupsToPlain([group])[0]);
}

export function isComplete(result: RulerSyncResult): boolean {
  return result.failed.length === 0 && result.notSent.length === 0 && result.stopped === undefined;
}

/**
 * Makes the ruler's namespace hold exactly the compiled groups: reads the namespace once, plans (ruler-plan.ts),
 * then posts created and changed groups, then deletes metricops' groups nothing compiles any more. A group the
 * ruler refuses (4xx) is reported and the others go on; an unavailable ruler (after retries) or a refused identity
 * (401/403) stops the sync, and what was not sent is reported. Deletes wait for every write to succeed, so a
 * refused replacement never leaves a service without the rules it had. Never throws for the ruler's answers.
 */
export async function syncRuler(groups: readonly RuleGroup[], client: RulerClient, settings: RulerSyncSettings, logger: Logger): Promise<RulerSyncResult> {
  const { namespace } = settings;
  const result: RulerSyncResult = {
    rulesUrl: client.endpoint.rulesUrl, ...(client.endpoint.tenant !== undefined ? { tenant: client.endpoint.tenant } : {}), namespace,
    created: [], updated: [], deleted: [], unchanged: [], foreign: [], failed: [], notSent: [], requests: 0, writes: 0,
  };
  const finish = (): RulerSyncResult => {
    result.requests = client.requests;
    result.writes = client.writes;
    for (const list of [result.created, result.updated, result.deleted]) list.sort();
    result.failed.sort((a, b) => a.group.localeCompare(b.group));
    return result;
  };

  let current: CurrentGroup[];
  try {
    current = readCurrentGroups(await client.listGroups(namespace), logger);
  } catch (error) {
    if (!(error instanceof RulerRequestError)) throw error;
    result.stopped = `cannot read the namespace: ${error.message}`;
    logger.error({ namespace, err: error.message }, 'cannot read the ruler namespace: nothing sent');
    return finish();
  }
  const plan = planRulerSync(groups.map(desiredGroup), current, isGeneratedGroupName);
  result.unchanged = plan.unchanged;
  result.foreign = plan.foreign;
  if (plan.foreign.length > 0) {
    logger.warn({ namespace, groups: plan.foreign }, `ruler namespace "${namespace}" holds groups metricops did not generate: left alone`);
  }

  const writes = [
    ...plan.create.map((group) => ({ group, action: 'create' as const })),
    ...plan.update.map((group) => ({ group, action: 'update' as const })),
  ];
  await runPool(writes, settings.concurrency, () => result.stopped !== undefined, async ({ group, action }) => {
    await apply(result, group.name, action, () => client.setGroup(namespace, groupYaml(group.group)), logger);
  }, ({ group, action }) => result.notSent.push({ group: group.name, action }));

  if (result.stopped === undefined && result.failed.length > 0) {
    for (const name of plan.delete) result.notSent.push({ group: name, action: 'delete' });
    if (plan.delete.length > 0) logger.warn({ namespace, groups: plan.delete }, 'deletes held back: a write failed');
  } else {
    await runPool(plan.delete, settings.concurrency, () => result.stopped !== undefined, async (name) => {
      await apply(result, name, 'delete', () => client.deleteGroup(namespace, name), logger);
    }, (name) => result.notSent.push({ group: name, action: 'delete' }));
  }
  const done = finish();
  const counts = {
    namespace, created: done.created.length, updated: done.updated.length, deleted: done.deleted.length, unchanged: done.unchanged.length,
    failed: done.failed.length, notSent: done.notSent.length, requests: done.requests,
  };
  if (isComplete(done)) logger.info(counts, 'ruler in sync');
  else logger.error({ ...counts, stopped: done.stopped }, 'ruler sync incomplete: the next sync starts again from what the ruler holds');
  return done;
}

async function apply(result: RulerSyncResult, group: string, action: RulerAction, send: () => Promise<void>, logger: Logger): Promise<void> {
  try {
    await send();
    (action === 'create' ? result.created : action === 'update' ? result.updated : result.deleted).push(group);
    logger.debug({ group, action }, 'ruler group applied');
  } catch (error) {
    if (!(error instanceof RulerRequestError)) throw error;
    result.failed.push({ group, action, reason: error.message });
    logger.error({ group, action, err: error.message }, 'the ruler did not take a rule group');
    if (error.kind !== 'rejected') result.stopped ??= error.kind === 'unauthorized' ? `the ruler refused metricops' identity (${group})` : `the ruler is unavailable (${group})`;
  }
}

/** The ruler's groups by name; a group it holds in a form metricops cannot read compares as changed. */
function readCurrentGroups(groups: unknown[], logger: Logger): CurrentGroup[] {
  const current: CurrentGroup[] = [];
  for (const group of groups) {
    const name = (group as { name?: unknown })?.name;
    if (typeof name !== 'string' || name === '') {
      logger.warn('the ruler returned a rule group without a name: ignored');
      continue;
    }
    try {
      current.push({ name, canonical: canonicalGroup(group) });
    } catch (error) {
      if (!(error instanceof RuleGroupShapeError)) throw error;
      logger.warn({ group: name, err: error.message }, 'the ruler holds a rule group metricops cannot read: it compares as changed');
      current.push({ name, canonical: null });
    }
  }
  return current;
}

/** Runs `work` over `items` with at most `concurrency` at once; once `stop()` is true the rest go to `skipped`. */
async function runPool<T>(items: readonly T[], concurrency: number, stop: () => boolean, work: (item: T) => Promise<void>, skipped: (item: T) => void): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      if (stop()) skipped(item);
      else await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
