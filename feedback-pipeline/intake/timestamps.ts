import { z } from 'zod';
import { parseRfc3339 } from '../../common/rfc3339.js';

/** Go's "zero time", which Alertmanager sends as endsAt of an alert that has no end yet. */
const GO_ZERO_TIME_YEAR = 1;

/**
 * An RFC 3339 timestamp as Alertmanager writes it (nanoseconds allowed), parsed to a Date; an impossible one
 * (2026-02-30, hour 25) is an issue at its field, never rolled over (common/rfc3339.ts).
 */
export const rfc3339 = z.string().transform((text, context) => {
  const parsed = parseRfc3339(text);
  if (!parsed.ok) {
    context.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return parsed.value;
});

/** undefined for Go's zero time (no end), else the date. */
export function optionalEnd(date: Date): Date | undefined {
  return date.getUTCFullYear() <= GO_ZERO_TIME_YEAR ? undefined : date;
}
