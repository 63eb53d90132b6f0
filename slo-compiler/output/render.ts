import type { RuleGroup } from '../rules/rule.js';
import { generatedHeader } from './header.js';
import { YamlWriter } from './yaml.js';

export type OutputFormat = 'prometheus' | 'operator';

/** Metadata of a PrometheusRule object; metricops' own when absent. */
export interface RuleObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Prometheus rule file (`groups:`), loadable by Prometheus and promtool. */
export function renderRuleFile(groups: RuleGroup[], sources: string[], writer = new YamlWriter()): string {
  return generatedHeader(sources) + ruleFileBody(groups, writer);
}

/** The rule file's YAML without the header. */
export function ruleFileBody(groups: RuleGroup[], writer: YamlWriter): string {
  return `${writer.ruleGroupsEntry('groups', groups, 0)}\n`;
}

/** A prometheus-operator PrometheusRule object; applied in the namespace the user chooses. */
export function renderPrometheusRule(name: string, groups: RuleGroup[], sources: string[], writer = new YamlWriter()): string {
  return generatedHeader(sources) + prometheusRuleBody({ name, labels: { 'app.kubernetes.io/managed-by': 'metricops' } }, groups, writer);
}

/** The PrometheusRule object's YAML without the header. */
export function prometheusRuleBody(metadata: RuleObjectMeta, groups: RuleGroup[], writer: YamlWriter): string {
  const head = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      ...(metadata.labels && Object.keys(metadata.labels).length > 0 ? { labels: metadata.labels } : {}),
      ...(metadata.annotations && Object.keys(metadata.annotations).length > 0 ? { annotations: metadata.annotations } : {}),
    },
  };
  return `${writer.document(head)}spec:\n  ${writer.ruleGroupsEntry('groups', groups, 1)}\n`;
}

export function renderRules(format: OutputFormat, name: string, groups: RuleGroup[], sources: string[], writer = new YamlWriter()): string {
  return format === 'operator' ? renderPrometheusRule(name, groups, sources, writer) : renderRuleFile(groups, sources, writer);
}
