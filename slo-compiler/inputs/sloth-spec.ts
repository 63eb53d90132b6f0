import { z } from 'zod';
import type { AlertSettings, Indicator, Slo, Target } from '../model.js';
import { checkObjectivePercent, checkReservedLabels, checkSlothName, checkWindow } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { formatFieldPath, type FieldPath } from '../../common/field-path.js';
import { checkTemplateQuery, normalizeWindowTemplate } from './promql.js';
import { annotationMap, labelMap, nonEmptyString, strictObject } from './schema.js';
import { parseSchema } from './parse-schema.js';

export const SLOTH_VERSION = 'prometheus/v1';

const alertSchema = strictObject({
  disable: z.boolean().optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
});

const sloSchema = strictObject({
  name: nonEmptyString,
  objective: z.number(),
  description: z.string().optional(),
  labels: labelMap.optional(),
  infoLabels: z.unknown().optional(),
  interval: z.unknown().optional(),
  sli: strictObject({
    raw: strictObject({ error_ratio_query: z.string() }).optional(),
    events: strictObject({ error_query: z.string(), total_query: z.string() }).optional(),
    plugin: z.unknown().optional(),
  }),
  alerting: strictObject({
    name: z.string().optional(),
    labels: labelMap.optional(),
    annotations: annotationMap.optional(),
    page_alert: alertSchema.optional(),
    ticket_alert: alertSchema.optional(),
  }).optional(),
});

const schema = strictObject({
  version: z.literal(SLOTH_VERSION),
  service: nonEmptyString,
  labels: labelMap.optional(),
  slos: z.array(sloSchema).min(1, { error: 'a Sloth spec needs at least one SLO under slos' }),
});

type SlothSlo = z.infer<typeof sloSchema>;

/** The Sloth spec body (service, labels, slos) in prometheus/v1 field names; the Kubernetes CRD is mapped onto it. */
export type SlothSpecBody = Omit<z.infer<typeof schema>, 'version'>;

/** Where the body sits in its document and how its fields are spelled there, for problem paths and messages. */
export interface SlothDialect {
  base: FieldPath;
  keys: { errorRatioQuery: string; errorQuery: string; totalQuery: string; pageAlert: string; ticketAlert: string };
}

const PROMETHEUS_V1: SlothDialect = {
  base: [],
  keys: { errorRatioQuery: 'error_ratio_query', errorQuery: 'error_query', totalQuery: 'total_query', pageAlert: 'page_alert', ticketAlert: 'ticket_alert' },
};

/** Labels that make a Sloth SLO guard a Deployment (Sloth has no target field; these labels reach the alerts anyway). */
export const SLOTH_TARGET_LABELS = { deployment: 'deployment', namespace: 'namespace' } as const;

/** Sloth `version: prometheus/v1` -> one Slo per entry of `slos`, named like Sloth's id `<service>-<slo name>`. */
export function convertSlothSpec(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  return convertSlothBody(parsed.data, PROMETHEUS_V1, context, parsed.issues);
}

/** Checks a Sloth spec body and converts each SLO; `earlier` are problems already found in the document. */
export function convertSlothBody(spec: SlothSpecBody, dialect: SlothDialect, context: DocumentContext, earlier: DocumentIssue[]): Converted {
  const { keys } = dialect;
  const issues: DocumentIssue[] = [
    ...earlier,
    ...checkSlothName(spec.service, [...dialect.base, 'service'], 'service name'),
    ...checkReservedLabels(spec.labels, [...dialect.base, 'labels']),
  ];
  const window = checkWindow(context.defaultWindow, []);
  issues.push(...window.issues);
  const slos: Slo[] = [];
  spec.slos.forEach((slo, index) => {
    const base: FieldPath = [...dialect.base, 'slos', index];
    const found: DocumentIssue[] = [
      ...checkSlothName(slo.name, [...base, 'name'], 'SLO name'),
      ...checkObjectivePercent(slo.objective, [...base, 'objective']),
    ];
    const useSloLabels = 'set it in the service or SLO labels, which make the SLO guard that Deployment';
    found.push(
      ...checkReservedLabels(slo.labels, [...base, 'labels']),
      ...checkReservedLabels(slo.alerting?.labels, [...base, 'alerting', 'labels'], useSloLabels),
      ...checkReservedLabels(slo.alerting?.page_alert?.labels, [...base, 'alerting', keys.pageAlert, 'labels'], useSloLabels),
      ...checkReservedLabels(slo.alerting?.ticket_alert?.labels, [...base, 'alerting', keys.ticketAlert, 'labels'], useSloLabels),
    );
    const indicator = convertSli(slo, base, keys, found);
    for (const unsupported of ['infoLabels', 'interval'] as const) {
      if (slo[unsupported] !== undefined) {
        found.push({ path: [...base, unsupported], message: `Sloth's "${unsupported}" is not supported by metricops yet: remove it (it would otherwise be silently ignored)` });
      }
    }
    const alerting = slo.alerting ?? {};
    const pageDisabled = alerting.page_alert?.disable ?? false;
    const ticketDisabled = alerting.ticket_alert?.disable ?? false;
    if ((alerting.name ?? '') === '' && !(pageDisabled && ticketDisabled)) {
      found.push({
        path: [...base, 'alerting', 'name'],
        message: `missing alert name: set alerting.name (Sloth requires it unless both ${keys.pageAlert} and ${keys.ticketAlert} are disabled)`,
      });
    }
    issues.push(...found);
    if (found.length > 0 || !indicator || !window.window) return;
    const id = `${spec.service}-${slo.name}`;
    const labels = { ...spec.labels, ...slo.labels };
    const target = targetFromLabels(labels);
    slos.push({
      name: id,
      slothId: id,
      service: spec.service,
      slothSlo: slo.name,
      description: slo.description ?? '',
      objective: slo.objective,
      window: window.window,
      labels,
      ...(target ? { target } : {}),
      indicator,
      alerting: {
        name: alerting.name ?? '',
        labels: alerting.labels ?? {},
        annotations: alerting.annotations ?? {},
        page: alertSettings(alerting.page_alert),
        ticket: alertSettings(alerting.ticket_alert),
      },
      format: 'sloth',
      location: { source: context.source, document: context.document, path: formatFieldPath([...base, 'name']) },
    });
  });
  return issues.length > 0 ? problems(issues) : { slos, inlineRules: [], issues: [] };
}

function convertSli(slo: SlothSlo, base: FieldPath, keys: SlothDialect['keys'], issues: DocumentIssue[]): Indicator | undefined {
  const path = [...base, 'sli'];
  const eventsFields = `sli.events (${keys.errorQuery}, ${keys.totalQuery})`;
  const rawFields = `sli.raw (${keys.errorRatioQuery})`;
  if (slo.sli.plugin !== undefined) {
    issues.push({ path: [...path, 'plugin'], message: `Sloth SLI plugins are not supported: write the plugin's queries as ${eventsFields} or ${rawFields}` });
    return undefined;
  }
  const { raw, events } = slo.sli;
  if ((raw === undefined) === (events === undefined)) {
    issues.push({
      path,
      message: raw ? 'both sli.raw and sli.events are set: keep exactly one' : `missing SLI: set exactly one of ${eventsFields} or ${rawFields}`,
    });
    return undefined;
  }
  const found: DocumentIssue[] = [];
  let indicator: Indicator;
  if (events) {
    const errorPath = [...path, 'events', keys.errorQuery];
    if (events.error_query.trim() === events.total_query.trim()) {
      found.push({ path: errorPath, message: `${keys.errorQuery} and ${keys.totalQuery} are the same query: ${keys.errorQuery} must count only the bad events` });
    }
    found.push(
      ...checkTemplateQuery(events.error_query, errorPath, '{{.window}}'),
      ...checkTemplateQuery(events.total_query, [...path, 'events', keys.totalQuery], '{{.window}}'),
    );
    indicator = { kind: 'events', errorQuery: normalizeWindowTemplate(events.error_query), totalQuery: normalizeWindowTemplate(events.total_query) };
  } else {
    found.push(...checkTemplateQuery(raw!.error_ratio_query, [...path, 'raw', keys.errorRatioQuery], '{{.window}}'));
    indicator = { kind: 'raw', errorRatioQuery: normalizeWindowTemplate(raw!.error_ratio_query) };
  }
  issues.push(...found);
  return found.length === 0 ? indicator : undefined;
}

function targetFromLabels(labels: Record<string, string>): Target | undefined {
  const deployment = labels[SLOTH_TARGET_LABELS.deployment];
  if (deployment === undefined) return undefined;
  return { deployment, namespace: labels[SLOTH_TARGET_LABELS.namespace] ?? 'default' };
}

function alertSettings(alert: { disable?: boolean | undefined; labels?: Record<string, string> | undefined; annotations?: Record<string, string> | undefined } | undefined): AlertSettings {
  return { disabled: alert?.disable ?? false, labels: alert?.labels ?? {}, annotations: alert?.annotations ?? {} };
}
