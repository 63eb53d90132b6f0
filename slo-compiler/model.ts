/**
 * The compiler's normalized SLO model: what every input format (metricops, Sloth prometheus/v1, OpenSLO v1,
 * inline Deployment rules) is parsed and validated into, and what rule generation consumes.
 * Parsing (slo-compiler/inputs/*) produces it; generation (slo-compiler/rules/*) never sees raw YAML.
 */
import type { InputLocation } from '../common/errors.js';
import type { SloSeverity } from '../common/contract/alert-labels.js';
import { namespacedName } from '../common/contract/deployment-ref.js';
import type { AlertWindows } from './rules/burn-rate.js';

export type { GuardingAlert } from '../common/contract/guarding-alert.js';

export type SpecFormat = 'metricops' | 'sloth' | 'openslo';

/**
 * The document kind an SLO was read from, as `sloth_slo_info` names it (`sloth_spec`; `sloth_mode` follows: Sloth's
 * Kubernetes resource is `cli-gen-k8s`, OpenSLO `cli-gen-openslo`, the rest `cli-gen-prom`).
 */
export type SpecKind = 'metricops/v1' | 'prometheus/v1' | 'sloth.slok.dev/v1' | 'openslo/v1' | 'openslo/v1alpha';

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
  /**
   * Burn-rate alerts fire only while the long window of their pair saw at least this many events; the SLO then also
   * gets the no-traffic alert (docs/design.md, "Thin traffic"). Absent: no minimum, no no-traffic alert.
   */
  minEvents?: number;
  /** The no-traffic alert's own settings (only with minEvents). */
  noTraffic?: AlertSettings;
}

/** One step of an SLO's plugin chain (Sloth's SLO plugins, run natively), its config already checked. */
export interface PluginStep {
  id: string;
  config?: unknown;
}

/** Kubernetes metadata of the document an SLO came from (Sloth's PrometheusServiceLevel), for the output object. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
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
  /** The document kind; absent: the format's usual one (metricops/v1, prometheus/v1, openslo/v1). */
  spec?: SpecKind;
  /** The alert window pairs of the period (an AlertWindows catalog); absent: the workbook's pairs. */
  alertWindows?: AlertWindows;
  /** The plugin chain in run order, defaults included; absent: the default chain (validate, SLI, metadata, alert rules). */
  plugins?: PluginStep[];
  /** Sloth's PrometheusServiceLevel metadata, for a PrometheusRule named like Sloth's (the `input` layout). */
  objectMeta?: ObjectMeta;
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
  /**
   * Each source file's path relative to the input path it was found under (`--layout input` mirrors it in the
   * output folder, as Sloth does); a source missing here is written under its file name.
   */
  inputPaths?: ReadonlyMap<string, string>;
}
