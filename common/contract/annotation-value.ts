/**
 * How a stamped annotation's value is read back: parsed, or a problem that says what is wrong and what was expected.
 * Never thrown: a reader decides what a bad value means (the feedback pipeline refuses to roll back on it).
 */
import type { z } from 'zod';
import { formatFieldPath } from '../field-path.js';

export type AnnotationValue<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parses a JSON annotation value against `schema`; `expected` describes the shape for the problem message. */
export function parseJsonAnnotation<T>(text: string, schema: z.ZodType<T>, expected: string): AnnotationValue<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON (${(error as Error).message}): expected ${expected}` };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const details = result.error.issues
    .map((issue) => `${formatFieldPath(issue.path as Array<string | number>) || '(top level)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, problem: `${details}: expected ${expected}` };
}
