import type { z } from 'zod';
import type { InputIssue } from '../../common/errors.js';

/** Dotted field path as users read it: alerts[0].labels.slo. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}

/** Every zod issue as an InputIssue located in `source`, keeping all of them (nothing lost). */
export function issuesFromZod(error: z.ZodError, source: string): InputIssue[] {
  return error.issues.map((issue) => {
    const path = fieldPath(issue.path);
    return path === '' ? { source, message: issue.message } : { source, path, message: issue.message };
  });
}
