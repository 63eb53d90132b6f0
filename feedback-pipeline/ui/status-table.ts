/**
 * The overview for terminals (`metricops status`): one line per guarded Deployment in columns, as kubectl prints,
 * then one line that says where the SLO numbers came from. Pure; the same view model as the web page.
 */
import { factorText, imagesText, percentText, statusText } from './html/format.js';
import type { Overview, OverviewRow, PrometheusStatus, Reading } from './view-model.js';

const HEADERS = ['NAMESPACE', 'NAME', 'STATUS', 'IMAGES', 'DEPLOYED-AT', 'BUDGET-LEFT', 'BURN-RATE', 'LAST-ROLLBACK'] as const;

function value(reading: Reading | undefined, as: 'percent' | 'factor'): string {
  if (!reading) return '-';
  if (reading.value === null) return reading.text;
  return as === 'percent' ? percentText(reading.value) : factorText(reading.value);
}

/** One value per SLO: `slo=value`, or just the value when one SLO guards it. */
function perSlo(row: OverviewRow, pick: (slo: OverviewRow['slos'][number]) => string): string {
  if (row.slos.length === 0) return '-';
  if (row.slos.length === 1) return pick(row.slos[0]!);
  return row.slos.map((slo) => `${slo.id}=${pick(slo)}`).join(',');
}

/** Keeps a cell on one line: control characters (a newline in an annotation) become spaces. */
function cell(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function cells(row: OverviewRow): string[] {
  const rollback = row.lastRollback;
  return [
    row.namespace,
    row.name,
    statusText(row.status),
    imagesText(row.images) || '-',
    row.deployedAt?.replace(/\.\d{3}Z$/, 'Z') ?? '-',
    perSlo(row, (slo) => value(slo.budgetRemaining, 'percent')),
    perSlo(row, (slo) => value(slo.currentBurnRate, 'factor')),
    rollback ? `${rollback.time} ${rollback.from.revision ?? '?'}->${rollback.to.revision} (${rollback.alert})` : '-',
  ].map(cell);
}

export function prometheusLine(status: PrometheusStatus): string {
  if (status.state === 'off') return 'SLO numbers: no Prometheus (pass --prometheus-url to see error budgets and burn rates)';
  if (status.state === 'failed') return `SLO numbers: Prometheus did not answer (${status.problem}): ${status.message}`;
  return `SLO numbers: Prometheus at ${status.url}, evaluated at ${status.at}`;
}

export function statusTable(overview: Overview): string {
  const rows = overview.rows.map(cells);
  const lines: string[] = [];
  if (rows.length === 0) {
    lines.push(`No guarded Deployment${overview.query.namespace ? ` in namespace ${overview.query.namespace}` : ''}.`);
  } else {
    const widths = HEADERS.map((header, index) => Math.max(header.length, ...rows.map((row) => row[index]!.length)));
    const line = (values: readonly string[]) => values.map((text, index) => (index === values.length - 1 ? text : text.padEnd(widths[index]!))).join('   ');
    lines.push(line(HEADERS), ...rows.map(line));
  }
  lines.push('', prometheusLine(overview.prometheus));
  const problems = overview.rows.flatMap((row) => row.problems.map((problem) => `${row.namespace}/${row.name}: ${cell(problem)}`));
  if (problems.length > 0) lines.push('Problems:', ...problems.map((problem) => `  - ${problem}`));
  return `${lines.join('\n')}\n`;
}
