/**
 * Reads the alerts out of one rule file: a Prometheus rule file (`groups[].rules[]`) or prometheus-operator
 * PrometheusRule objects (`spec.groups`), several YAML documents allowed. Pure: text in, alerts and issues out.
 * Alerts with an `slo` label guard that SLO; alerts without one but with `namespace` and `deployment` labels are
 * inline rules. Other alerts and recording rules are not guards and are passed over.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { AlertLabels, SLO_SEVERITIES, type SloSeverity } from '../common/contract/alert-labels.js';
import { namespacedName } from '../common/contract/deployment-ref.js';
import { guardLabels, type GuardingAlert } from '../common/contract/guarding-alert.js';
import type { InputIssue } from '../common/errors.js';
import { formatFieldPath } from '../common/field-path.js';

export interface FileAlert {
  alert: GuardingAlert;
  /** Set for SLO alerts. */
  slo?: string;
  /** Set for inline-rule alerts: `namespace/deployment`. */
  inline?: string;
}

export interface RuleFileResult {
  alerts: FileAlert[];
  issues: InputIssue[];
  /** Documents that are neither a rule file nor a PrometheusRule (e.g. a kustomization), by index. */
  skippedDocuments: number[];
}

type PathItem = string | number;

export function readRuleFile(text: string, source: string): RuleFileResult {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const result: RuleFileResult = { alerts: [], issues: [], skippedDocuments: [] };
  if (!Array.isArray(documents)) return result;
  documents.forEach((document, index) => {
    const issue = (path: PathItem[], message: string): void => {
      result.issues.push({ source, document: index, ...position(document, path, lineCounter), path: formatFieldPath(path), message });
    };
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const at = lineCounter.linePos(error.pos[0]);
        result.issues.push({ source, document: index, line: at.line, column: at.col, message: `YAML syntax: ${error.message.split('\n')[0]}` });
      }
      return;
    }
    let content: unknown;
    try {
      content = document.toJS();
    } catch (error) {
      // e.g. "Excessive alias count": a document whose aliases would expand without bound.
      result.issues.push({ source, document: index, message: `YAML: ${(error as Error).message}` });
      return;
    }
    if (content === null || content === undefined) return;
    const groups = locateGroups(content);
    if (!groups) {
      result.skippedDocuments.push(index);
      return;
    }
    readGroups(groups.value, groups.path, issue, result.alerts);
  });
  return result;
}

function locateGroups(content: unknown): { value: unknown; path: PathItem[] } | undefined {
  if (!isRecord(content)) return undefined;
  if (content.kind === 'PrometheusRule') {
    return { value: isRecord(content.spec) ? content.spec.groups : undefined, path: ['spec', 'groups'] };
  }
  if ('groups' in content) return { value: content.groups, path: ['groups'] };
  return undefined;
}

function readGroups(groups: unknown, path: PathItem[], issue: (path: PathItem[], message: string) => void, out: FileAlert[]): void {
  if (!Array.isArray(groups)) return issue(path, 'must be a list of rule groups');
  groups.forEach((group: unknown, groupIndex) => {
    const groupPath = [...path, groupIndex];
    if (!isRecord(group) || !Array.isArray(group.rules)) return issue([...groupPath, 'rules'], 'must be a list of rules');
    group.rules.forEach((rule: unknown, ruleIndex) => {
      const rulePath = [...groupPath, 'rules', ruleIndex];
      if (!isRecord(rule)) return issue(rulePath, 'must be a mapping with `alert` or `record`');
      if (rule.alert === undefined) return;
      if (typeof rule.alert !== 'string' || rule.alert === '') return issue([...rulePath, 'alert'], 'must be a non-empty string');
      const labels = rule.labels ?? {};
      if (!isRecord(labels) || Object.values(labels).some((value) => typeof value !== 'string')) {
        return issue([...rulePath, 'labels'], 'must be a mapping of label names to strings (quote numbers)');
      }
      const fileAlert = guardOf(rule.alert, labels as Record<string, string>, (field, message) => issue([...rulePath, 'labels', field], message));
      if (fileAlert) out.push(fileAlert);
    });
  });
}

function guardOf(alert: string, labels: Record<string, string>, issue: (field: string, message: string) => void): FileAlert | undefined {
  const slo = labels[AlertLabels.slo];
  const namespace = labels[AlertLabels.namespace];
  const deployment = labels[AlertLabels.deployment];
  if (slo === undefined && (namespace === undefined || deployment === undefined)) return undefined;
  const severityLabel = labels[AlertLabels.severity];
  let severity: SloSeverity = 'page';
  if (severityLabel !== undefined && !(SLO_SEVERITIES as readonly string[]).includes(severityLabel)) {
    issue(AlertLabels.severity, `is "${severityLabel}"; must be one of ${SLO_SEVERITIES.join(', ')}`);
    return undefined;
  }
  if (severityLabel !== undefined) severity = severityLabel as SloSeverity;
  else if (slo !== undefined) {
    issue(AlertLabels.severity, `is missing; every SLO alert needs ${AlertLabels.severity}: page or ticket`);
    return undefined;
  }
  const kept = guardLabels(labels);
  if (slo !== undefined) return { alert: { alert, severity, slo, labels: kept }, slo };
  return { alert: { alert, severity, labels: kept }, inline: namespacedName({ namespace: namespace!, name: deployment! }) };
}

function position(document: Document, path: PathItem[], lineCounter: LineCounter): { line?: number; column?: number } {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const at = lineCounter.linePos(range[0]);
      return { line: at.line, column: at.col };
    }
  }
  return {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
