/** Output file names: one file per SLO (and one for all inline rules), named after it, stable across runs. */
export function safeFileStem(name: string): string {
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return stem === '' ? 'unnamed' : stem;
}

export function ruleFileName(sloName: string): string {
  return `${safeFileStem(sloName)}.rules.yaml`;
}

export const INLINE_RULES_FILE = 'metricops-inline-rules.rules.yaml';

export function testFileName(sloName: string): string {
  return `tests/${safeFileStem(sloName)}.test.yaml`;
}

/** PrometheusRule metadata.name: a DNS subdomain. */
export function objectName(sloName: string): string {
  return `metricops-${safeFileStem(sloName).replace(/[_.]/g, '-')}`.slice(0, 253);
}
