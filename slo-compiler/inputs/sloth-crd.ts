import { z } from 'zod';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import { parseSchema } from './parse-schema.js';
import { nonEmptyString, strictObject } from './schema.js';
import { convertSlothBody, slothBodyShape, type SlothDialect } from './sloth-spec.js';

export const SLOTH_CRD_API_VERSION = 'sloth.slok.dev/v1';
export const SLOTH_CRD_KIND = 'PrometheusServiceLevel';

/** Sloth's Kubernetes resource: the prometheus/v1 body under `spec`, with camelCase field names. */
const CRD: SlothDialect = {
  base: ['spec'],
  keys: { errorRatioQuery: 'errorRatioQuery', errorQuery: 'errorQuery', totalQuery: 'totalQuery', pageAlert: 'pageAlert', ticketAlert: 'ticketAlert' },
  noSlos: 'a PrometheusServiceLevel needs at least one SLO under spec.slos',
};

const schema = strictObject({
  apiVersion: z.literal(SLOTH_CRD_API_VERSION),
  kind: z.literal(SLOTH_CRD_KIND),
  metadata: z.looseObject({ name: nonEmptyString }),
  spec: strictObject(slothBodyShape(CRD)),
});

/** sloth.slok.dev/v1 PrometheusServiceLevel -> the same Slos as its prometheus/v1 equivalent. */
export function convertSlothCrd(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  return convertSlothBody(parsed.data.spec, CRD, context, parsed.issues);
}
