import { AlertLabels } from '../common/contract/alert-labels.js';
import { InvalidInputError, type InputIssue } from '../common/errors.js';
import type { CompileInput } from './model.js';
import type { RuleGroup } from './rules/rule.js';

/**
 * `--cluster-label NAME`: every SLO gets `cluster: NAME` as one of its labels, so, as Sloth does with an SLO's
 * labels, it is on every recording rule and reaches the firing alerts through their series (the alert expressions
 * keep every label but sloth_window). A spec that already names another cluster is invalid input.
 */
export function withClusterLabel(input: CompileInput, cluster: string): CompileInput {
  const issues: InputIssue[] = [];
  const slos = input.slos.map((slo) => {
    const own = slo.labels[AlertLabels.cluster];
    if (own !== undefined && own !== cluster) {
      issues.push({ ...slo.location, message: `SLO "${slo.name}" has the label ${AlertLabels.cluster}: "${own}", but --cluster-label is "${cluster}": remove the label from the spec, or compile it for its own cluster` });
    }
    return { ...slo, labels: { ...slo.labels, [AlertLabels.cluster]: cluster } };
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { ...input, slos };
}

/** Inline rules have no SLO labels: their alert rules get the label itself. */
export function labelInlineRules(groups: RuleGroup[], cluster: string): RuleGroup[] {
  return groups.map((group) => ({
    ...group,
    rules: group.rules.map((rule) => ({ ...rule, labels: { ...rule.labels, [AlertLabels.cluster]: cluster } })),
  }));
}
