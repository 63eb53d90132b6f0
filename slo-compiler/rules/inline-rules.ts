import { INLINE_RULE_ALERT, inlineRuleLabels } from '../../common/contract/inline-rule-alert.js';
import type { InlineRule } from '../model.js';
import type { AlertingRule } from './rule.js';

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
