import { isAlertingRule, type Rule, type RuleGroup } from '../rules/rule.js';

/** Rules in Prometheus' rule-file field order; empty labels/annotations are left out. */
export function ruleToPlain(rule: Rule): Record<string, unknown> {
  const withFields = (head: Record<string, unknown>, rest: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0)) head[key] = value;
    }
    return head;
  };
  if (isAlertingRule(rule)) {
    return withFields({ alert: rule.alert, expr: rule.expr }, { for: rule.for, labels: rule.labels, annotations: rule.annotations });
  }
  return withFields({ record: rule.record, expr: rule.expr }, { labels: rule.labels });
}

export function groupsToPlain(groups: RuleGroup[]): Array<Record<string, unknown>> {
  return groups.map((group) => ({
    name: group.name,
    ...(group.interval === undefined ? {} : { interval: group.interval }),
    rules: group.rules.map(ruleToPlain),
  }));
}
