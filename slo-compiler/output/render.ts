import type { RuleGroup } from '../rules/rule.js';
import { generatedHeader } from './header.js';
import { groupsToPlain } from './rule-groups-yaml.js';
import { toYaml } from './yaml.js';

export type OutputFormat = 'prometheus' | 'operator';

/** A Prometheus rule file (`groups:`), loadable by Prometheus and promtool. */
export function renderRuleFile(groups: RuleGroup[], sources: string[]): string {
  return generatedHeader(sources) + toYaml({ groups: groupsToPlain(groups) });
}

/** A prometheus-operator PrometheusRule object; applied in the namespace the user chooses. */
export function renderPrometheusRule(name: string, groups: RuleGroup[], sources: string[]): string {
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'metricops' } },
    spec: { groups: groupsToPlain(groups) },
  };
  return generatedHeader(sources) + toYaml(object);
}

export function renderRules(format: OutputFormat, name: string, groups: RuleGroup[], sources: string[]): string {
  return format === 'operator' ? renderPrometheusRule(name, groups, sources) : renderRuleFile(groups, sources);
}
