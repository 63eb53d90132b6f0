import { z } from 'zod';
import { InvalidInputError } from '../../common/errors.js';
import type { Alert } from '../model.js';
import { optionalEnd, rfc3339 } from './timestamps.js';
import { issuesFromZod } from './zod-issues.js';

const labelSet = z.record(z.string(), z.string());

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

export const gettableAlerts = z.array(gettableAlert);
export type GettableAlerts = z.output<typeof gettableAlerts>;

/** Validates an Alertmanager API answer; throws InvalidInputError naming every bad field path. */
export function parseGettableAlerts(body: unknown, source: string): GettableAlerts {
  const result = gettableAlerts.safeParse(body);
  if (!result.success) throw new InvalidInputError(issuesFromZod(result.error, source));
  return result.data;
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
