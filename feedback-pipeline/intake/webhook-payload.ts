import { z } from 'zod';
import { InvalidInputError } from '../../common/errors.js';
import type { Alert } from '../model.js';
import { labelSet } from './label-set.js';
import { optionalEnd, rfc3339 } from './timestamps.js';
import { issuesFromZod } from './zod-issues.js';


const webhookAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet,
  startsAt: rfc3339,
  endsAt: rfc3339,
  generatorURL: z.string(),
  fingerprint: z.string().min(1, { message: 'must not be empty: Alertmanager fingerprints every alert' }),
});

/** Alertmanager's webhook notification, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const webhookPayloadV4 = z.object({
  version: z.literal('4', { message: 'must be "4": metricops reads Alertmanager webhook payload version 4 (Alertmanager 0.16 and later)' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  alerts: z.array(webhookAlert),
});

export type WebhookPayloadV4 = z.output<typeof webhookPayloadV4>;

export const WEBHOOK_SOURCE = 'request body';

/** Validates a webhook body; throws InvalidInputError naming every bad field path. */
export function parseWebhookPayload(body: unknown, source = WEBHOOK_SOURCE): WebhookPayloadV4 {
  const result = webhookPayloadV4.safeParse(body);
  if (!result.success) throw new InvalidInputError(issuesFromZod(result.error, source));
  return result.data;
}

/** The notification's alerts in the pipeline's shape, stamped with when they arrived. */
export function alertsFromWebhook(payload: WebhookPayloadV4, receivedAt: Date): Alert[] {
  return payload.alerts.map((alert) => {
    const endsAt = optionalEnd(alert.endsAt);
    return {
      fingerprint: alert.fingerprint,
      status: alert.status,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      ...(endsAt ? { endsAt } : {}),
      ...(alert.generatorURL !== '' ? { generatorURL: alert.generatorURL } : {}),
      source: 'webhook',
      receivedAt,
    };
  });
}
