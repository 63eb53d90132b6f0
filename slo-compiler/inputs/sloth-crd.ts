import { z } from 'zod';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import { parseSchema } from './parse-schema.js';
import { annotationMap, labelMap, nonEmptyString, strictObject } from './schema.js';
import { convertSlothBody, type SlothDialect, type SlothSpecBody } from './sloth-spec.js';

export const SLOTH_CRD_API_VERSION = 'sloth.slok.dev/v1';
export const SLOTH_CRD_KIND = 'PrometheusServiceLevel';

const alertSchema = strictObject({
  disable: z.boolean().optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
});

/** Sloth's Kubernetes resource: the prometheus/v1 spec under `spec`, with camelCase field names. */
const schema = strictObject({
  apiVersion: z.literal(SLOTH_CRD_API_VERSION),
  kind: z.literal(SLOTH_CRD_KIND),
  metadata: z.looseObject({ name: nonEmptyString }),
  spec: strictObject({
    service: nonEmptyString,
    labels: labelMap.optional(),
    slos: z.array(
      strictObject({
        name: nonEmptyString,
        objective: z.number(),
        description: z.string().optional(),
        labels: labelMap.optional(),
        infoLabels: z.unknown().optional(),
        interval: z.unknown().optional(),
        sli: strictObject({
          raw: strictObject({ errorRatioQuery: z.string() }).optional(),
          events: strictObject({ errorQuery: z.string(), totalQuery: z.string() }).optional(),
          plugin: z.unknown().optional(),
        }),
        alerting: strictObject({
          name: z.string().optional(),
          labels: labelMap.optional(),
          annotations: annotationMap.optional(),
          pageAlert: alertSchema.optional(),
          ticketAlert: alertSchema.optional(),
        }).optional(),
      }),
    ).min(1, { error: 'a PrometheusServiceLevel needs at least one SLO under spec.slos' }),
  }),
});

const CRD: SlothDialect = {
  base: ['spec'],
  keys: { errorRatioQuery: 'errorRatioQuery', errorQuery: 'errorQuery', totalQuery: 'totalQuery', pageAlert: 'pageAlert', ticketAlert: 'ticketAlert' },
};

/** sloth.slok.dev/v1 PrometheusServiceLevel -> the same Slos as its prometheus/v1 equivalent. */
export function convertSlothCrd(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  const { spec } = parsed.data;
  const body: SlothSpecBody = {
    service: spec.service,
    ...(spec.labels ? { labels: spec.labels } : {}),
    slos: spec.slos.map(({ sli, alerting, ...slo }) => ({
      ...slo,
      sli: {
        ...(sli.raw ? { raw: { error_ratio_query: sli.raw.errorRatioQuery } } : {}),
        ...(sli.events ? { events: { error_query: sli.events.errorQuery, total_query: sli.events.totalQuery } } : {}),
        ...(sli.plugin !== undefined ? { plugin: sli.plugin } : {}),
      },
      ...(alerting
        ? {
            alerting: {
              ...(alerting.name !== undefined ? { name: alerting.name } : {}),
              ...(alerting.labels ? { labels: alerting.labels } : {}),
              ...(alerting.annotations ? { annotations: alerting.annotations } : {}),
              ...(alerting.pageAlert ? { page_alert: alerting.pageAlert } : {}),
              ...(alerting.ticketAlert ? { ticket_alert: alerting.ticketAlert } : {}),
            },
          }
        : {}),
    })),
  };
  return convertSlothBody(body, CRD, context, parsed.issues);
}
