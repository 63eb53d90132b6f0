import { inlineGuardingAlert } from '../common/contract/inline-rule-alert.js';
import { InvalidInputError, type InputIssue } from '../common/errors.js';
import { parseDuration } from '../common/duration.js';
import { labelInlineRules, withClusterLabel } from './cluster-label.js';
import { inlineRuleKey, type CompileInput, type GuardingAlert, type Slo } from './model.js';
import { LONGEST_ALERT_WINDOW } from './rules/burn-rate.js';
import { sloGuardingAlerts } from './rules/guarding-alerts.js';
import { inlineAlertRule } from './rules/inline-rules.js';
import type { GeneratorInfo } from './rules/metadata-rules.js';
import type { RuleGroup } from './rules/rule.js';
import type { LongWindowMode } from './rules/sli-rules.js';
import { sloRuleGroups } from './rules/slo-rule-groups.js';
import { INLINE_RULES_FILE, objectName, ruleFileName, testFileName } from './output/file-names.js';
import { emitPromtoolTest } from './output/promtool-tests.js';
import { renderRuleFile, renderRules, type OutputFormat } from './output/render.js';
import { inputFiles, isPlainRuleFile, renderInputFile, type OutputLayout } from './output/input-layout.js';
import { YamlWriter } from './output/yaml.js';

export interface CompileOptions {
  format: OutputFormat;
  longWindows: LongWindowMode;
  emitTests: boolean;
  /** sloth_slo_info labels; default { version: 'metricops' } and each SLO's Sloth mode (cli-gen-prom, -k8s, -openslo). */
  info?: GeneratorInfo;
  /** Adds `cluster: <value>` to every SLO's labels and to the inline rules (cluster-label.ts). */
  clusterLabel?: string;
  /** One file per SLO (`slo`, the default) or per input file (`input`, Sloth's layout). */
  layout?: OutputLayout;
}

export interface CompiledFile {
  /** Relative to the output directory, `/`-separated. */
  path: string;
  content: string;
}

export interface CompiledRules {
  files: CompiledFile[];
  /** Every rule group the files hold, one SLO after the other (input order), the inline rules last: what a ruler gets. */
  groups: RuleGroup[];
  guardingAlerts: GuardingAlert[];
  /** Emitted tests that could not be generated, with the reason (only with emitTests). */
  skippedTests?: Array<{ slo: string; reason: string }>;
}

export const DEFAULT_COMPILE_OPTIONS: CompileOptions = { format: 'prometheus', longWindows: 'counts', emitTests: false };
const DEFAULT_INFO: GeneratorInfo = { version: 'metricops' };

/** The rule groups of one output unit: one SLO, or every inline rule. Files and a ruler both get these. */
export interface CompiledGroups {
  /** Output file, relative to the output directory. */
  path: string;
  /** `metadata.name` of the PrometheusRule object (operator format). */
  objectName: string;
  groups: RuleGroup[];
  /** Spec files the groups come from, for the generated header. */
  sources: string[];
  /** The SLO, when the unit is one (not the inline rules). */
  slo?: Slo;
}

/**
 * Pure: the validated model in, rule groups out, one unit per SLO (input order) and one for all inline rules
 * (sorted by namespace/deployment). Throws InvalidInputError for what only generation can see.
 */
export function compileRuleGroups(model: CompileInput, options: Pick<CompileOptions, 'longWindows' | 'info' | 'clusterLabel' | 'layout'>): CompiledGroups[] {
  const input = options.clusterLabel === undefined ? model : withClusterLabel(model, options.clusterLabel);
  checkCompilable(input.slos, (options.layout ?? 'slo') === 'slo');
  const info = options.info ?? DEFAULT_INFO;
  const units: CompiledGroups[] = input.slos.map((slo) => ({
    path: ruleFileName(slo.name),
    objectName: objectName(slo.name),
    groups: sloRuleGroups(slo, { longWindows: options.longWindows, info }),
    sources: [slo.location.source],
    slo,
  }));
  const sorted = sortedInlineRules(input);
  if (sorted.length > 0) {
    const groups: RuleGroup[] = [{ name: 'metricops-inline-rules', rules: sorted.map(inlineAlertRule) }];
    units.push({
      path: INLINE_RULES_FILE,
      objectName: 'metricops-inline-rules',
      groups: options.clusterLabel === undefined ? groups : labelInlineRules(groups, options.clusterLabel),
      sources: sorted.map((rule) => rule.location.source),
    });
  }
  return units;
}

/**
 * Pure: the validated model in, files out. One file per SLO named after it, one file for all inline rules;
 * files are sorted by path and contain no timestamps, so compiling the same input twice gives the same bytes.
 */
export function compile(input: CompileInput, options: CompileOptions): CompiledRules {
  const files: CompiledFile[] = [];
  const skippedTests: Array<{ slo: string; reason: string }> = [];
  const units = compileRuleGroups(input, options);
  const writer = new YamlWriter();
  /** The rule file an SLO's emitted test reads: its own when promtool can read it, else a plain copy in tests/. */
  const emitTest = (slo: Slo, groups: RuleGroup[], sources: string[], plainFile: string | undefined) => {
    let ruleFileForTest = `../${plainFile}`;
    if (plainFile === undefined) {
      ruleFileForTest = ruleFileName(slo.name);
      files.push({ path: `tests/${ruleFileForTest}`, content: renderRuleFile(groups, sources, writer) });
    }
    const test = emitPromtoolTest(slo, groups, ruleFileForTest);
    if (test.kind === 'test') files.push({ path: testFileName(slo.name), content: test.content });
    else skippedTests.push({ slo: slo.name, reason: test.reason });
  };

  if ((options.layout ?? 'slo') === 'input') {
    const laid = inputFiles(units.flatMap((unit) => (unit.slo ? [{ slo: unit.slo, groups: unit.groups }] : [])), input.inputPaths);
    if (laid.issues.length > 0) throw new InvalidInputError(laid.issues);
    for (const file of laid.files) {
      files.push({ path: file.path, content: renderInputFile(file, options.format, writer) });
      if (!options.emitTests) continue;
      const plain = isPlainRuleFile(file, options.format) ? file.path : undefined;
      for (const { units: inDocument } of file.documents) for (const unit of inDocument) emitTest(unit.slo, unit.groups, [unit.slo.location.source], plain);
    }
  }
  for (const unit of units) {
    const { path, groups, sources, slo } = unit;
    if (slo && (options.layout ?? 'slo') === 'input') continue;
    files.push({ path, content: renderRules(options.format, unit.objectName, groups, sources, writer) });
    if (options.emitTests && slo) emitTest(slo, groups, sources, options.format === 'operator' ? undefined : path);
  }

  files.sort((a, b) => a.path.localeCompare(b.path));
  const guardingAlerts = [...units.flatMap((unit) => (unit.slo ? sloGuardingAlerts(unit.slo, unit.groups) : [])), ...sortedInlineRules(input).map(inlineGuardingAlert)];
  const groups = units.flatMap((unit) => unit.groups);
  return options.emitTests ? { files, groups, guardingAlerts, skippedTests } : { files, groups, guardingAlerts };
}

function sortedInlineRules(input: CompileInput): CompileInput['inlineRules'] {
  return [...input.inlineRules].sort((a, b) => inlineRuleKey(a).localeCompare(inlineRuleKey(b)));
}

/** What the input side cannot know: periods the alert windows fit in, and names that map to distinct files. */
function checkCompilable(slos: Slo[], filePerSlo: boolean): void {
  const issues: InputIssue[] = [];
  const byFile = new Map<string, Slo>();
  for (const slo of slos) {
    const periodMs = parseDuration(slo.window);
    if (periodMs < LONGEST_ALERT_WINDOW) {
      issues.push({
        ...slo.location,
        message: `SLO "${slo.name}" has a ${slo.window} period, shorter than the 3d longest alert window: use a period of at least 3d (28d or 30d are usual)`,
      });
    }
    if (!filePerSlo) continue;
    const file = ruleFileName(slo.name);
    const other = byFile.get(file);
    if (other) {
      issues.push({ ...slo.location, message: `SLO "${slo.name}" and SLO "${other.name}" would both be written to ${file}: rename one of them` });
    } else byFile.set(file, slo);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
}
