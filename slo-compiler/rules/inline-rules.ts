import { AlertLabels } from '../../common/contract.js';
import type { InlineRule } from '../model.js';
import type { AlertingRule } from './rule.js';

/** Alert name of every inline rule (a Deployment's `metricops.io/rule`); `namespace` and `deployment` tell them apart. */
export const INLINE_RULE_ALERT = 'MetricopsDeploymentRule';

export function inlineRuleLabels(rule: InlineRule): Record<string, string> {
  return { [AlertLabels.deployment]: rule.deployment, [AlertLabels.namespace]: rule.namespace, [AlertLabels.severity]: 'page' };
}

export function inlineAlertRule(rule: InlineRule): AlertingRule {
  // Annotations are Go templates: an expression containing braces pairs would not render, so it is left out.
  const expr = rule.expr.trim();
  const quoted = expr.includes('{{') || expr.includes('}}') ? '' : `: ${expr}`;
  return {
    alert: INLINE_RULE_ALERT,
    expr: rule.expr.trim(),
    for: rule.for,
    labels: inlineRuleLabels(rule),
    annotations: {
      summary: `Inline rule of Deployment ${rule.namespace}/${rule.deployment} is firing.`,
      description: `metricops.io/rule of Deployment ${rule.namespace}/${rule.deployment}${quoted}`,
    },
  };
}
