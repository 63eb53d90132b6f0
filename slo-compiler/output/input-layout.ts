import type { InputIssue } from '../../common/errors.js';
import type { ObjectMeta, Slo } from '../model.js';
import type { RuleGroup } from '../rules/rule.js';
import { INLINE_RULES_FILE, objectName, safeFileStem } from './file-names.js';
import { generatedHeader } from './header.js';
import { prometheusRuleBody, ruleFileBody, type OutputFormat } from './render.js';
import type { YamlWriter } from './yaml.js';

/**
 * Where the rules go: `slo`, one file per SLO named after it (metricops' layout), or `input`, one file per input file
 * at the same path under the output folder (Sloth's `generate -i DIR -o DIR` layout). Inline rules are one file in
 * both (they are one rule group, and a ruler keys groups by name).
 */
export type OutputLayout = 'slo' | 'input';
export const OUTPUT_LAYOUTS: readonly OutputLayout[] = ['slo', 'input'];

/** One SLO's groups, as compile makes them. */
export interface SloGroups {
  slo: Slo;
  groups: RuleGroup[];
}

/** An output file of the `input` layout: the rules of one input file's documents, in document order. */
export interface InputFile {
  path: string;
  documents: Array<{ document: number; objectMeta?: ObjectMeta; units: SloGroups[] }>;
}

/**
 * Groups the SLOs by input file and document, at the path each file had under its input folder. Two input files
 * at one relative path (from two input folders), or one named like the inline rules' file, are invalid input.
 */
export function inputFiles(units: readonly SloGroups[], inputPaths: ReadonlyMap<string, string> | undefined): { files: InputFile[]; issues: InputIssue[] } {
  const byPath = new Map<string, { source: string; file: InputFile }>();
  const issues: InputIssue[] = [];
  for (const unit of units) {
    const { source, document } = unit.slo.location;
    const path = inputPaths?.get(source) ?? source.split(/[\\/]/).pop()!;
    let entry = byPath.get(path);
    if (entry && entry.source !== source) {
      issues.push({ ...unit.slo.location, message: `${source} and ${entry.source} would both be written to ${path} (--layout input mirrors each input's path): compile them into different --out folders, or use --layout slo` });
      continue;
    }
    if (path === INLINE_RULES_FILE) {
      issues.push({ ...unit.slo.location, message: `${source} would be written to ${path}, the inline rules' file: rename it` });
      continue;
    }
    if (!entry) {
      entry = { source, file: { path, documents: [] } };
      byPath.set(path, entry);
    }
    const documents = entry.file.documents;
    let slot = documents.find((candidate) => candidate.document === (document ?? 0));
    if (!slot) {
      slot = { document: document ?? 0, ...(unit.slo.objectMeta ? { objectMeta: unit.slo.objectMeta } : {}), units: [] };
      documents.push(slot);
    }
    slot.units.push(unit);
  }
  const files = [...byPath.values()].map(({ file }) => ({ ...file, documents: [...file.documents].sort((a, b) => a.document - b.document) }));
  return { files, issues };
}

/** Labels Sloth puts on the PrometheusRule it writes for a PrometheusServiceLevel (managed-by names metricops). */
const OBJECT_LABELS = { 'app.kubernetes.io/component': 'SLO', 'app.kubernetes.io/managed-by': 'metricops' };

/**
 * The file's YAML: with `prometheus`, the groups of every plain spec document in one rule file document (Prometheus
 * reads one document per rule file), and each Sloth PrometheusServiceLevel as the PrometheusRule Sloth writes for it
 * (its name, namespace, labels, annotations); with `operator`, one PrometheusRule per document.
 */
export function renderInputFile(file: InputFile, format: OutputFormat, writer: YamlWriter): string {
  const sources = file.documents.flatMap((document) => document.units.map((unit) => unit.slo.location.source));
  const groupsOf = (document: InputFile['documents'][number]) => document.units.flatMap((unit) => unit.groups);
  const parts: string[] = [];
  const plain = file.documents.filter((document) => !document.objectMeta);
  let plainWritten = false;
  for (const document of file.documents) {
    if (document.objectMeta) {
      const meta = document.objectMeta;
      parts.push(prometheusRuleBody({ ...meta, labels: { ...meta.labels, ...OBJECT_LABELS } }, groupsOf(document), writer));
    } else if (format === 'operator') {
      const suffix = file.documents.length > 1 ? `-${document.document}` : '';
      parts.push(prometheusRuleBody({ name: `${objectName(safeFileStem(file.path.replace(/\.ya?ml$/i, '')))}${suffix}`.slice(0, 253), labels: { 'app.kubernetes.io/managed-by': 'metricops' } }, groupsOf(document), writer));
    } else if (!plainWritten) {
      parts.push(ruleFileBody(plain.flatMap(groupsOf), writer));
      plainWritten = true;
    }
  }
  return generatedHeader(sources) + parts.join('---\n');
}

/** Whether promtool can read the file as a rule file (one plain document), so an emitted test can name it. */
export function isPlainRuleFile(file: InputFile, format: OutputFormat): boolean {
  return format === 'prometheus' && file.documents.every((document) => !document.objectMeta);
}
