import { MetricopsError } from '../../common/errors.js';

/** A group metricops compiled: its name, its canonical form (canonical-group.ts), and the group itself, to post. */
export interface DesiredGroup<Group = unknown> {
  name: string;
  canonical: string;
  group: Group;
}

/** A group the ruler holds in the namespace: its canonical form, or null when the ruler's copy is not a valid group. */
export interface CurrentGroup {
  name: string;
  canonical: string | null;
}

export interface RulerPlan<Group = unknown> {
  /** Compiled groups the ruler does not have. */
  create: DesiredGroup<Group>[];
  /** Compiled groups the ruler holds in another form. */
  update: DesiredGroup<Group>[];
  /** metricops' groups on the ruler that nothing compiles any more. */
  delete: string[];
  unchanged: string[];
  /** Groups in the namespace that metricops did not generate: never changed. */
  foreign: string[];
}

export class DuplicateGroupError extends MetricopsError {}

/**
 * Pure: what to send so the ruler's namespace holds exactly the compiled groups. Groups compare by canonical form,
 * so an unchanged group is never posted; only groups `isOwned` accepts are deleted. Names are sorted in every list.
 */
export function planRulerSync<Group>(desired: readonly DesiredGroup<Group>[], current: readonly CurrentGroup[], isOwned: (name: string) => boolean): RulerPlan<Group> {
  const wanted = new Map<string, DesiredGroup<Group>>();
  for (const group of desired) {
    if (wanted.has(group.name)) throw new DuplicateGroupError(`two compiled rule groups are named "${group.name}": a ruler namespace holds one group per name`);
    wanted.set(group.name, group);
  }
  const held = new Map(current.map((group) => [group.name, group]));
  const plan: RulerPlan<Group> = { create: [], update: [], delete: [], unchanged: [], foreign: [] };
  for (const group of [...wanted.values()].sort(byName)) {
    const existing = held.get(group.name);
    if (!existing) plan.create.push(group);
    else if (existing.canonical === group.canonical) plan.unchanged.push(group.name);
    else plan.update.push(group);
  }
  for (const name of [...held.keys()].sort(compareText)) {
    if (wanted.has(name)) continue;
    if (isOwned(name)) plan.delete.push(name);
    else plan.foreign.push(name);
  }
  return plan;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName(a: { name: string }, b: { name: string }): number {
  return compareText(a.name, b.name);
}
