/** `metricops.io/deployed-at`: RFC 3339 UTC at second precision, like Kubernetes timestamps (2026-11-21T14:30:00Z). */
import { parseRfc3339 } from '../rfc3339.js';
import type { AnnotationValue } from './annotation-value.js';

export function formatDeployedAt(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseDeployedAt(text: string): AnnotationValue<Date> {
  const time = parseRfc3339(text.trim());
  if (!time.ok) {
    return { ok: false, problem: `"${text}" is not an RFC 3339 time such as 2026-01-02T15:04:05Z (the webhook stamps it on each rollout)` };
  }
  return { ok: true, value: time.value };
}
