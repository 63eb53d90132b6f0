import { Annotations } from '../../common/contract/annotations.js';
import { DEFAULT_RULE_FOR } from '../../common/contract/inline-rule-alert.js';
import type { InlineRule } from '../model.js';
import { checkForDuration, checkKubernetesName } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { formatFieldPath, valueAt, type FieldPath } from '../../common/field-path.js';
import { checkExpression } from './promql.js';
import { describe } from './describe-value.js';

/** An apps/v1 Deployment: an InlineRule when annotated `metricops.io/rule`, else nothing. */
export function convertDeployment(document: unknown, context: DocumentContext): Converted {
  const annotationsPath: FieldPath = ['metadata', 'annotations'];
  const expr = valueAt(document, [...annotationsPath, Annotations.rule]);
  if (expr === undefined) return problems([]);
  const issues: DocumentIssue[] = [];
  const exprPath = [...annotationsPath, Annotations.rule];
  const forPath = [...annotationsPath, Annotations.ruleFor];
  const forValue = valueAt(document, forPath) ?? DEFAULT_RULE_FOR;
  const name = valueAt(document, ['metadata', 'name']);
  const namespace = valueAt(document, ['metadata', 'namespace']) ?? 'default';
  if (typeof expr !== 'string') issues.push({ path: exprPath, message: `expected a PromQL expression string, got ${describe(expr)}: quote the value` });
  else issues.push(...checkExpression(expr, exprPath, context.querySyntax));
  if (typeof forValue !== 'string') issues.push({ path: forPath, message: `expected a duration string such as "5m", got ${describe(forValue)}` });
  else issues.push(...checkForDuration(forValue, forPath));
  if (typeof name !== 'string') issues.push({ path: ['metadata', 'name'], message: 'a Deployment with an inline rule needs metadata.name' });
  else issues.push(...checkKubernetesName(name, ['metadata', 'name'], 'Deployment name'));
  if (typeof namespace !== 'string') issues.push({ path: ['metadata', 'namespace'], message: `expected a namespace string, got ${describe(namespace)}` });
  else issues.push(...checkKubernetesName(namespace, ['metadata', 'namespace'], 'namespace'));
  if (issues.length > 0) return problems(issues);
  const rule: InlineRule = {
    namespace: namespace as string,
    deployment: name as string,
    expr: expr as string,
    for: forValue as string,
    location: { source: context.source, document: context.document, path: formatFieldPath(exprPath) },
  };
  return { slos: [], inlineRules: [rule], issues: [] };
}
