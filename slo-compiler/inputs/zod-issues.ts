import type { z } from 'zod';
import type { DocumentIssue } from './document-issue.js';
import { valueAt, type FieldPath } from '../../common/field-path.js';

type ZodIssue = z.core.$ZodIssue;

/** Turns schema errors into messages that say what is wrong and how to fix it, one per field. */
export function fromZodIssues(issues: readonly ZodIssue[], document: unknown, base: FieldPath = []): DocumentIssue[] {
  return issues.flatMap((issue) => fromZodIssue(issue, document, base));
}

function fromZodIssue(issue: ZodIssue, document: unknown, base: FieldPath): DocumentIssue[] {
  const path: FieldPath = [...base, ...(issue.path as Array<string | number>)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], atKey: true, message: `unknown field "${key}": ${issue.message}` }));
    case 'invalid_type': {
      const value = valueAt(document, path);
      if (value === undefined) return [{ path, message: `missing required field: add "${String(path[path.length - 1] ?? '')}" (${article(issue.expected)})` }];
      return [{ path, message: `expected ${article(issue.expected)}, got ${describe(value)}${quoteHint(issue.expected, value)}` }];
    }
    case 'invalid_key':
      return [{ path, message: issue.issues.map((inner) => inner.message).join('; ') }];
    case 'invalid_union': {
      const expected = issue.errors
        .map((branch) => branch.find((inner) => inner.code === 'invalid_type'))
        .flatMap((inner) => (inner?.code === 'invalid_type' ? [article(inner.expected)] : []));
      const value = valueAt(document, path);
      return [{ path, message: `expected ${expected.length > 0 ? expected.join(' or ') : 'another shape'}, got ${describe(value)}` }];
    }
    case 'invalid_value':
      return [{ path, message: `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, got ${JSON.stringify(valueAt(document, path))}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'record':
      return 'a mapping';
    case 'integer':
    case 'array of strings':
      return `an ${expected}`;
    default:
      return `a ${expected}`;
  }
}

/** How a YAML value reads to the user who wrote it. */
export function describe(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `a date (${value.toISOString()})`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function quoteHint(expected: string, value: unknown): string {
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date)) {
    return ': quote the value to make it a string';
  }
  if (expected === 'number' && typeof value === 'string') return ': write the number without quotes';
  return '';
}
