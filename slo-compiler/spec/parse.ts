import { UsageError, type InputIssue } from '../../common/errors.js';
import type { CompileInput, InlineRule, Slo } from '../model.js';
import { checkWindow } from './checks.js';
import { classify, type DocumentKind } from './classify.js';
import { convertDeployment } from './deployment-rule.js';
import type { Converted, DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { findDuplicates } from './duplicates.js';
import { formatFieldPath } from './field-path.js';
import { Locator } from './locate.js';
import { convertMetricopsSpec } from './metricops-spec.js';
import { convertOpenSloSpec } from './openslo-spec.js';
import { readDocuments } from './read-documents.js';
import { convertSlothSpec } from './sloth-spec.js';

export interface ParseOptions {
  /** SLO window for specs that give none (all Sloth specs), default "30d". */
  defaultWindow?: string;
}

export interface SpecSource {
  /** File path or another name shown in messages. */
  source: string;
  text: string;
}

export interface ParseResult {
  input: CompileInput;
  /** Every problem in every source; when not empty, `input` must not be used to write anything. */
  issues: InputIssue[];
}

const converters: Record<Exclude<DocumentKind, 'skip'>, (document: unknown, context: DocumentContext) => Converted> = {
  metricops: convertMetricopsSpec,
  sloth: convertSlothSpec,
  openslo: convertOpenSloSpec,
  deployment: convertDeployment,
};

/** Reads specs from texts: pure, no files. Sources are read in the order given, documents in file order. */
export function parseSpecs(sources: ReadonlyArray<SpecSource>, options: ParseOptions = {}): ParseResult {
  const defaultWindow = resolveDefaultWindow(options.defaultWindow);
  const slos: Slo[] = [];
  const inlineRules: InlineRule[] = [];
  const issues: InputIssue[] = [];
  const locators = new Map<string, Locator>();
  for (const { source, text } of sources) {
    const read = readDocuments(source, text);
    issues.push(...read.issues);
    const locator = new Locator(text);
    locators.set(source, locator);
    for (const document of read.documents) {
      const context: DocumentContext = { source, document: document.index, defaultWindow };
      const converted = convertDocument(document.value, context);
      slos.push(...converted.slos);
      inlineRules.push(...converted.inlineRules);
      issues.push(...converted.issues.map((issue) => place(issue, context, locator)));
    }
  }
  issues.push(...findDuplicates(slos, inlineRules, (location) => locators.get(location.source)));
  return { input: { slos, inlineRules }, issues };
}

function convertDocument(document: unknown, context: DocumentContext): Converted {
  const classified = classify(document);
  if ('issue' in classified) return { slos: [], inlineRules: [], issues: [classified.issue] };
  if (classified.kind === 'skip') return { slos: [], inlineRules: [], issues: [] };
  return converters[classified.kind](document, context);
}

/** Gives a document's problem its file, document index, field path and (looked up now) line and column. */
function place(issue: DocumentIssue, context: DocumentContext, locator: Locator): InputIssue {
  const position = locator.locate(context.document, issue.path, issue.valueOffset, issue.atKey);
  const path = formatFieldPath(issue.path);
  return {
    source: context.source,
    document: context.document,
    ...(path !== '' ? { path } : {}),
    ...(position ? { line: position.line, column: position.column } : {}),
    message: issue.message,
  };
}

function resolveDefaultWindow(window: string | undefined): string {
  const checked = checkWindow(window ?? '30d', []);
  if (!checked.window) throw new UsageError(`--default-window: ${checked.issues.map((issue) => issue.message).join('; ')}`);
  return checked.window;
}
