import { formatLocation, type InputIssue, type InputLocation } from '../../common/errors.js';
import { parseFieldPath } from '../../common/field-path.js';
import { inlineRuleKey, type InlineRule, type Slo } from '../model.js';
import type { Locator } from './locate.js';

type FindLocator = (location: InputLocation) => Locator | undefined;

/**
 * SLO names are the `slo` alert label, so they must be unique across all inputs (whatever the namespace); a
 * Deployment may carry one inline rule. Each duplicate is reported where it is, naming the first place.
 */
export function findDuplicates(slos: readonly Slo[], inlineRules: readonly InlineRule[], findLocator: FindLocator): InputIssue[] {
  const issues: InputIssue[] = [];
  const firstSlo = new Map<string, Slo>();
  for (const slo of slos) {
    const first = firstSlo.get(slo.name);
    if (!first) {
      firstSlo.set(slo.name, slo);
      continue;
    }
    issues.push({
      ...withLine(slo.location, findLocator),
      message: `duplicate SLO name "${slo.name}", also defined at ${place(withLine(first.location, findLocator))}: SLO names (the "slo" alert label) must be unique across all inputs; rename one`,
    });
  }
  const firstRule = new Map<string, InlineRule>();
  for (const rule of inlineRules) {
    const key = inlineRuleKey(rule);
    const first = firstRule.get(key);
    if (!first) {
      firstRule.set(key, rule);
      continue;
    }
    issues.push({
      ...withLine(rule.location, findLocator),
      message: `Deployment ${key} appears twice with an inline rule, also at ${place(withLine(first.location, findLocator))}: keep one manifest per Deployment`,
    });
  }
  return issues;
}

/** "a.yaml, document 0, line 4:9 (metadata.name)". */
function place(location: InputLocation): string {
  const { path, ...where } = location;
  return path ? `${formatLocation(where)} (${path})` : formatLocation(where);
}

function withLine(location: InputLocation, findLocator: FindLocator): InputLocation {
  const locator = findLocator(location);
  if (!locator || location.document === undefined || location.path === undefined) return location;
  const position = locator.locate(location.document, parseFieldPath(location.path));
  return position ? { ...location, line: position.line, column: position.column } : location;
}
