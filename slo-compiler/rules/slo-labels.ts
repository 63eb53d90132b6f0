import type { Slo } from '../model.js';

/** Label names Sloth puts on every rule; its Grafana dashboards select by them. */
export const SlothLabels = {
  id: 'sloth_id',
  service: 'sloth_service',
  slo: 'sloth_slo',
  window: 'sloth_window',
  severity: 'sloth_severity',
} as const;

/** The labels that identify one SLO's series (sloth_id, sloth_service, sloth_slo). */
export function sloIdLabels(slo: Slo): Record<string, string> {
  return { [SlothLabels.id]: slo.slothId, [SlothLabels.service]: slo.service, [SlothLabels.slo]: slo.slothSlo };
}

/** The matcher block of the SLO's id labels (labelFilter of sloIdLabels): every generated expression selects by it. */
export function sloFilter(slo: Slo): string {
  return `{${SlothLabels.id}=${JSON.stringify(slo.slothId)}, ${SlothLabels.service}=${JSON.stringify(slo.service)}, ${SlothLabels.slo}=${JSON.stringify(slo.slothSlo)}}`;
}

/** A PromQL label matcher block in Sloth's spelling: {sloth_id="a", sloth_service="b", sloth_slo="c"}. */
export function labelFilter(labels: Record<string, string>): string {
  const matchers = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${matchers.join(', ')}}`;
}

/** Merges label maps left to right (later wins), returning keys sorted for deterministic output. */
export function mergeLabels(...maps: Array<Record<string, string> | undefined>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const map of maps) if (map) Object.assign(merged, map);
  const keys = Object.keys(merged).sort();
  const sorted: Record<string, string> = {};
  for (const key of keys) sorted[key] = merged[key]!;
  return sorted;
}
