import type { Alerting, AlertSettings, Indicator, Slo } from '../model.js';
import { resolvePeriod } from './alert-windows.js';
import { checkKubernetesName, checkMinEvents, checkObjectivePercent, checkReservedLabels, deriveAlertName, minEventsSchema , countsTraffic } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { checkPluginRequirements, declaredBlock, pluginBlock, sloPluginSteps } from './plugin-chain.js';
import { chainDialect } from '../plugins/chain.js';
import { checkDialectQuery, checkSelector, normalizeWindowTemplate } from './promql.js';
import { annotationMap, boolean, labelMap, literal, nonEmptyString, number, object, optional, parseSchema, record, string, type Infer } from './schema.js';

export const METRICOPS_API_VERSION = 'metricops.io/v1alpha1';
export const METRICOPS_KIND = 'ServiceLevelObjective';

const indicatorSchema = object({
  ratio: optional(object({ errors: string, total: string })),
  events: optional(object({ errorQuery: string, totalQuery: string })),
  raw: optional(object({ errorRatioQuery: string })),
  latency: optional(object({ histogram: string, threshold: number, native: optional(boolean) })),
  boolGauge: optional(object({ metric: string })),
});

const alertSettingsSchema = object({
  disabled: optional(boolean),
  labels: optional(labelMap),
  annotations: optional(annotationMap),
});

const schema = object({
  apiVersion: literal(METRICOPS_API_VERSION),
  kind: literal(METRICOPS_KIND),
  metadata: object({
    name: nonEmptyString,
    namespace: optional(nonEmptyString),
    labels: optional(labelMap),
    annotations: optional(record(string, string)),
  }),
  spec: object({
    service: nonEmptyString,
    description: optional(string),
    objective: number,
    window: optional(string),
    target: optional(object({ deployment: nonEmptyString, namespace: optional(nonEmptyString) })),
    indicator: indicatorSchema,
    alerting: optional(
      object({
        name: optional(nonEmptyString),
        labels: optional(labelMap),
        annotations: optional(annotationMap),
        page: optional(alertSettingsSchema),
        ticket: optional(alertSettingsSchema),
        minEvents: optional(minEventsSchema),
        noTraffic: optional(alertSettingsSchema),
      }),
    ),
    plugins: optional(pluginBlock),
  }),
});

type Spec = Infer<typeof schema>;
type IndicatorSpec = Infer<typeof indicatorSchema>;
const INDICATOR_KINDS = ['ratio', 'events', 'raw', 'latency', 'boolGauge'] as const;

/** metricops.io/v1alpha1 ServiceLevelObjective -> one Slo. */
export function convertMetricopsSpec(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  const { metadata, spec } = parsed.data;
  const namespace = metadata.namespace ?? 'default';
  const issues: DocumentIssue[] = [
    ...parsed.issues,
    ...checkKubernetesName(metadata.name, ['metadata', 'name'], 'SLO name'),
    ...checkKubernetesName(namespace, ['metadata', 'namespace'], 'namespace'),
    ...checkObjectivePercent(spec.objective, ['spec', 'objective']),
  ];
  const useTarget = 'use spec.target (deployment, namespace) instead';
  issues.push(
    ...checkReservedLabels(metadata.labels, ['metadata', 'labels'], useTarget),
    ...checkReservedLabels(spec.alerting?.labels, ['spec', 'alerting', 'labels'], useTarget),
    ...checkReservedLabels(spec.alerting?.page?.labels, ['spec', 'alerting', 'page', 'labels'], useTarget),
    ...checkReservedLabels(spec.alerting?.ticket?.labels, ['spec', 'alerting', 'ticket', 'labels'], useTarget),
    ...checkReservedLabels(spec.alerting?.noTraffic?.labels, ['spec', 'alerting', 'noTraffic', 'labels'], useTarget),
  );
  const window = resolvePeriod(spec.window ?? context.defaultWindow, spec.window === undefined ? [] : ['spec', 'window'], context.windowCatalog);
  issues.push(...window.issues);
  const plugins = sloPluginSteps(context.appPlugins, undefined, declaredBlock(spec.plugins, ['spec', 'plugins']), { slo: ['spec', 'plugins'] }, issues);
  const indicator = convertIndicator(spec.indicator, issues, chainDialect(plugins ?? []), context);
  if (spec.target) issues.push(...checkKubernetesName(spec.target.deployment, ['spec', 'target', 'deployment'], 'Deployment name'));
  if (issues.length > 0 || !indicator || !window.window || !plugins) return problems(issues);
  const slo: Slo = {
    name: metadata.name,
    slothId: metadata.name,
    service: spec.service,
    slothSlo: metadata.name,
    description: spec.description ?? '',
    objective: spec.objective,
    window: window.window,
    labels: metadata.labels ?? {},
    ...(spec.target ? { target: { namespace: spec.target.namespace ?? namespace, deployment: spec.target.deployment } } : {}),
    indicator,
    alerting: convertAlerting(spec, metadata.name, countsTraffic(indicator) ? context.minEvents : undefined),
    format: 'metricops',
    ...(window.alertWindows ? { alertWindows: window.alertWindows } : {}),
    ...(spec.plugins || context.appPlugins.plugins.length > 0 || context.appPlugins.disableDefaults ? { plugins } : {}),
    location: { source: context.source, document: context.document, path: 'metadata.name' },
  };
  const later = [...checkPluginRequirements(slo, plugins, ['spec']), ...checkMinEvents(slo, ['spec', 'alerting', 'minEvents'])];
  return later.length > 0 ? problems(later) : { slos: [slo], inlineRules: [], issues: [] };
}

function convertIndicator(indicator: IndicatorSpec, issues: DocumentIssue[], dialect: 'promql' | 'metricsql' | 'none', context: DocumentContext): Indicator | undefined {
  const given = INDICATOR_KINDS.filter((kind) => indicator[kind] !== undefined);
  const base = ['spec', 'indicator'];
  if (given.length !== 1) {
    issues.push({
      path: base,
      message:
        given.length === 0
          ? `missing indicator: give exactly one of ${INDICATOR_KINDS.join(', ')}`
          : `more than one indicator (${given.join(', ')}): give exactly one of ${INDICATOR_KINDS.join(', ')}`,
    });
    return undefined;
  }
  const found: DocumentIssue[] = [];
  let result: Indicator | undefined;
  if (indicator.ratio) {
    const { errors, total } = indicator.ratio;
    found.push(
      ...checkSelector(errors, [...base, 'ratio', 'errors'], 'http_requests_total{job="api",code=~"5.."}', context.querySyntax),
      ...checkSelector(total, [...base, 'ratio', 'total'], 'http_requests_total{job="api"}', context.querySyntax),
    );
    result = { kind: 'ratio', errors, total };
  } else if (indicator.events) {
    const { errorQuery, totalQuery } = indicator.events;
    found.push(
      ...checkDialectQuery(errorQuery, [...base, 'events', 'errorQuery'], dialect, '{{window}}', context.querySyntax),
      ...checkDialectQuery(totalQuery, [...base, 'events', 'totalQuery'], dialect, '{{window}}', context.querySyntax),
    );
    result = { kind: 'events', errorQuery: normalizeWindowTemplate(errorQuery), totalQuery: normalizeWindowTemplate(totalQuery) };
  } else if (indicator.raw) {
    found.push(...checkDialectQuery(indicator.raw.errorRatioQuery, [...base, 'raw', 'errorRatioQuery'], dialect, '{{window}}', context.querySyntax));
    result = { kind: 'raw', errorRatioQuery: normalizeWindowTemplate(indicator.raw.errorRatioQuery) };
  } else if (indicator.latency) {
    const { histogram, threshold, native = false } = indicator.latency;
    const path = [...base, 'latency', 'histogram'];
    found.push(...checkSelector(histogram, path, 'http_request_duration_seconds{job="api"}', context.querySyntax));
    const suffix = /^[a-zA-Z_:][a-zA-Z0-9_:]*?(_bucket|_count|_sum)\b/.exec(histogram)?.[1];
    if (suffix) {
      found.push({ path, message: `write the histogram's base name without "${suffix}" (metricops adds _bucket and _count itself)` });
    }
    if (!(threshold > 0) || !Number.isFinite(threshold)) {
      found.push({ path: [...base, 'latency', 'threshold'], message: `threshold ${threshold} must be a positive number of seconds, e.g. 0.3 (it must match a bucket "le" boundary of a classic histogram)` });
    }
    result = { kind: 'latency', histogram, threshold, native };
  } else if (indicator.boolGauge) {
    found.push(...checkSelector(indicator.boolGauge.metric, [...base, 'boolGauge', 'metric'], 'probe_success{job="blackbox"}', context.querySyntax));
    result = { kind: 'boolGauge', metric: indicator.boolGauge.metric };
  }
  issues.push(...found);
  return found.length === 0 ? result : undefined;
}

function convertAlerting(spec: Spec['spec'], sloName: string, defaultMinEvents: number | undefined): Alerting {
  const alerting = spec.alerting ?? {};
  const minEvents = alerting.minEvents ?? defaultMinEvents;
  return {
    name: alerting.name ?? deriveAlertName(sloName),
    labels: alerting.labels ?? {},
    annotations: alerting.annotations ?? {},
    page: alertSettings(alerting.page),
    ticket: alertSettings(alerting.ticket),
    ...(minEvents !== undefined ? { minEvents } : {}),
    ...(alerting.noTraffic ? { noTraffic: alertSettings(alerting.noTraffic) } : {}),
  };
}

function alertSettings(settings: { disabled?: boolean | undefined; labels?: Record<string, string> | undefined; annotations?: Record<string, string> | undefined } | undefined): AlertSettings {
  return { disabled: settings?.disabled ?? false, labels: settings?.labels ?? {}, annotations: settings?.annotations ?? {} };
}
