import type { ObjectMeta } from '../model.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import { literal, nonEmptyString, object, optional, parseSchema, record, slothString, string, unknown, type Schema } from './schema.js';
import { convertSlothBody, slothBodyShape, type SlothDialect } from './sloth-spec.js';

export const SLOTH_CRD_API_VERSION = 'sloth.slok.dev/v1';
export const SLOTH_CRD_KIND = 'PrometheusServiceLevel';

/** Sloth's Kubernetes resource: the prometheus/v1 body under `spec`, with camelCase field names. */
const CRD: SlothDialect = {
  base: ['spec'],
  keys: { errorRatioQuery: 'errorRatioQuery', errorQuery: 'errorQuery', totalQuery: 'totalQuery', pageAlert: 'pageAlert', ticketAlert: 'ticketAlert', sloPlugins: 'sloPlugins' },
  noSlos: 'a PrometheusServiceLevel needs at least one SLO under spec.slos',
  spec: 'sloth.slok.dev/v1',
};

const schema = object({
  apiVersion: literal(SLOTH_CRD_API_VERSION),
  kind: literal(SLOTH_CRD_KIND),
  metadata: object({ name: nonEmptyString, namespace: optional(string), labels: optional(record(string, slothString)), annotations: optional(record(string, slothString)) }, { loose: true }),
  spec: object(slothBodyShape(CRD)),
  status: unknown,
});

/**
 * sloth.slok.dev/v1 PrometheusServiceLevel -> the same Slos as its prometheus/v1 equivalent; `sloth_slo_info` says
 * `sloth_mode: cli-gen-k8s` and `sloth_spec: sloth.slok.dev/v1` as Sloth's does, and the `input` layout writes the
 * rules as the PrometheusRule Sloth writes (its name, namespace, labels and annotations).
 */
export function convertSlothCrd(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema as Schema<unknown>, document);
  if (!parsed.data) return problems(parsed.issues);
  const { metadata, spec } = parsed.data as { metadata: ObjectMeta; spec: Parameters<typeof convertSlothBody>[0] };
  const objectMeta: ObjectMeta = {
    name: metadata.name,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    ...(metadata.labels ? { labels: metadata.labels } : {}),
    ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
  };
  return convertSlothBody(spec, CRD, context, parsed.issues, objectMeta);
}
