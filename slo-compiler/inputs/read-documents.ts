import jsYaml from 'js-yaml';
import { yamlParser } from './yaml-document-parser.js';
import type { InputIssue } from '../../common/errors.js';

export interface YamlDocument {
  /** 0-based position of the document in its file. */
  index: number;
  value: unknown;
}

export interface ReadDocumentsResult {
  documents: YamlDocument[];
  issues: InputIssue[];
}

/**
 * Splits a multi-document YAML text into parsed documents. The fast parser (js-yaml) reads valid files; a file with
 * a syntax error is read again by `yaml`, which reports every broken document (with its line) and keeps the others.
 */
export function readDocuments(source: string, text: string): ReadDocumentsResult {
  let values: unknown[];
  try {
    values = jsYaml.loadAll(text, undefined, { filename: source });
  } catch (error) {
    if (!(error instanceof jsYaml.YAMLException)) throw error;
    return readBrokenDocuments(source, text, error);
  }
  const documents = values.flatMap((value, index) => (value === null || value === undefined ? [] : [{ index, value }]));
  if (documents.length === 0) return { documents, issues: [emptyFileIssue(source)] };
  return { documents, issues: [] };
}

function emptyFileIssue(source: string): InputIssue {
  return {
    source,
    message: 'the file has no YAML documents: add an SLO spec (or remove the file from the inputs)',
  };
}

function readBrokenDocuments(source: string, text: string, fastError: jsYaml.YAMLException): ReadDocumentsResult {
  const documents: YamlDocument[] = [];
  const issues: InputIssue[] = [];
  yamlParser().parseAllDocuments(text, { merge: true, prettyErrors: true }).forEach((document, index) => {
    if (document.errors.length === 0) {
      const value: unknown = document.toJS({ maxAliasCount: 10_000 });
      if (value !== null && value !== undefined) documents.push({ index, value });
      return;
    }
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      issues.push({
        source,
        document: index,
        ...(position ? { line: position.line, column: position.col } : {}),
        message: `YAML syntax error: ${firstLine(error.message)}; fix the YAML at this line (check indentation, quotes and colons)`,
      });
    }
  });
  if (issues.length === 0) {
    // The two parsers disagree (rare): report the fast parser's error, which made the file unreadable.
    issues.push({
      source,
      line: fastError.mark.line + 1,
      column: fastError.mark.column + 1,
      message: `YAML syntax error: ${fastError.reason}; fix the YAML at this line`,
    });
  }
  return { documents, issues };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
