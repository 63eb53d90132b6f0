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

/** Where the body sits in its document and how its fields are spelled there, for problem paths and messages. */
export interface SlothDialect {
  base: FieldPath;
  keys: { errorRatioQuery: string; errorQuery: string; totalQuery: string; pageAlert: string; ticketAlert: string };
  /** The problem when `slos` is empty. */
  noSlos: string;
}

const PROMETHEUS_V1: SlothDialect = {
  base: [],
  keys: { errorRatioQuery: 'error_ratio_query', errorQuery: 'error_query', totalQuery: 'total_query', pageAlert: 'page_alert', ticketAlert: 'ticket_alert' },
  noSlos: 'a Sloth spec needs at least one SLO under slos',
};

const alertSchema = strictObject({
  disable: z.boolean().optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
});

type SlothAlert = z.output<typeof alertSchema>;

/**
 * The fields of the Sloth spec body (service, labels, slos), declared once for both spellings: the dialect's field
 * names are what the schema checks (so problems name the fields as the user wrote them), and both parse into the
 * same body (raw: the error ratio query; events: errorQuery, totalQuery; alerting: pageAlert, ticketAlert).
 */
export function slothBodyShape(dialect: SlothDialect) {
  const { keys } = dialect;
  const raw = strictObject({ [keys.errorRatioQuery]: z.string() }).transform((value) => value[keys.errorRatioQuery] as string);
  const events = strictObject({ [keys.errorQuery]: z.string(), [keys.totalQuery]: z.string() }).transform((value) => ({
    errorQuery: value[keys.errorQuery] as string,
    totalQuery: value[keys.totalQuery] as string,
  }));
  const alerting = strictObject({
    name: z.string().optional(),
    labels: labelMap.optional(),
    annotations: annotationMap.optional(),
    [keys.pageAlert]: alertSchema.optional(),
    [keys.ticketAlert]: alertSchema.optional(),
  }).transform(({ name, labels, annotations, ...alerts }) => ({
    name: name as string | undefined,
    labels: labels as Record<string, string> | undefined,
    annotations: annotations as Record<string, string> | undefined,
    pageAlert: alerts[keys.pageAlert] as SlothAlert | undefined,
    ticketAlert: alerts[keys.ticketAlert] as SlothAlert | undefined,
  }));
  const slo = strictObject({
    name: nonEmptyString,
    objective: z.number(),
    description: z.string().optional(),
    labels: labelMap.optional(),
    infoLabels: z.unknown().optional(),
    interval: z.unknown().optional(),
    sli: strictObject({
      raw: raw.optional(),
      events: events.optional(),
      plugin: z.unknown().optional(),
    }),
    alerting: alerting.optional(),
  });
  return {
    service: nonEmptyString,
    labels: labelMap.optional(),
    slos: z.array(slo).min(1, { error: dialect.noSlos }),
  };
}

const schema = strictObject({ version: z.literal(SLOTH_VERSION), ...slothBodyShape(PROMETHEUS_V1) });

/** The Sloth spec body as parsed from either spelling. */
export type SlothSpecBody = Omit<z.output<typeof schema>, 'version'>;
type SlothSlo = SlothSpecBody['slos'][number];

/** Labels that make a Sloth SLO guard a Deployment (Sloth has no target field; these labels reach the alerts anyway). */
export const SLOTH_TARGET_LABELS = { deployment: 'deployment', namespace: 'namespace' } as const;

/** Sloth `version: prometheus/v1` -> one Slo per entry of `slos`, named like Sloth's id `<service>-<slo name>`. */
export function convertSlothSpec(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  const { version: _version, ...body } = parsed.data;
  return convertSlothBody(body, PROMETHEUS_V1, context, parsed.issues);
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
      ...checkReservedLabels(slo.alerting?.pageAlert?.labels, [...base, 'alerting', keys.pageAlert, 'labels'], useSloLabels),
      ...checkReservedLabels(slo.alerting?.ticketAlert?.labels, [...base, 'alerting', keys.ticketAlert, 'labels'], useSloLabels),
    );
    const indicator = convertSli(slo, base, keys, found);
    for (const unsupported of ['infoLabels', 'interval'] as const) {
      if (slo[unsupported] !== undefined) {
        found.push({ path: [...base, unsupported], message: `Sloth's "${unsupported}" is not supported by metricops yet: remove it (it would otherwise be silently ignored)` });
      }
    }
    const alerting: Partial<NonNullable<SlothSlo['alerting']>> = slo.alerting ?? {};
    const pageDisabled = alerting.pageAlert?.disable ?? false;
    const ticketDisabled = alerting.ticketAlert?.disable ?? false;
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
        page: alertSettings(alerting.pageAlert),
        ticket: alertSettings(alerting.ticketAlert),
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
    if (events.errorQuery.trim() === events.totalQuery.trim()) {
      found.push({ path: errorPath, message: `${keys.errorQuery} and ${keys.totalQuery} are the same query: ${keys.errorQuery} must count only the bad events` });
    }
    found.push(
      ...checkTemplateQuery(events.errorQuery, errorPath, '{{.window}}'),
      ...checkTemplateQuery(events.totalQuery, [...path, 'events', keys.totalQuery], '{{.window}}'),
    );
    indicator = { kind: 'events', errorQuery: normalizeWindowTemplate(events.errorQuery), totalQuery: normalizeWindowTemplate(events.totalQuery) };
  } else {
    found.push(...checkTemplateQuery(raw!, [...path, 'raw', keys.errorRatioQuery], '{{.window}}'));
    indicator = { kind: 'raw', errorRatioQuery: normalizeWindowTemplate(raw!) };
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
