import type { Indicator, Slo, Target } from '../model.js';
import { resolvePeriod } from './alert-windows.js';
import { checkKubernetesName, checkObjectivePercent, checkReservedLabels, deriveAlertName , countsTraffic } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import type { FieldPath } from '../../common/field-path.js';
import { checkPluginRequirements, sloPluginSteps } from './plugin-chain.js';
import { checkSelector, type QuerySyntax } from './promql.js';
import { array, boolean, labelName, literal, nonEmptyString, number, object, optional, parseSchema, record, string, union, unknown, type Infer } from './schema.js';

export const OPENSLO_API_VERSION = 'openslo/v1';
/** Annotation on an OpenSLO SLO naming the Deployment it guards: `<namespace>/<deployment>` or `<deployment>`. */
export const OPENSLO_TARGET_ANNOTATION = 'metricops.io/target';

const metricSchema = object({
  metricSource: object({
    metricSourceRef: optional(string),
    type: optional(string),
    spec: record(string, unknown),
  }),
});

const metadataSchema = object({
  name: nonEmptyString,
  displayName: optional(string),
  labels: optional(record(labelName, union(string, array(string)))),
  annotations: optional(record(string, string)),
});

const sliSpecSchema = object({
  description: optional(string),
  ratioMetric: optional(
    object({
      counter: boolean,
      good: optional(metricSchema),
      bad: optional(metricSchema),
      total: optional(metricSchema),
      rawType: optional(string),
      raw: optional(metricSchema),
    }),
  ),
  thresholdMetric: unknown,
});

const indicatorSchema = object({
  metadata: optional(metadataSchema),
  spec: sliSpecSchema,
});

const sliSchema = object({
  apiVersion: literal(OPENSLO_API_VERSION),
  kind: literal('SLI'),
  metadata: metadataSchema,
  spec: sliSpecSchema,
});

const schema = object({
  apiVersion: literal(OPENSLO_API_VERSION),
  kind: literal('SLO'),
  metadata: metadataSchema,
  spec: object({
    description: optional(string),
    service: nonEmptyString,
    indicator: optional(indicatorSchema),
    indicatorRef: optional(string),
    budgetingMethod: string,
    timeWindow: array(object({ duration: string, isRolling: optional(boolean), calendar: unknown })),
    objectives: array(
      object({
        displayName: optional(string),
        op: optional(string),
        value: optional(number),
        target: optional(number),
        targetPercent: optional(number),
        timeSliceTarget: optional(number),
        timeSliceWindow: unknown,
        indicator: unknown,
        indicatorRef: optional(string),
        compositeWeight: optional(number),
      }),
    ),
    alertPolicies: optional(array(unknown)),
  }),
});

type Spec = Infer<typeof schema>['spec'];

/** OpenSLO v1 `kind: SLI` (referenced by an SLO's indicatorRef) -> its name and indicator. */
export function convertOpenSloSli(document: unknown, syntax: QuerySyntax): { name?: string; indicator?: Indicator; issues: DocumentIssue[] } {
  const parsed = parseSchema(sliSchema, document);
  if (!parsed.data) return { issues: parsed.issues };
  const issues: DocumentIssue[] = [...parsed.issues];
  const indicator = convertSliSpec(parsed.data.spec, ['spec'], issues, syntax);
  return { name: parsed.data.metadata.name, ...(indicator && issues.length === 0 ? { indicator } : {}), issues };
}

/** OpenSLO v1 `kind: SLO` with a ratioMetric (good or bad over total, Prometheus counters), inline or by indicatorRef -> one Slo. */
export function convertOpenSloSpec(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  const { metadata, spec } = parsed.data;
  const issues: DocumentIssue[] = [
    ...parsed.issues,
    ...checkKubernetesName(metadata.name, ['metadata', 'name'], 'SLO name'),
  ];
  const labels = Object.fromEntries(
    Object.entries(metadata.labels ?? {}).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : value]),
  );
  issues.push(...checkReservedLabels(labels, ['metadata', 'labels'], `use the ${OPENSLO_TARGET_ANNOTATION} annotation (<namespace>/<deployment>) instead`));
  const objective = convertObjective(spec, issues);
  const window = convertTimeWindow(spec, issues, context);
  const indicator = convertIndicator(spec, context.openSloIndicators, issues, context.querySyntax);
  const plugins = sloPluginSteps(context.appPlugins, undefined, undefined, {}, issues);
  const target = convertTarget(metadata.annotations?.[OPENSLO_TARGET_ANNOTATION], issues);
  if (spec.budgetingMethod !== 'Occurrences') {
    issues.push({ path: ['spec', 'budgetingMethod'], message: `budgetingMethod "${spec.budgetingMethod}" is not supported: use Occurrences (burn-rate alerts count events)` });
  }
  if (spec.alertPolicies !== undefined && spec.alertPolicies.length > 0) {
    issues.push({ path: ['spec', 'alertPolicies'], message: 'alertPolicies are not supported: metricops generates multiwindow multi-burn-rate alerts itself; remove alertPolicies' });
  }
  if (issues.length > 0 || objective === undefined || !window?.window || !indicator || !plugins) return problems(issues);
  const minEvents = countsTraffic(indicator) ? context.minEvents : undefined;
  const slo: Slo = {
    name: metadata.name,
    slothId: metadata.name,
    service: spec.service,
    slothSlo: metadata.name,
    description: spec.description ?? metadata.displayName ?? '',
    objective,
    window: window.window,
    labels,
    ...(target ? { target } : {}),
    indicator,
    alerting: {
      name: deriveAlertName(metadata.name),
      labels: {},
      annotations: {},
      page: { disabled: false, labels: {}, annotations: {} },
      ticket: { disabled: false, labels: {}, annotations: {} },
      ...(minEvents !== undefined ? { minEvents } : {}),
    },
    format: 'openslo',
    ...(window.alertWindows ? { alertWindows: window.alertWindows } : {}),
    ...(context.appPlugins.plugins.length > 0 || context.appPlugins.disableDefaults ? { plugins } : {}),
    location: { source: context.source, document: context.document, path: 'metadata.name' },
  };
  const later = checkPluginRequirements(slo, plugins, ['spec']);
  return later.length > 0 ? problems(later) : { slos: [slo], inlineRules: [], issues: [] };
}

function convertObjective(spec: Spec, issues: DocumentIssue[]): number | undefined {
  if (spec.objectives.length !== 1) {
    issues.push({ path: ['spec', 'objectives'], message: `expected exactly one objective, got ${spec.objectives.length}: write one SLO per objective` });
    return undefined;
  }
  const objective = spec.objectives[0]!;
  const path: FieldPath = ['spec', 'objectives', 0];
  if ((objective.target === undefined) === (objective.targetPercent === undefined)) {
    issues.push({ path, message: 'set exactly one of target (a ratio, e.g. 0.999) or targetPercent (e.g. 99.9)' });
    return undefined;
  }
  for (const unsupported of ['op', 'value', 'timeSliceTarget', 'timeSliceWindow', 'indicator', 'indicatorRef', 'compositeWeight'] as const) {
    if (objective[unsupported] !== undefined) {
      issues.push({ path: [...path, unsupported], message: `"${unsupported}" is not supported (threshold, time-slice and composite objectives are not): remove it` });
    }
  }
  if (objective.target !== undefined) {
    if (!(objective.target > 0 && objective.target < 1)) {
      issues.push({ path: [...path, 'target'], message: `target ${objective.target} is out of range: write a ratio above 0 and below 1, e.g. 0.999` });
      return undefined;
    }
    return Number((objective.target * 100).toPrecision(12));
  }
  const found = checkObjectivePercent(objective.targetPercent!, [...path, 'targetPercent']);
  issues.push(...found);
  return found.length === 0 ? objective.targetPercent : undefined;
}

const OPENSLO_DURATION = /^(\d+)([mhdwMQY])$/;

function convertTimeWindow(spec: Spec, issues: DocumentIssue[], context: DocumentContext): ReturnType<typeof resolvePeriod> | undefined {
  if (spec.timeWindow.length !== 1) {
    issues.push({ path: ['spec', 'timeWindow'], message: `expected exactly one time window, got ${spec.timeWindow.length}` });
    return undefined;
  }
  const timeWindow = spec.timeWindow[0]!;
  const path: FieldPath = ['spec', 'timeWindow', 0];
  if (timeWindow.isRolling !== true || timeWindow.calendar !== undefined) {
    issues.push({ path: [...path, 'isRolling'], message: 'calendar windows are not supported: use a rolling window (isRolling: true, no calendar)' });
    return undefined;
  }
  const match = OPENSLO_DURATION.exec(timeWindow.duration);
  if (!match || ['M', 'Q', 'Y'].includes(match[2]!)) {
    issues.push({ path: [...path, 'duration'], message: `duration "${timeWindow.duration}" is not supported: use a number with m, h, d or w, e.g. 28d or 4w (months, quarters and years are not fixed lengths)` });
    return undefined;
  }
  const window = resolvePeriod(timeWindow.duration, [...path, 'duration'], context.windowCatalog);
  issues.push(...window.issues);
  return window;
}

function convertIndicator(spec: Spec, indicators: DocumentContext['openSloIndicators'], issues: DocumentIssue[], syntax: QuerySyntax): Indicator | undefined {
  if ((spec.indicatorRef === undefined) === (spec.indicator === undefined)) {
    issues.push({
      path: ['spec', spec.indicator === undefined ? 'indicator' : 'indicatorRef'],
      message: 'set exactly one of indicator (an inline SLI) or indicatorRef (the name of an OpenSLO SLI among the inputs)',
    });
    return undefined;
  }
  if (spec.indicatorRef !== undefined) {
    const found = indicators.get(spec.indicatorRef);
    if (found === undefined) {
      const known = [...indicators.keys()];
      issues.push({
        path: ['spec', 'indicatorRef'],
        message: `no OpenSLO SLI named "${spec.indicatorRef}" among the inputs (${known.length > 0 ? `known: ${known.join(', ')}` : 'there are none'}): add its file to the inputs or inline it under spec.indicator`,
      });
    }
    // An invalid SLI (null) has its own problems reported where it is written.
    return found ?? undefined;
  }
  return convertSliSpec(spec.indicator!.spec, ['spec', 'indicator', 'spec'], issues, syntax);
}

function convertSliSpec(sliSpec: Infer<typeof sliSpecSchema>, base: FieldPath, issues: DocumentIssue[], syntax: QuerySyntax): Indicator | undefined {
  const { ratioMetric, thresholdMetric } = sliSpec;
  if (thresholdMetric !== undefined || ratioMetric === undefined) {
    issues.push({ path: [...base, thresholdMetric !== undefined ? 'thresholdMetric' : 'ratioMetric'], message: 'only ratioMetric indicators are supported: write ratioMetric with good or bad, and total' });
    return undefined;
  }
  const path: FieldPath = [...base, 'ratioMetric'];
  if (!ratioMetric.counter) {
    issues.push({ path: [...path, 'counter'], message: 'only counter metrics are supported: set counter: true and query Prometheus counters' });
    return undefined;
  }
  if (ratioMetric.raw !== undefined || ratioMetric.rawType !== undefined) {
    issues.push({ path: [...path, 'raw'], message: 'raw ratio metrics are not supported: use good or bad, and total' });
    return undefined;
  }
  if ((ratioMetric.good === undefined) === (ratioMetric.bad === undefined) || ratioMetric.total === undefined) {
    issues.push({ path, message: 'set exactly one of good or bad, and total' });
    return undefined;
  }
  const total = prometheusQuery(ratioMetric.total, [...path, 'total'], issues, syntax);
  if (ratioMetric.bad) {
    const bad = prometheusQuery(ratioMetric.bad, [...path, 'bad'], issues, syntax);
    return bad !== undefined && total !== undefined ? { kind: 'ratio', errors: bad, total } : undefined;
  }
  const good = prometheusQuery(ratioMetric.good!, [...path, 'good'], issues, syntax);
  if (good === undefined || total === undefined) return undefined;
  return {
    kind: 'events',
    errorQuery: `sum(rate(${total}[{{window}}])) - sum(rate(${good}[{{window}}]))`,
    totalQuery: `sum(rate(${total}[{{window}}]))`,
  };
}

function prometheusQuery(metric: Infer<typeof metricSchema>, base: FieldPath, issues: DocumentIssue[], syntax: QuerySyntax): string | undefined {
  const source = metric.metricSource;
  const path: FieldPath = [...base, 'metricSource'];
  if (source.metricSourceRef !== undefined || (source.type ?? '').toLowerCase() !== 'prometheus') {
    issues.push({ path: [...path, 'type'], message: 'only inline Prometheus metric sources are supported: set type: Prometheus and spec.query' });
    return undefined;
  }
  const query = source.spec.query;
  if (typeof query !== 'string') {
    issues.push({ path: [...path, 'spec', 'query'], message: 'missing Prometheus query: set spec.query to a counter selector, e.g. http_requests_total{job="api"}' });
    return undefined;
  }
  const found = checkSelector(query, [...path, 'spec', 'query'], 'http_requests_total{job="api"}', syntax);
  issues.push(...found);
  return found.length === 0 ? query : undefined;
}

function convertTarget(annotation: string | undefined, issues: DocumentIssue[]): Target | undefined {
  if (annotation === undefined) return undefined;
  const path: FieldPath = ['metadata', 'annotations', OPENSLO_TARGET_ANNOTATION];
  const parts = annotation.split('/');
  const [namespace, deployment] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['default', parts[0]!];
  const found = parts.length > 2
    ? [{ path, message: `"${annotation}" is not a Deployment reference: write <namespace>/<deployment> or <deployment>` }]
    : [...checkKubernetesName(namespace, path, 'namespace'), ...checkKubernetesName(deployment, path, 'Deployment name')];
  issues.push(...found);
  return found.length === 0 ? { namespace, deployment } : undefined;
}
