import { DurationError, parseDuration } from '../../common/duration.js';
import type { FieldPath } from '../../common/field-path.js';
import { describe } from './describe-value.js';
import type { DocumentIssue } from './document-issue.js';

/**
 * The shapes of the input documents, checked in one pass that reports problems in our own words (what is wrong
 * and how to fix it) at the field they are about. Strict objects name the allowed fields; an unknown field is
 * reported but does not stop the rest of the document from being checked (its value is ignored), so one run lists
 * every problem. Any other problem makes the document invalid: `check` then returns INVALID.
 *
 * A few dozen lines instead of a schema library: the compiler reads thousands of documents per run and starts
 * cold each time, so both the checking and the module loading are on the clock (bench/results/compiler.md).
 */
export const INVALID: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

export interface Schema<T> {
  /** What a valid value is, for messages: "a string", "a mapping". */
  readonly expected: string;
  /** A missing (undefined) value is fine and gives undefined. */
  readonly optional: boolean;
  check(value: unknown, path: FieldPath, issues: DocumentIssue[]): Checked<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function schema<T>(expected: string, check: Schema<T>['check']): Schema<T> {
  return { expected, optional: false, check };
}

function wrongType(value: unknown, path: FieldPath, expected: string, issues: DocumentIssue[]): typeof INVALID {
  issues.push({ path, message: `expected ${expected}, got ${describe(value)}${quoteHint(expected, value)}` });
  return INVALID;
}

function quoteHint(expected: string, value: unknown): string {
  if (expected === 'a string' && (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date)) {
    return ': quote the value to make it a string';
  }
  if (expected === 'a number' && typeof value === 'string') return ': write the number without quotes';
  return '';
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export const string: Schema<string> = schema('a string', (value, path, issues) =>
  typeof value === 'string' ? value : wrongType(value, path, 'a string', issues),
);

export const nonEmptyString: Schema<string> = schema('a string', (value, path, issues) => {
  if (typeof value !== 'string') return wrongType(value, path, 'a string', issues);
  if (value === '') {
    issues.push({ path, message: 'must not be empty' });
    return INVALID;
  }
  return value;
});

export const number: Schema<number> = schema('a number', (value, path, issues) =>
  typeof value === 'number' && Number.isFinite(value) ? value : wrongType(value, path, 'a number', issues),
);

export const boolean: Schema<boolean> = schema('a boolean', (value, path, issues) =>
  typeof value === 'boolean' ? value : wrongType(value, path, 'a boolean', issues),
);

/** Anything, unchecked (the converter looks at it, or refuses it with a reason). */
export const unknown: Schema<unknown> = { expected: 'a value', optional: true, check: (value) => value };

export function literal<const T extends string>(expected: T): Schema<T> {
  return schema(JSON.stringify(expected), (value, path, issues) => {
    if (value === expected) return expected;
    issues.push({ path, message: `must be one of ${JSON.stringify(expected)}, got ${JSON.stringify(value)}` });
    return INVALID;
  });
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return { expected: inner.expected, optional: true, check: (value, path, issues) => (value === undefined ? undefined : inner.check(value, path, issues)) };
}

export function transform<T, U>(inner: Schema<T>, map: (value: T) => U): Schema<U> {
  return {
    expected: inner.expected,
    optional: inner.optional,
    check(value, path, issues) {
      const checked = inner.check(value, path, issues);
      return checked === INVALID ? INVALID : map(checked);
    },
  };
}

/** A value that must also pass `test`; `message` says what is wrong with it and how to fix it. */
export function refine<T>(inner: Schema<T>, test: (value: T) => boolean, message: (value: T) => string): Schema<T> {
  return {
    ...inner,
    check(value, path, issues) {
      const checked = inner.check(value, path, issues);
      if (checked === INVALID) return INVALID;
      if (test(checked)) return checked;
      issues.push({ path, message: message(checked) });
      return INVALID;
    },
  };
}

export function array<T>(item: Schema<T>, options: { min?: number; minMessage?: string } = {}): Schema<T[]> {
  return schema('a list', (value, path, issues) => {
    if (!Array.isArray(value)) return wrongType(value, path, 'a list', issues);
    let valid = true;
    const out: T[] = [];
    value.forEach((element, index) => {
      const checked = item.check(element, [...path, index], issues);
      if (checked === INVALID) valid = false;
      else out.push(checked);
    });
    if (options.min !== undefined && value.length < options.min) {
      issues.push({ path, message: options.minMessage ?? `must have at least ${options.min} entries` });
      return INVALID;
    }
    return valid ? out : INVALID;
  });
}

/** A mapping with free keys: each key must pass `key` (problems point at it), each value `value`. */
export function record<V>(key: Schema<string>, value: Schema<V>): Schema<Record<string, V>> {
  return schema('a mapping', (input, path, issues) => {
    if (!isMapping(input)) return wrongType(input, path, 'a mapping', issues);
    let valid = true;
    const out: Record<string, V> = {};
    for (const [name, element] of Object.entries(input)) {
      const entryPath = [...path, name];
      const checkedKey = key.check(name, entryPath, issues);
      const checked = value.check(element, entryPath, issues);
      if (checkedKey === INVALID || checked === INVALID) valid = false;
      else out[name] = checked;
    }
    return valid ? out : INVALID;
  });
}

/** One of several schemas, tried in order; the message lists what each expects. */
export function union<A, B>(first: Schema<A>, second: Schema<B>): Schema<A | B> {
  const expected = `${first.expected} or ${second.expected}`;
  return schema(expected, (value, path, issues) => {
    for (const candidate of [first, second] as Array<Schema<A | B>>) {
      const scratch: DocumentIssue[] = [];
      const checked = candidate.check(value, path, scratch);
      if (checked !== INVALID) {
        issues.push(...scratch);
        return checked;
      }
    }
    issues.push({ path, message: `expected ${expected}, got ${describe(value)}` });
    return INVALID;
  });
}

type Shape = Record<string, Schema<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<{ [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }>;

/**
 * A mapping with the given fields. Strict: unknown fields are reported (naming the allowed ones) and ignored;
 * `loose` passes them over. A missing required field says which to add.
 */
export function object<S extends Shape>(shape: S, options: { loose?: boolean } = {}): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  const allowed = keys.join(', ');
  return schema('a mapping', (value, path, issues) => {
    if (!isMapping(value)) {
      if (value === undefined) return missing(path, 'a mapping', issues);
      return wrongType(value, path, 'a mapping', issues);
    }
    let valid = true;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const field = shape[key]!;
      const element = value[key];
      if (element === undefined && !field.optional) {
        missing([...path, key], field.expected, issues);
        valid = false;
        continue;
      }
      const checked = field.check(element, [...path, key], issues);
      if (checked === INVALID) valid = false;
      else if (checked !== undefined) out[key] = checked;
    }
    if (!options.loose) {
      for (const key of Object.keys(value)) {
        if (!(key in shape)) issues.push({ path: [...path, key], atKey: true, message: `unknown field "${key}": allowed fields here: ${allowed}` });
      }
    }
    return valid ? (out as ObjectOf<S>) : INVALID;
  });
}

function missing(path: FieldPath, expected: string, issues: DocumentIssue[]): typeof INVALID {
  issues.push({ path, message: `missing required field: add "${String(path[path.length - 1] ?? '')}" (${expected})` });
  return INVALID;
}

/** Checks a document; `data` is absent when it has a problem other than unknown fields (those are only reported). */
export function parseSchema<T>(root: Schema<T>, document: unknown): { data?: T; issues: DocumentIssue[] } {
  const issues: DocumentIssue[] = [];
  const checked = root.check(document, [], issues);
  return checked === INVALID ? { issues } : { data: checked, issues };
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A Prometheus label (or annotation) name: letters, digits and underscores, not starting with a digit or `__`. */
export const labelName: Schema<string> = refine(
  string,
  (name) => LABEL_NAME.test(name) && !name.startsWith('__'),
  (name) => `"${name}" is not a Prometheus label name: use letters, digits and underscores, not starting with a digit or "__" (e.g. ${suggestLabelName(name)})`,
);

export function suggestLabelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(__+|\d)/, '_$1');
  return cleaned === '' ? 'team' : cleaned;
}

/** Rule labels: a map of label name to string value. */
export const labelMap = record(labelName, string);

/** Rule annotations: a map of annotation name to string value (Prometheus requires label-name keys here too). */
export const annotationMap = record(labelName, string);

/**
 * A string as Sloth reads it (sigs.k8s.io/yaml): a number or boolean where a string is expected becomes one, as Go
 * formats it (`2` -> "2", `0.2` -> "0.2", `true` -> "true"). Used in Sloth's formats only.
 */
export const slothString: Schema<string> = schema('a string', (value, path, issues) => {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return Number.isInteger(value) ? value.toFixed(0) : formatGoFloat32(value);
  return wrongType(value, path, 'a string', issues);
});

/** Go's strconv.FormatFloat(value, 'g', -1, 32): the shortest float32 digits, exponent below 1e-4 and from 1e6. */
export function formatGoFloat32(value: number): string {
  const single = Math.fround(value);
  let digits = single.toPrecision(9);
  for (let precision = 1; precision <= 9; precision += 1) {
    const candidate = single.toPrecision(precision);
    if (Math.fround(Number(candidate)) === single) {
      digits = candidate;
      break;
    }
  }
  const [mantissa, exponentText] = Number(digits).toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(Number(digits));
}

/** A Prometheus duration string ("5m", "1h30m"), in milliseconds. */
export const duration: Schema<number> = schema('a duration string such as "5m"', (value, path, issues) => {
  if (typeof value !== 'string') return wrongType(value, path, 'a string', issues);
  try {
    return parseDuration(value);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    issues.push({ path, message: error.message });
    return INVALID;
  }
});
