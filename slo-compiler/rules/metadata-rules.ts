import type { Slo, SpecKind } from '../model.js';
import type { BurnRateWindows } from './burn-rate.js';
import { clean, formatNumber } from './number.js';
import { formatPromDuration } from './prom-duration.js';
import type { RecordingRule } from './rule.js';
import { sliErrorMetric } from './sli-rules.js';
import { labelFilter, mergeLabels, sloIdLabels, SlothLabels, sloFilter } from './slo-labels.js';

/** What sloth_slo_info says produced the rules; Sloth's dashboards list SLOs by this series. */
export interface GeneratorInfo {
  version: string;
  /** `sloth_mode` for every SLO; absent: Sloth's CLI mode of the SLO's spec kind (sloMode). */
  mode?: string;
}

const SPEC_NAMES = { sloth: 'prometheus/v1', openslo: 'openslo/v1', metricops: 'metricops/v1' } as const;

/** The `sloth_spec` of an SLO: the document kind it was read from. */
export function sloSpec(slo: Slo): SpecKind {
  return slo.spec ?? SPEC_NAMES[slo.format];
}

/** Sloth's `sloth_mode` for `sloth generate` of that kind: Kubernetes resources, OpenSLO, or plain specs. */
export function sloMode(slo: Slo): string {
  const spec = sloSpec(slo);
  if (spec === 'sloth.slok.dev/v1') return 'cli-gen-k8s';
  if (spec.startsWith('openslo/')) return 'cli-gen-openslo';
  return 'cli-gen-prom';
}

/** Sloth's metadata recording rules: objective, error budget, period, current and period burn rate, info. */
export function metadataRecordingRules(slo: Slo, periodMs: number, windows: BurnRateWindows, info: GeneratorInfo): RecordingRule[] {
  const labels = mergeLabels(sloIdLabels(slo), slo.labels);
  const filter = sloFilter(slo);
  const objective = clean(slo.objective / 100);
  const burnRate = (window: string) =>
    `${sliErrorMetric(window)}${filter}\n/ on(${SlothLabels.id}, ${SlothLabels.slo}, ${SlothLabels.service}) group_left\nslo:error_budget:ratio${filter}\n`;
  return [
    { record: 'slo:objective:ratio', expr: `vector(${formatNumber(objective)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(1-${formatNumber(objective)})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${formatNumber(periodMs / 86_400_000)})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: burnRate(formatPromDuration(windows.pageQuick.shortWindow)), labels },
    { record: 'slo:period_burn_rate:ratio', expr: burnRate(formatPromDuration(periodMs)), labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${filter}`, labels },
    {
      record: 'sloth_slo_info',
      expr: 'vector(1)',
      labels: mergeLabels(labels, {
        sloth_mode: info.mode ?? sloMode(slo),
        sloth_objective: formatNumber(slo.objective),
        sloth_spec: sloSpec(slo),
        sloth_version: info.version,
      }),
    },
  ];
}
