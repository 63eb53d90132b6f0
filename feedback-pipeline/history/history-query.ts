import { z } from 'zod';
import { InvalidInputError } from '../../common/errors.js';
import type { HistoryQuery } from '../ports.js';
import { issuesFromZod } from '../intake/zod-issues.js';

export const DEFAULT_HISTORY_LIMIT = 100;
export const MAX_HISTORY_LIMIT = 1000;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const historyQuery = z.strictObject(
  {
    namespace: z.string().max(63).regex(DNS_LABEL, { message: 'must be a Kubernetes namespace name (lower-case letters, digits, "-")' }).optional(),
    deployment: z.string().max(253).regex(DNS_SUBDOMAIN, { message: 'must be a Kubernetes Deployment name (lower-case letters, digits, "-", ".")' }).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, { message: `must be a whole number from 1 to ${MAX_HISTORY_LIMIT}` })
      .transform(Number)
      .pipe(z.number().int().min(1, { message: 'must be at least 1' }).max(MAX_HISTORY_LIMIT, { message: `must be at most ${MAX_HISTORY_LIMIT}` }))
      .optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter(s) ${issue.keys.join(', ')}: use namespace, deployment, limit` : undefined) },
);

/** Validates `GET /api/v1/events` query parameters (each given once). */
export function parseHistoryQuery(query: Record<string, unknown>, source = 'query string'): HistoryQuery {
  const repeated = Object.entries(query).filter(([, value]) => Array.isArray(value));
  if (repeated.length > 0) {
    throw new InvalidInputError(repeated.map(([key]) => ({ source, path: key, message: 'must be given once' })));
  }
  const result = historyQuery.safeParse(query);
  if (!result.success) throw new InvalidInputError(issuesFromZod(result.error, source));
  const { namespace, deployment, limit } = result.data;
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(deployment !== undefined ? { deployment } : {}),
    limit: limit ?? DEFAULT_HISTORY_LIMIT,
  };
}
