import { parseDuration } from '../../common/duration.js';
import { MetricopsError } from '../../common/errors.js';

/** A rule group the ruler returned that is not a rule group (no name, rules not a list...). */
export class RuleGroupShapeError extends MetricopsError {}

/**
 * A rule group reduced to what the ruler evaluates, as one comparable string: durations in milliseconds (the
 * ruler answers `1m30s` for our `90s`), label and annotation maps sorted, empty maps and zero values dropped
 * (the ruler leaves them out), scalars as strings. Two groups that evaluate alike give the same string, so an
 * unchanged group is never posted again. Fields metricops does not write but the ruler holds (`source_tenants`,
 * a `limit`, group labels...) stay in, so a group someone edited by hand compares different and is put back.
 */
export function canonicalGroup(group: unknown): string {
  if (!isObject(group) || typeof group.name !== 'string' || group.name === '') {
    throw new RuleGroupShapeError('not a rule group: it has no name');
  }
  if (!Array.isArray(group.rules)) throw new RuleGroupShapeError(`rule group "${group.name}": "rules" is not a list`);
  const { name, rules, interval, ...rest } = group;
  return JSON.stringify({
    name,
    interval: durationMs(interval, `rule group "${name}": interval`),
    other: otherFields(rest, `rule group "${name}"`),
    rules: rules.map((rule, index) => canonicalRule(rule, `rule group "${name}", rule ${index}`)),
  });
}

function canonicalRule(rule: unknown, where: string): unknown {
  if (!isObject(rule)) throw new RuleGroupShapeError(`${where} is not a rule`);
  const { record, alert, expr, for: holdFor, keep_firing_for: keepFiringFor, labels, annotations, ...rest } = rule;
  return {
    record: optionalString(record),
    alert: optionalString(alert),
    expr: optionalString(expr),
    for: durationMs(holdFor, `${where}: for`),
    keepFiringFor: durationMs(keepFiringFor, `${where}: keep_firing_for`),
    labels: sortedMap(labels, `${where}: labels`),
    annotations: sortedMap(annotations, `${where}: annotations`),
    other: otherFields(rest, where),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

const ZERO_DURATION = /^0+(ms|s|m|h|d|w|y)?$/;

function durationMs(value: unknown, where: string): number {
  if (value === undefined || value === null || value === '' || value === 0) return 0;
  const text = String(value).trim();
  if (ZERO_DURATION.test(text)) return 0;
  try {
    return parseDuration(text);
  } catch (error) {
    throw new RuleGroupShapeError(`${where}: ${(error as Error).message}`);
  }
}

function sortedMap(value: unknown, where: string): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) throw new RuleGroupShapeError(`${where} is not a map`);
  return Object.entries(value)
    .map(([key, item]): [string, string] => [key, optionalString(item)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Fields other than the known ones, without empty values (the ruler omits those), keys sorted. */
function otherFields(fields: Record<string, unknown>, where: string): Array<[string, unknown]> {
  return Object.keys(fields)
    .filter((key) => !isEmpty(fields[key]))
    .sort()
    .map((key): [string, unknown] => [key, key === 'labels' ? sortedMap(fields[key], `${where}: ${key}`) : fields[key]]);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return typeof value === 'string' && ZERO_DURATION.test(value);
}
