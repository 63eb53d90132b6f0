import type { z } from 'zod';
import type { DocumentIssue } from './document-issue.js';
import { fromZodIssues } from './zod-issues.js';

/**
 * Validates a document against a strict schema. When the only problems are unknown fields, the document is parsed
 * again without them, so the caller can still check the rest (PromQL, ranges) and report everything at once.
 */
export function parseSchema<Schema extends z.ZodType>(
  schema: Schema,
  document: unknown,
): { data?: z.infer<Schema>; issues: DocumentIssue[] } {
  const parsed = schema.safeParse(document);
  if (parsed.success) return { data: parsed.data, issues: [] };
  const issues = fromZodIssues(parsed.error.issues, document);
  if (!parsed.error.issues.every((issue) => issue.code === 'unrecognized_keys')) return { issues };
  const pruned = structuredClone(document);
  for (const issue of parsed.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    let holder: unknown = pruned;
    for (const segment of issue.path) holder = (holder as Record<PropertyKey, unknown>)[segment as PropertyKey];
    for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
  }
  const again = schema.safeParse(pruned);
  return again.success ? { data: again.data, issues } : { issues };
}
