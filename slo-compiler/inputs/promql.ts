import { parser } from '@prometheus-io/lezer-promql';
import type { DocumentIssue } from './document-issue.js';
import type { FieldPath } from '../../common/field-path.js';

/** `{{window}}` (the model's form), `{{.window}}` (Sloth's Go template form) and spaced variants. */
const WINDOW_TEMPLATE = /\{\{\s*\.?window\s*\}\}/g;
export const MODEL_WINDOW = '{{window}}';

/** Rewrites any spelling of the window template to the model's `{{window}}`. */
export function normalizeWindowTemplate(query: string): string {
  return query.replace(WINDOW_TEMPLATE, MODEL_WINDOW);
}

export function hasWindowTemplate(query: string): boolean {
  WINDOW_TEMPLATE.lastIndex = 0;
  return WINDOW_TEMPLATE.test(query);
}

/**
 * Replaces each window template with a real range of the same length (e.g. `{{window}}` -> `999999999s`), so the
 * parser accepts it and error columns still point into the text the user wrote.
 */
function renderWindow(query: string): string {
  return query.replace(WINDOW_TEMPLATE, (match) => `${'9'.repeat(match.length - 1)}s`);
}

interface ParsedQuery {
  errorOffset?: number;
  /** Name of the top expression node, e.g. VectorSelector, AggregateExpr. */
  top?: string;
}

/** String literals (double- or single-quoted, one line): their content never changes whether a query parses. */
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

/**
 * The PromQL parser, remembering the shapes of queries it has parsed: a query that differs from a valid one only
 * inside its string literals (label values: `{job="a"}` and `{job="b"}`) parses too, so specs with hundreds of SLOs
 * written from one pattern are parsed once per pattern. Only valid results are remembered (errors need positions).
 * One per parse (parseSpecs), so nothing outlives it.
 */
export class QuerySyntax {
  private readonly valid = new Map<string, string | undefined>();

  parse(query: string): ParsedQuery {
    const shape = query.replace(STRING_LITERAL, (literal) => literal[0]! + literal[0]!);
    if (this.valid.has(shape)) {
      const top = this.valid.get(shape);
      return top !== undefined ? { top } : {};
    }
    const parsed = parse(query);
    if (parsed.errorOffset === undefined) this.valid.set(shape, parsed.top);
    return parsed;
  }
}

const UNCACHED = { parse: (query: string) => parse(query) } as QuerySyntax;

function parse(query: string): ParsedQuery {
  const tree = parser.parse(query);
  let errorOffset: number | undefined;
  tree.iterate({
    enter(node) {
      if (errorOffset !== undefined) return false;
      if (node.type.isError) errorOffset = node.from;
      return undefined;
    },
  });
  const top = tree.topNode.firstChild?.name;
  return { ...(errorOffset !== undefined ? { errorOffset } : {}), ...(top !== undefined ? { top } : {}) };
}

function syntaxError(query: string, errorOffset: number, path: FieldPath): DocumentIssue {
  const offset = Math.min(errorOffset, query.trimEnd().length);
  const near =
    offset >= query.trimEnd().length
      ? 'the query ends too early (an unclosed bracket, brace or quote, or a missing operand)'
      : `unexpected ${JSON.stringify(query.slice(offset, offset + 12))}`;
  return {
    path,
    message: `PromQL syntax error at ${positionInQuery(query, offset)} of the query: ${near}; fix the query (check it with promtool or the Prometheus UI)`,
    valueOffset: offset,
  };
}

/** A PromQL template of a full expression that must use `{{window}}` as its range (events, raw). */
export function checkTemplateQuery(query: string, path: FieldPath, templateName = '{{window}}', syntax: QuerySyntax = UNCACHED): DocumentIssue[] {
  if (query.trim() === '') return [{ path, message: 'the query is empty: write a PromQL expression' }];
  const issues: DocumentIssue[] = [];
  if (!hasWindowTemplate(query)) {
    issues.push({
      path,
      message: `the query has no ${templateName} range: use it where the range goes, e.g. sum(rate(http_requests_total[${templateName}]))`,
    });
  }
  const rendered = renderWindow(query);
  const leftover = rendered.indexOf('{{');
  if (leftover >= 0) {
    issues.push({
      path,
      message: `unknown template ${JSON.stringify(rendered.slice(leftover, rendered.indexOf('}}', leftover) + 2 || undefined))}: the only template variable is ${templateName}`,
      valueOffset: leftover,
    });
    return issues;
  }
  const parsed = syntax.parse(rendered);
  if (parsed.errorOffset !== undefined) issues.push(syntaxError(query, parsed.errorOffset, path));
  return issues;
}

/**
 * A template query checked in the dialect the SLO's plugin chain validates: PromQL (Sloth's default validate
 * plugin), MetricsQL (its VictoriaMetrics plugin: the template and balanced brackets and quotes, as metricops has no
 * MetricsQL parser), or nothing (a chain without a validate plugin, as in Sloth).
 */
export function checkDialectQuery(query: string, path: FieldPath, dialect: 'promql' | 'metricsql' | 'none', templateName: string, syntax: QuerySyntax): DocumentIssue[] {
  if (dialect === 'promql') return checkTemplateQuery(query, path, templateName, syntax);
  if (dialect === 'none') return [];
  if (query.trim() === '') return [{ path, message: 'the query is empty: write a MetricsQL expression' }];
  if (!hasWindowTemplate(query)) return [{ path, message: `the query has no ${templateName} range: use it where the range goes` }];
  const unbalanced = firstUnbalanced(query);
  return unbalanced === undefined ? [] : [{ path, message: `MetricsQL syntax error at ${positionInQuery(query, unbalanced)} of the query: unbalanced bracket or quote; fix the query`, valueOffset: unbalanced }];
}

/** The offset of the first bracket or quote that is not closed (or closes nothing), if any. */
function firstUnbalanced(query: string): number | undefined {
  const open: Array<{ char: string; at: number }> = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let at = 0; at < query.length; at += 1) {
    const char = query[at]!;
    if (char === '"' || char === "'" || char === '`') {
      const end = findClosingQuote(query, at);
      if (end < 0) return at;
      at = end;
    } else if (char === '#') {
      const end = query.indexOf('\n', at);
      at = end < 0 ? query.length : end;
    } else if (char === '(' || char === '[' || char === '{') {
      open.push({ char, at });
    } else if (char in pairs) {
      if (open.pop()?.char !== pairs[char]) return at;
    }
  }
  return open[0]?.at;
}

function findClosingQuote(query: string, start: number): number {
  const quote = query[start]!;
  for (let at = start + 1; at < query.length; at += 1) {
    if (query[at] === '\\' && quote !== '`') at += 1;
    else if (query[at] === quote) return at;
  }
  return -1;
}

/** A plain metric selector (e.g. `http_requests_total{job="api"}`) that metricops wraps in rate()/buckets itself. */
export function checkSelector(query: string, path: FieldPath, example: string, syntax: QuerySyntax = UNCACHED): DocumentIssue[] {
  if (query.trim() === '') return [{ path, message: `the selector is empty: write a metric selector, e.g. ${example}` }];
  if (hasWindowTemplate(query)) {
    return [{ path, message: `write a plain metric selector without {{window}} (metricops adds the range), e.g. ${example}` }];
  }
  const parsed = syntax.parse(query);
  if (parsed.errorOffset !== undefined) return [syntaxError(query, parsed.errorOffset, path)];
  if (parsed.top !== 'VectorSelector') {
    return [
      {
        path,
        message: `expected a metric selector such as ${example}, got a ${parsed.top ?? 'different'} expression: use the events indicator for arbitrary queries`,
      },
    ];
  }
  return [];
}

/** A complete PromQL expression without templates (inline Deployment rules). */
export function checkExpression(query: string, path: FieldPath, syntax: QuerySyntax = UNCACHED): DocumentIssue[] {
  if (query.trim() === '') return [{ path, message: 'the expression is empty: write a PromQL alert expression' }];
  const parsed = syntax.parse(query);
  return parsed.errorOffset === undefined ? [] : [syntaxError(query, parsed.errorOffset, path)];
}

/** "column 12", or "line 2, column 5" for multi-line queries. */
function positionInQuery(query: string, offset: number): string {
  const lines = query.slice(0, offset).split('\n');
  const column = `column ${lines[lines.length - 1]!.length + 1}`;
  return query.trimEnd().includes('\n') ? `line ${lines.length}, ${column}` : column;
}
