import { UsageError, type InputIssue } from '../../common/errors.js';
import type { CompileInput, Indicator, InlineRule, Slo } from '../model.js';
import { checkWindow } from './checks.js';
import { classify, type DocumentKind } from './classify.js';
import { convertDeployment } from './deployment-rule.js';
import type { Converted, DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { findDuplicates } from './duplicates.js';
import { formatFieldPath } from '../../common/field-path.js';
import { Locator } from './locate.js';
import { convertMetricopsSpec } from './metricops-spec.js';
import { convertOpenSloSli, convertOpenSloSpec } from './openslo-spec.js';
import { convertOpenSloV1alpha } from './openslo-v1alpha.js';
import type { AlertWindowsCatalog } from './alert-windows.js';
import { NO_APP_PLUGINS, type AppPlugins } from './plugin-chain.js';
import { QuerySyntax } from './promql.js';
import { readDocuments } from './read-documents.js';
import { convertSlothCrd } from './sloth-crd.js';
import { convertSlothSpec } from './sloth-spec.js';

export interface ParseOptions {
  /** SLO window for specs that give none (all Sloth specs), default "30d" (Sloth's --default-slo-period). */
  defaultWindow?: string;
  /** Sloth's --slo-period-windows-path, read (alert-windows.ts): the only periods allowed then, and their windows. */
  windowCatalog?: AlertWindowsCatalog;
  /** Sloth's --slo-plugins (checked) and --disable-default-slo-plugins. */
  appPlugins?: AppPlugins;
  /** --min-events: the minimum of events per alert window for every SLO whose spec sets none. */
  minEvents?: number;
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

type Converter = (document: unknown, context: DocumentContext) => Converted;

const converters: Record<Exclude<DocumentKind, 'skip' | 'openslo-sli'>, Converter> = {
  metricops: convertMetricopsSpec,
  sloth: convertSlothSpec,
  'sloth-crd': convertSlothCrd,
  openslo: convertOpenSloSpec,
  'openslo-v1alpha': convertOpenSloV1alpha,
  deployment: convertDeployment,
};

interface ClassifiedDocument {
  source: string;
  index: number;
  value: unknown;
  classified: ReturnType<typeof classify>;
}

/**
 * Reads specs from texts: pure, no files. Pipeline: read YAML documents -> classify each -> collect OpenSLO SLIs
 * (an SLO may reference one in any file) -> convert each document into model objects or located problems ->
 * check names are unique. Sources are read in the order given, documents in file order.
 */
export function parseSpecs(sources: ReadonlyArray<SpecSource>, options: ParseOptions = {}): ParseResult {
  const defaultWindow = resolveDefaultWindow(options.defaultWindow);
  const issues: InputIssue[] = [];
  const locators = new Map<string, Locator>();
  const documents: ClassifiedDocument[] = [];
  for (const { source, text } of sources) {
    const read = readDocuments(source, text);
    issues.push(...read.issues);
    locators.set(source, new Locator(text));
    for (const document of read.documents) documents.push({ source, ...document, classified: classify(document.value) });
  }
  const querySyntax = new QuerySyntax();
  const slis = collectOpenSloSlis(documents, querySyntax);
  const slos: Slo[] = [];
  const inlineRules: InlineRule[] = [];
  const shared = {
    defaultWindow,
    openSloIndicators: slis.indicators,
    appPlugins: options.appPlugins ?? NO_APP_PLUGINS,
    querySyntax,
    ...(options.windowCatalog ? { windowCatalog: options.windowCatalog } : {}),
    ...(options.minEvents !== undefined ? { minEvents: options.minEvents } : {}),
  };
  for (const document of documents) {
    const context: DocumentContext = { source: document.source, document: document.index, ...shared };
    const converted = slis.issues.get(document) ?? convertDocument(document, context);
    slos.push(...converted.slos);
    inlineRules.push(...converted.inlineRules);
    issues.push(...converted.issues.map((issue) => place(issue, context, locators.get(document.source)!)));
  }
  issues.push(...findDuplicates(slos, inlineRules, (location) => locators.get(location.source)));
  return { input: { slos, inlineRules }, issues: inReadingOrder(issues, sources) };
}

/** Problems sorted by file (in input order), document and line, so the report reads top to bottom. */
function inReadingOrder(issues: InputIssue[], sources: ReadonlyArray<SpecSource>): InputIssue[] {
  const order = new Map(sources.map(({ source }, index) => [source, index] as const));
  const key = (issue: InputIssue) => [order.get(issue.source) ?? -1, issue.document ?? -1, issue.line ?? 0] as const;
  return issues
    .map((issue) => ({ issue, key: key(issue) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2])
    .map(({ issue }) => issue);
}

function convertDocument(document: ClassifiedDocument, context: DocumentContext): Converted {
  const { classified } = document;
  if ('issue' in classified) return { slos: [], inlineRules: [], issues: [classified.issue] };
  if (classified.kind === 'skip' || classified.kind === 'openslo-sli') return { slos: [], inlineRules: [], issues: [] };
  return converters[classified.kind](document.value, context);
}

/** OpenSLO SLI objects by name (null when invalid or defined twice), and each SLI document's own problems. */
function collectOpenSloSlis(documents: readonly ClassifiedDocument[], syntax: QuerySyntax): {
  indicators: Map<string, Indicator | null>;
  issues: Map<ClassifiedDocument, Converted>;
} {
  const indicators = new Map<string, Indicator | null>();
  const issues = new Map<ClassifiedDocument, Converted>();
  const firstPlace = new Map<string, ClassifiedDocument>();
  for (const document of documents) {
    if (!('kind' in document.classified) || document.classified.kind !== 'openslo-sli') continue;
    const sli = convertOpenSloSli(document.value, syntax);
    const found: DocumentIssue[] = [...sli.issues];
    if (sli.name !== undefined) {
      const first = firstPlace.get(sli.name);
      if (first) {
        found.push({ path: ['metadata', 'name'], message: `duplicate OpenSLO SLI name "${sli.name}", also defined in ${first.source}, document ${first.index}: rename one` });
        indicators.set(sli.name, null);
      } else {
        firstPlace.set(sli.name, document);
        indicators.set(sli.name, sli.indicator ?? null);
      }
    }
    issues.set(document, { slos: [], inlineRules: [], issues: found });
  }
  return { indicators, issues };
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
