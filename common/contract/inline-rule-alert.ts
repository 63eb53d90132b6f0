/**
 * The alert of an inline rule (a Deployment's `metricops.io/rule` annotation): one page alert per Deployment, told
 * apart by its `namespace` and `deployment` labels. The compiler generates it; the webhook stamps it as a guard,
 * also before the compiler has compiled it.
 */
import { AlertLabels } from './alert-labels.js';
import type { GuardingAlert } from './guarding-alert.js';

/** Alert name of every inline rule. */
export const INLINE_RULE_ALERT = 'MetricopsDeploymentRule';

/** `for:` of an inline rule without `metricops.io/rule-for`. */
export const DEFAULT_RULE_FOR = '1m';

/** The Deployment an inline rule guards, named as its alert labels name it. */
export interface InlineRuleTarget {
  namespace: string;
  deployment: string;
}

export function inlineRuleLabels(target: InlineRuleTarget): Record<string, string> {
  return { [AlertLabels.deployment]: target.deployment, [AlertLabels.namespace]: target.namespace, [AlertLabels.severity]: 'page' };
}

export function inlineGuardingAlert(target: InlineRuleTarget): GuardingAlert {
  return { alert: INLINE_RULE_ALERT, severity: 'page', labels: inlineRuleLabels(target) };
}
