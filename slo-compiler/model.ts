/**
 * The compiler's normalized SLO model: what every input format (metricops, Sloth prometheus/v1, OpenSLO v1,
 * inline Deployment rules) is parsed and validated into, and what rule generation consumes.
 * Parsing (slo-compiler/inputs/*) produces it; generation (slo-compiler/rules/*) never sees raw YAML.
 */
import type { InputLocation } from '../common/errors.js';
import type { SloSeverity } from '../common/contract/alert-labels.js';
import { namespacedName } from '../common/contract/deployment-ref.js';

export type { GuardingAlert } from '../common/contract/guarding-alert.js';

export type SpecFormat = 'metricops' | 'sloth' | 'openslo';

/** How the error ratio of the SLI is measured. Queries are PromQL; templates use `{{window}}` for the range. */
export type Indicator =
  /** Counters: error ratio = sum(rate(errors[w])) / sum(rate(total[w])). */
  | { kind: 'ratio'; errors: string; total: string }
  /** Arbitrary PromQL templates containing `{{window}}`: error ratio = (errorQuery) / (totalQuery). Sloth `events`. */
  | { kind: 'events'; errorQuery: string; totalQuery: string }
  /** A PromQL template containing `{{window}}` that is already the error ratio. Sloth `raw`. */
  | { kind: 'raw'; errorRatioQuery: string }
  /** A histogram: requests slower than `threshold` seconds are errors. `native` selects native-histogram PromQL. */
  | { kind: 'latency'; histogram: string; threshold: number; native: boolean }
  /** A 0/1 gauge (e.g. probe_success): error ratio = 1 - avg_over_time(metric[w]). */
  | { kind: 'boolGauge'; metric: string };

export interface AlertSettings {
  /** Disabled alerts are not generated. */
  disabled: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Alerting {
  /** Alert rule name (`alert:`); both severities share it, like Sloth. */
  name: string;
  /** Labels and annotations added to both alerts. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  page: AlertSettings;
  ticket: AlertSettings;
}

/** The Deployment an SLO guards: alerts then carry `namespace` and `deployment`, enabling rollback. */
export interface Target {
  namespace: string;
  deployment: string;
}

export interface Slo {
  /** `metadata.name` (native, OpenSLO) or Sloth's `<service>-<slo name>` id: the `slo` alert label. Unique. */
  name: string;
  /** Sloth's `sloth_id`, `sloth_service` and `sloth_slo` label values (native specs get them too, for Sloth dashboards). */
  slothId: string;
  service: string;
  slothSlo: string;
  description: string;
  /** Percent, 0 < objective < 100. */
  objective: number;
  /** SLO period in Prometheus duration form, e.g. "30d". */
  window: string;
  /** Labels added to every recording and alerting rule of this SLO. */
  labels: Record<string, string>;
  target?: Target;
  indicator: Indicator;
  alerting: Alerting;
  format: SpecFormat;
  /** Where the spec came from, for messages and for output file naming. */
  location: InputLocation;
}

/** A Deployment's `metricops.io/rule` annotation: one page alert guarding it. */
export interface InlineRule {
  namespace: string;
  deployment: string;
  expr: string;
  /** Prometheus duration, default "1m". */
  for: string;
  location: InputLocation;
}

/** "namespace/deployment": an inline rule's Deployment, the key that keeps it unique. */
export function inlineRuleKey(rule: Pick<InlineRule, 'namespace' | 'deployment'>): string {
  return namespacedName({ namespace: rule.namespace, name: rule.deployment });
}

/** Everything read from the inputs, validated. */
export interface CompileInput {
  slos: Slo[];
  inlineRules: InlineRule[];
}
