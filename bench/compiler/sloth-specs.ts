/**
 * Generates the compiler benchmark's input: Sloth `prometheus/v1` spec files that both metricops and Sloth
 * compile. Deterministic (no randomness): the same count gives the same files, so runs compare.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const OBJECTIVES = [99, 99.5, 99.9, 99.95, 95, 99.99, 98, 99.2];
const SLOS_PER_FILE = 10;

/** The spec of one generated SLO: an events SLI (error/total queries), or a raw error-ratio SLI every 7th. */
function sloYaml(service: number, index: number): string {
  const id = service * SLOS_PER_FILE + index;
  const objective = OBJECTIVES[id % OBJECTIVES.length];
  const job = `svc-${service}`;
  const route = `/api/v${index}`;
  const sli =
    index % 7 === 6
      ? [
          '      raw:',
          `        error_ratio_query: |`,
          `          1 - (sum(rate(probe_success{job="${job}",route="${route}"}[{{.window}}])) / sum(rate(probe_total{job="${job}",route="${route}"}[{{.window}}])))`,
        ]
      : [
          '      events:',
          `        error_query: sum(rate(http_requests_total{job="${job}",route="${route}",code=~"(5..|429)"}[{{.window}}]))`,
          `        total_query: sum(rate(http_requests_total{job="${job}",route="${route}"}[{{.window}}]))`,
        ];
  const ticketDisabled = id % 5 === 4;
  return [
    `  - name: "route-${index}-availability"`,
    `    objective: ${objective}`,
    `    description: "Requests to ${route} of ${job} succeed."`,
    '    labels:',
    `      tier: "${id % 3 === 0 ? 'critical' : 'standard'}"`,
    '    sli:',
    ...sli,
    '    alerting:',
    `      name: Svc${service}Route${index}HighErrorRate`,
    '      labels:',
    `        category: "availability"`,
    '      annotations:',
    `        summary: "High error rate on ${route} of ${job}"`,
    '      page_alert:',
    '        labels:',
    '          severity: critical',
    ...(ticketDisabled
      ? ['      ticket_alert:', '        disable: true']
      : ['      ticket_alert:', '        labels:', '          severity: warning', '        annotations:', `          runbook: "https://runbooks.example.com/${job}"`]),
  ].join('\n');
}

function fileYaml(service: number, count: number): string {
  const slos = Array.from({ length: count }, (_, index) => sloYaml(service, index));
  return ['version: "prometheus/v1"', `service: "svc-${service}"`, 'labels:', `  owner: "team-${service % 12}"`, 'slos:', ...slos, ''].join('\n');
}

/** Writes `total` SLOs, ten per file (one file per service), under `dir`. Returns the file count. */
export async function writeSlothSpecs(dir: string, total: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  let files = 0;
  for (let service = 0; service * SLOS_PER_FILE < total; service += 1) {
    const count = Math.min(SLOS_PER_FILE, total - service * SLOS_PER_FILE);
    await writeFile(join(dir, `svc-${String(service).padStart(4, '0')}.yaml`), fileYaml(service, count));
    files += 1;
  }
  return files;
}
