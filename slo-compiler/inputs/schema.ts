import { z } from 'zod';

/**
 * Building blocks of the input schemas: strict objects whose unknown-field errors list the allowed fields, and the
 * Prometheus label maps every format shares.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `allowed fields here: ${allowed}` : undefined),
  });
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A Prometheus label (or annotation) name: letters, digits and underscores, not starting with a digit or `__`. */
export const labelName = z.string().check(
  z.refine((name: string) => LABEL_NAME.test(name) && !name.startsWith('__'), {
    error: (issue) =>
      `"${String(issue.input)}" is not a Prometheus label name: use letters, digits and underscores, not starting with a digit or "__" (e.g. ${suggestLabelName(String(issue.input))})`,
  }),
);

export function suggestLabelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(__+|\d)/, '_$1');
  return cleaned === '' ? 'team' : cleaned;
}

/** Rule labels: a map of label name to string value. */
export const labelMap = z.record(labelName, z.string());

/** Rule annotations: a map of annotation name to string value (Prometheus requires label-name keys here too). */
export const annotationMap = z.record(labelName, z.string());

export const nonEmptyString = z.string().min(1, { error: 'must not be empty' });
