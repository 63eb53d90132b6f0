/**
 * The UI's query strings, checked: each parameter once, known parameters only, every bad value named with what a good
 * one looks like (InvalidInputError; the page answers 400 and lists them). An empty value (a form's empty field)
 * means "not given".
 */
import { z } from 'zod';
import { InvalidInputError } from '../../common/errors.js';
import { issuesFromZod } from '../intake/zod-issues.js';
import { RANGE_CHOICES, type RangeChoice } from './chart-data.js';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from './overview.js';
import type { OverviewQuery } from './view-model.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter(s) ${issue.keys.join(', ')}: use ${known}` : undefined),
  });
}

const overviewSchema = strict({
  namespace: z.string().max(63).regex(DNS_LABEL, { message: 'must be a Kubernetes namespace name (lower-case letters, digits, "-")' }).optional(),
  name: z.string().max(253, { message: 'must be at most 253 characters' }).optional(),
  page: wholeNumber(1, 1_000_000).optional(),
  per_page: wholeNumber(1, MAX_PER_PAGE).optional(),
});

const rangeSchema = strict({
  range: z.enum(RANGE_CHOICES, { message: `must be one of ${RANGE_CHOICES.join(', ')}` }).optional(),
});

function present(query: Record<string, unknown>, source: string): Record<string, unknown> {
  const repeated = Object.entries(query).filter(([, value]) => Array.isArray(value));
  if (repeated.length > 0) throw new InvalidInputError(repeated.map(([key]) => ({ source, path: key, message: 'must be given once' })));
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

function checked<T>(schema: z.ZodType<T>, query: Record<string, unknown>, source: string): T {
  const result = schema.safeParse(present(query, source));
  if (!result.success) throw new InvalidInputError(issuesFromZod(result.error, source));
  return result.data;
}

export function parseOverviewQuery(query: Record<string, unknown>, source = 'query string'): OverviewQuery {
  const { namespace, name, page, per_page: perPage } = checked(overviewSchema, query, source);
  const trimmed = name?.trim();
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(trimmed ? { name: trimmed } : {}),
    page: page ?? 1,
    perPage: perPage ?? DEFAULT_PER_PAGE,
  };
}

export function parseRangeQuery(query: Record<string, unknown>, source = 'query string'): RangeChoice {
  return checked(rangeSchema, query, source).range ?? 'auto';
}
