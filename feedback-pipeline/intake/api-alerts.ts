import { z } from 'zod';
import { InvalidInputError, type InputIssue } from '../../common/errors.js';
import type { Alert } from '../model.js';
import { labelSet } from './label-set.js';
import { optionalEnd, rfc3339 } from './timestamps.js';
import { issuesFromZod } from './zod-issues.js';


/** One element of Alertmanager's `GET /api/v2/alerts` answer (gettableAlert in its OpenAPI spec). */
const gettableAlert = z.object({
  labels: labelSet,
  annotations: labelSet,
  startsAt: rfc3339,
  endsAt: rfc3339,
  updatedAt: rfc3339.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1, { message: 'must not be empty' }),
  receivers: z.array(z.object({ name: z.string() })),
  status: z.object({
    state: z.enum(['unprocessed', 'active', 'suppressed']),
    silencedBy: z.array(z.string()),
    inhibitedBy: z.array(z.string()),
  }),
});

export type GettableAlert = z.output<typeof gettableAlert>;
export type GettableAlerts = GettableAlert[];

/** An answer's valid entries, and one issue per bad field of the others (path `[3].startsAt`). */
export interface ParsedGettableAlerts {
  alerts: GettableAlerts;
  /** Entries left out, with their index and fingerprint (when readable), for the log. */
  invalid: Array<{ index: number; fingerprint?: string; issues: InputIssue[] }>;
}

/**
 * Validates an Alertmanager API answer entry by entry: one bad entry (an impossible date, a non-string label) is
 * left out and reported, the others still count. An answer that is not an array throws InvalidInputError.
 */
export function parseGettableAlerts(body: unknown, source: string): ParsedGettableAlerts {
  if (!Array.isArray(body)) {
    throw new InvalidInputError([{ source, message: `must be a JSON array of alerts (GET /api/v2/alerts), got ${body === null ? 'null' : typeof body}` }]);
  }
  const parsed: ParsedGettableAlerts = { alerts: [], invalid: [] };
  body.forEach((entry: unknown, index) => {
    const result = gettableAlert.safeParse(entry);
    if (result.success) {
      parsed.alerts.push(result.data);
      return;
    }
    const fingerprint = typeof entry === 'object' && entry !== null ? (entry as { fingerprint?: unknown }).fingerprint : undefined;
    parsed.invalid.push({
      index,
      ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
      issues: issuesFromZod(result.error, source, [index]),
    });
  });
  return parsed;
}

/** The firing (not silenced, not inhibited) alerts in the pipeline's shape, as source 'poll'. */
export function alertsFromApi(alerts: GettableAlerts, receivedAt: Date): Alert[] {
  return alerts
    .filter((alert) => alert.status.state !== 'suppressed')
    .map((alert) => {
      const endsAt = optionalEnd(alert.endsAt);
      return {
        fingerprint: alert.fingerprint,
        status: 'firing' as const,
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        ...(endsAt ? { endsAt } : {}),
        ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
        source: 'poll' as const,
        receivedAt,
      };
    });
}
