import { z } from 'zod';
import type { Alerting, AlertSettings, Indicator, Slo } from '../model.js';
import { checkKubernetesName, checkObjectivePercent, checkReservedLabels, checkWindow, deriveAlertName } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { checkSelector, checkTemplateQuery, normalizeWindowTemplate } from './promql.js';
import { annotationMap, labelMap, nonEmptyString, strictObject } from './schema.js';
import { parseSchema } from './parse-schema.js';

export const METRICOPS_API_VERSION = 'metricops.io/v1alpha1';
export const METRICOPS_KIND = 'ServiceLevelObjective';

const indicatorSchema = strictObject({
  ratio: strictObject({ errors: z.string(), total: z.string() }).optional(),
  events: strictObject({ errorQuery: z.string(), totalQuery: z.string() }).optional(),
  raw: strictObject({ errorRatioQuery: z.string() }).optional(),
  latency: strictObject({ histogram: z.string(), threshold: z.number(), native: z.boolean().optional() }).optional(),
  boolGauge: strictObject({ metric: z.string() }).optional(),
});

const alertSettingsSchema = strictObject({
  disabled: z.boolean().optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
});

const schema = strictObject({
  apiVersion: z.literal(METRICOPS_API_VERSION),
  kind: z.literal(METRICOPS_KIND),
  metadata: strictObject({
    name: nonEmptyString,
    namespace: nonEmptyString.optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: strictObject({
    service: nonEmptyString,
    description: z.string().optional(),
    objective: z.number(),
    window: z.string().optional(),
    target: strictObject({ deployment: nonEmptyString, namespace: nonEmptyString.optional() }).optional(),
    indicator: indicatorSchema,
    alerting: strictObject({
      name: nonEmptyString.optional(),
      labels: labelMap.optional(),
      annotations: annotationMap.optional(),
      page: alertSettingsSchema.optional(),
      ticket: alertSettingsSchema.optional(),
    }).optional(),
  }),
});

type Spec = z.infer<typeof schema>;
type IndicatorSpec = z.infer<typeof indicatorSchema>;
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
  );
  const window = checkWindow(spec.window ?? context.defaultWindow, ['spec', 'window']);
  issues.push(...window.issues);
  const indicator = convertIndicator(spec.indicator, issues);
  if (spec.target) issues.push(...checkKubernetesName(spec.target.deployment, ['spec', 'target', 'deployment'], 'Deployment name'));
  if (issues.length > 0 || !indicator || !window.window) return problems(issues);
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
    alerting: convertAlerting(spec, metadata.name),
    format: 'metricops',
    location: { source: context.source, document: context.document, path: 'metadata.name' },
  };
  return { slos: [slo], inlineRules: [], issues: [] };
}

function convertIndicator(indicator: IndicatorSpec, issues: DocumentIssue[]): Indicator | undefined {
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
      ...checkSelector(errors, [...base, 'ratio', 'errors'], 'http_requests_total{job="api",code=~"5.."}'),
      ...checkSelector(total, [...base, 'ratio', 'total'], 'http_requests_total{job="api"}'),
    );
    result = { kind: 'ratio', errors, total };
  } else if (indicator.events) {
    const { errorQuery, totalQuery } = indicator.events;
    found.push(
      ...checkTemplateQuery(errorQuery, [...base, 'events', 'errorQuery']),
      ...checkTemplateQuery(totalQuery, [...base, 'events', 'totalQuery']),
    );
    result = { kind: 'events', errorQuery: normalizeWindowTemplate(errorQuery), totalQuery: normalizeWindowTemplate(totalQuery) };
  } else if (indicator.raw) {
    found.push(...checkTemplateQuery(indicator.raw.errorRatioQuery, [...base, 'raw', 'errorRatioQuery']));
    result = { kind: 'raw', errorRatioQuery: normalizeWindowTemplate(indicator.raw.errorRatioQuery) };
  } else if (indicator.latency) {
    const { histogram, threshold, native = false } = indicator.latency;
    const path = [...base, 'latency', 'histogram'];
    found.push(...checkSelector(histogram, path, 'http_request_duration_seconds{job="api"}'));
    const suffix = /^[a-zA-Z_:][a-zA-Z0-9_:]*?(_bucket|_count|_sum)\b/.exec(histogram)?.[1];
    if (suffix) {
      found.push({ path, message: `write the histogram's base name without "${suffix}" (metricops adds _bucket and _count itself)` });
    }
    if (!(threshold > 0) || !Number.isFinite(threshold)) {
      found.push({ path: [...base, 'latency', 'threshold'], message: `threshold ${threshold} must be a positive number of seconds, e.g. 0.3 (it must match a bucket "le" boundary of a classic histogram)` });
    }
    result = { kind: 'latency', histogram, threshold, native };
  } else if (indicator.boolGauge) {
    found.push(...checkSelector(indicator.boolGauge.metric, [...base, 'boolGauge', 'metric'], 'probe_success{job="blackbox"}'));
    result = { kind: 'boolGauge', metric: indicator.boolGauge.metric };
  }
  issues.push(...found);
  return found.length === 0 ? result : undefined;
}

function convertAlerting(spec: Spec['spec'], sloName: string): Alerting {
  const alerting = spec.alerting ?? {};
  return {
    name: alerting.name ?? deriveAlertName(sloName),
    labels: alerting.labels ?? {},
    annotations: alerting.annotations ?? {},
    page: alertSettings(alerting.page),
    ticket: alertSettings(alerting.ticket),
  };
}

function alertSettings(settings: { disabled?: boolean | undefined; labels?: Record<string, string> | undefined; annotations?: Record<string, string> | undefined } | undefined): AlertSettings {
  return { disabled: settings?.disabled ?? false, labels: settings?.labels ?? {}, annotations: settings?.annotations ?? {} };
}
