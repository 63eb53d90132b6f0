import { z } from 'zod';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Go's "zero time", which Alertmanager sends as endsAt of an alert that has no end yet. */
const GO_ZERO_TIME_YEAR = 1;

/** An RFC 3339 timestamp as Alertmanager writes it (nanoseconds allowed), parsed to a Date. */
export const rfc3339 = z
  .string()
  .regex(RFC3339, { message: 'must be an RFC 3339 timestamp such as 2026-01-02T15:04:05Z' })
  .transform((text, context) => {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: 'custom', message: `"${text}" is not a real date and time` });
      return z.NEVER;
    }
    return date;
  });

/** undefined for Go's zero time (no end), else the date. */
export function optionalEnd(date: Date): Date | undefined {
  return date.getUTCFullYear() <= GO_ZERO_TIME_YEAR ? undefined : date;
}
