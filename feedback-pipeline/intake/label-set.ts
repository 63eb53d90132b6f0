import { z } from 'zod';

/**
 * A label (or annotation) map as Alertmanager sends it, kept whole: every key becomes a label of a null-prototype
 * object, so `__proto__`, `constructor` and `prototype` are labels like any other (valid label names in
 * Prometheus and Alertmanager) and are neither dropped nor able to reach an object's prototype. Values must be
 * strings; each other value is an issue at its own path (`alerts[0].labels.severity`).
 */
export const labelSet = z.unknown().transform((value, context) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.addIssue({ code: 'custom', message: `must be an object of label names to string values, got ${describe(value)}` });
    return z.NEVER;
  }
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let valid = true;
  // Object.entries lists an own "__proto__" key (JSON.parse makes one); assigning it on a null-prototype object
  // makes an own property, as for any other key.
  for (const [name, label] of Object.entries(value)) {
    if (typeof label !== 'string') {
      context.addIssue({ code: 'custom', path: [name], message: `must be a string, got ${describe(label)}` });
      valid = false;
      continue;
    }
    labels[name] = label;
  }
  return valid ? labels : z.NEVER;
});

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
