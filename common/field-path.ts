/** A path to a field inside one YAML document: object keys and array indexes, outermost first. */
export type FieldPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `spec.indicator.ratio.errors`, `slos[0].sli`, `metadata.annotations["metricops.io/rule"]`: the one field-path
 * formatter of every message that names a field (inputs, rule files, HTTP bodies, annotation values).
 */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** The value at `path` in a parsed YAML document, or undefined when any step is missing. */
export function valueAt(document: unknown, path: FieldPath): unknown {
  let value = document;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The inverse of formatFieldPath: `slos[0].name` -> ['slos', 0, 'name']. */
export function parseFieldPath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of path.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(`"${match[3]}"`) as string);
  }
  return segments;
}
