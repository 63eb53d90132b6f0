import type { AlertSettings, Indicator, ObjectMeta, Slo, SpecKind, Target } from '../model.js';
import { chainDialect } from '../plugins/chain.js';
import { resolvePeriod } from './alert-windows.js';
import { checkMinEvents, checkObjectivePercent, checkReservedLabels, checkSlothName , countsTraffic } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { formatFieldPath, type FieldPath } from '../../common/field-path.js';
import { checkPluginRequirements, declaredBlock, pluginBlock, sloPluginSteps } from './plugin-chain.js';
import { checkDialectQuery, normalizeWindowTemplate } from './promql.js';
import { array, boolean, labelName, literal, number, object, optional, parseSchema, record, slothString, unknown, type Infer, type Schema } from './schema.js';

export const SLOTH_VERSION = 'prometheus/v1';

/** Where the body sits in its document and how its fields are spelled there, for problem paths and messages. */
export interface SlothDialect {
  base: FieldPath;
  keys: {
    errorRatioQuery: string;
    errorQuery: string;
    totalQuery: string;
    pageAlert: string;
    ticketAlert: string;
    /** The spec-level plugin block: `slo_plugins` (prometheus/v1) or `sloPlugins` (the Kubernetes resource). */
    sloPlugins: string;
  };
  /** The problem when `slos` is empty. */
  noSlos: string;
  spec: SpecKind;
}

const PROMETHEUS_V1: SlothDialect = {
  base: [],
  keys: { errorRatioQuery: 'error_ratio_query', errorQuery: 'error_query', totalQuery: 'total_query', pageAlert: 'page_alert', ticketAlert: 'ticket_alert', sloPlugins: 'slo_plugins' },
  noSlos: 'a Sloth spec needs at least one SLO under slos',
  spec: 'prometheus/v1',
};

/**
 * Sloth reads its specs with sigs.k8s.io/yaml, which turns numbers and booleans into strings where a string is
 * expected (label values such as `tier: 2` or `generated: true`): metricops does the same in Sloth's formats.
 */
const labels = record(labelName, slothString);

const alertSchema = object({
  disable: optional(boolean),
  labels: optional(labels),
  annotations: optional(labels),
});

/**
 * The fields of the Sloth spec body (service, labels, plugins, slos), declared once for both spellings: the
 * dialect's field names are what the schema checks (so problems name the fields as the user wrote them).
 */
export function slothBodyShape(dialect: SlothDialect) {
  const { keys } = dialect;
  const slo = object({
    name: slothString,
    objective: number,
    description: optional(slothString),
    labels: optional(labels),
    plugins: optional(pluginBlock),
    infoLabels: unknown,
    interval: unknown,
    sli: object({
      raw: optional(object({ [keys.errorRatioQuery]: slothString })),
      events: optional(object({ [keys.errorQuery]: slothString, [keys.totalQuery]: slothString })),
      plugin: unknown,
    }),
    alerting: optional(
      object({
        name: optional(slothString),
        labels: optional(labels),
        annotations: optional(labels),
        [keys.pageAlert]: optional(alertSchema),
        [keys.ticketAlert]: optional(alertSchema),
      }),
    ),
  });
  return {
    service: slothString,
    labels: optional(labels),
    [keys.sloPlugins]: optional(pluginBlock),
    slos: array(slo, { min: 1, minMessage: dialect.noSlos }),
  };
}

const schema = object({ version: literal(SLOTH_VERSION), ...slothBodyShape(PROMETHEUS_V1) });

type Body = Record<string, unknown> & { service: string; labels?: Record<string, string>; slos: Array<Record<string, unknown>> };
type SlothAlert = Infer<typeof alertSchema>;
interface SlothSlo {
  name: string;
  objective: number;
  description?: string;
  labels?: Record<string, string>;
  plugins?: Infer<typeof pluginBlock>;
  infoLabels?: unknown;
  interval?: unknown;
  sli: { raw?: Record<string, string>; events?: Record<string, string>; plugin?: unknown };
  alerting?: Record<string, unknown> & { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Labels that make a Sloth SLO guard a Deployment (Sloth has no target field; these labels reach the alerts anyway). */
export const SLOTH_TARGET_LABELS = { deployment: 'deployment', namespace: 'namespace' } as const;

/** Sloth `version: prometheus/v1` -> one Slo per entry of `slos`, named like Sloth's id `<service>-<slo name>`. */
export function convertSlothSpec(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema as Schema<unknown>, document);
  if (!parsed.data) return problems(parsed.issues);
  return convertSlothBody(parsed.data as Body, PROMETHEUS_V1, context, parsed.issues);
}

/** Checks a Sloth spec body and converts each SLO; `earlier` are problems already found in the document. */
export function convertSlothBody(spec: Body, dialect: SlothDialect, context: DocumentContext, earlier: DocumentIssue[], objectMeta?: ObjectMeta): Converted {
  const { keys } = dialect;
  const issues: DocumentIssue[] = [
    ...earlier,
    ...checkSlothName(spec.service, [...dialect.base, 'service'], 'service name'),
    ...checkReservedLabels(spec.labels, [...dialect.base, 'labels']),
  ];
  const groupPath: FieldPath = [...dialect.base, keys.sloPlugins];
  const group = declaredBlock(spec[keys.sloPlugins] as Infer<typeof pluginBlock> | undefined, groupPath);
  const slos: Slo[] = [];
  (spec.slos as unknown as SlothSlo[]).forEach((slo, index) => {
    const base: FieldPath = [...dialect.base, 'slos', index];
    const found: DocumentIssue[] = [
      ...checkSlothName(slo.name, [...base, 'name'], 'SLO name'),
      ...checkObjectivePercent(slo.objective, [...base, 'objective']),
    ];
    const useSloLabels = 'set it in the service or SLO labels, which make the SLO guard that Deployment';
    const alerting = slo.alerting ?? {};
    const pageAlert = alerting[keys.pageAlert] as SlothAlert | undefined;
    const ticketAlert = alerting[keys.ticketAlert] as SlothAlert | undefined;
    found.push(
      ...checkReservedLabels(slo.labels, [...base, 'labels']),
      ...checkReservedLabels(alerting.labels, [...base, 'alerting', 'labels'], useSloLabels),
      ...checkReservedLabels(pageAlert?.labels, [...base, 'alerting', keys.pageAlert, 'labels'], useSloLabels),
      ...checkReservedLabels(ticketAlert?.labels, [...base, 'alerting', keys.ticketAlert, 'labels'], useSloLabels),
    );
    const window = resolvePeriod(context.defaultWindow, base, context.windowCatalog);
    found.push(...window.issues);
    const plugins = sloPluginSteps(context.appPlugins, group, declaredBlock(slo.plugins, [...base, 'plugins']), { group: groupPath, slo: [...base, 'plugins'] }, found);
    const indicator = convertSli(slo, base, keys, found, chainDialect(plugins ?? []), context);
    const replacements = { infoLabels: 'sloth.dev/contrib/info_labels/v1', interval: 'sloth.dev/contrib/rule_intervals/v1' } as const;
    for (const [field, plugin] of Object.entries(replacements) as Array<[keyof typeof replacements, string]>) {
      if (slo[field] !== undefined) {
        found.push({ path: [...base, field], message: `"${field}" is not a field of Sloth v0.16's SLOs (it would be ignored): use the ${plugin} plugin in the SLO's plugins chain instead` });
      }
    }
    const pageDisabled = pageAlert?.disable ?? false;
    const ticketDisabled = ticketAlert?.disable ?? false;
    if ((alerting.name ?? '') === '' && !(pageDisabled && ticketDisabled)) {
      found.push({
        path: [...base, 'alerting', 'name'],
        message: `missing alert name: set alerting.name (Sloth requires it unless both ${keys.pageAlert} and ${keys.ticketAlert} are disabled)`,
      });
    }
    issues.push(...found);
    if (found.length > 0 || !indicator || !window.window || !plugins) return;
    const id = `${spec.service}-${slo.name}`;
    const sloLabels = { ...spec.labels, ...slo.labels };
    const target = targetFromLabels(sloLabels);
    const minEvents = countsTraffic(indicator) ? context.minEvents : undefined;
    const converted: Slo = {
      name: id,
      slothId: id,
      service: spec.service,
      slothSlo: slo.name,
      description: slo.description ?? '',
      objective: slo.objective,
      window: window.window,
      labels: sloLabels,
      ...(target ? { target } : {}),
      indicator,
      alerting: {
        name: alerting.name ?? '',
        labels: alerting.labels ?? {},
        annotations: alerting.annotations ?? {},
        page: alertSettings(pageAlert),
        ticket: alertSettings(ticketAlert),
        ...(minEvents !== undefined ? { minEvents } : {}),
      },
      format: 'sloth',
      ...(dialect.spec !== 'prometheus/v1' ? { spec: dialect.spec } : {}),
      ...(window.alertWindows ? { alertWindows: window.alertWindows } : {}),
      ...(hasChain(group, slo, context) ? { plugins } : {}),
      ...(objectMeta ? { objectMeta } : {}),
      location: { source: context.source, document: context.document, path: formatFieldPath([...base, 'name']) },
    };
    const later = [...checkPluginRequirements(converted, plugins, base), ...checkMinEvents(converted, base)];
    issues.push(...later);
    if (later.length === 0) slos.push(converted);
  });
  return issues.length > 0 ? problems(issues) : { slos, inlineRules: [], issues: [] };
}

/** Whether any level declares plugins (else the model keeps the default chain implicit). */
function hasChain(group: unknown, slo: SlothSlo, context: DocumentContext): boolean {
  return group !== undefined || slo.plugins !== undefined || context.appPlugins.plugins.length > 0 || context.appPlugins.disableDefaults;
}

function convertSli(
  slo: SlothSlo, base: FieldPath, keys: SlothDialect['keys'], issues: DocumentIssue[], dialect: 'promql' | 'metricsql' | 'none', context: DocumentContext,
): Indicator | undefined {
  const path = [...base, 'sli'];
  const eventsFields = `sli.events (${keys.errorQuery}, ${keys.totalQuery})`;
  const rawFields = `sli.raw (${keys.errorRatioQuery})`;
  if (slo.sli.plugin !== undefined) {
    issues.push({
      path: [...path, 'plugin'],
      message: `Sloth SLI plugins are Go code, which metricops does not run: write the query the plugin would generate as ${eventsFields} or ${rawFields}`,
    });
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
    const errorQuery = events[keys.errorQuery]!;
    const totalQuery = events[keys.totalQuery]!;
    const errorPath = [...path, 'events', keys.errorQuery];
    if (errorQuery.trim() === totalQuery.trim()) {
      found.push({ path: errorPath, message: `${keys.errorQuery} and ${keys.totalQuery} are the same query: ${keys.errorQuery} must count only the bad events` });
    }
    found.push(
      ...checkDialectQuery(errorQuery, errorPath, dialect, '{{.window}}', context.querySyntax),
      ...checkDialectQuery(totalQuery, [...path, 'events', keys.totalQuery], dialect, '{{.window}}', context.querySyntax),
    );
    indicator = { kind: 'events', errorQuery: normalizeWindowTemplate(errorQuery), totalQuery: normalizeWindowTemplate(totalQuery) };
  } else {
    const query = raw![keys.errorRatioQuery]!;
    found.push(...checkDialectQuery(query, [...path, 'raw', keys.errorRatioQuery], dialect, '{{.window}}', context.querySyntax));
    indicator = { kind: 'raw', errorRatioQuery: normalizeWindowTemplate(query) };
  }
  issues.push(...found);
  return found.length === 0 ? indicator : undefined;
}

function targetFromLabels(labels: Record<string, string>): Target | undefined {
  const deployment = labels[SLOTH_TARGET_LABELS.deployment];
  if (deployment === undefined) return undefined;
  return { deployment, namespace: labels[SLOTH_TARGET_LABELS.namespace] ?? 'default' };
}

function alertSettings(alert: SlothAlert | undefined): AlertSettings {
  return { disabled: alert?.disable ?? false, labels: alert?.labels ?? {}, annotations: alert?.annotations ?? {} };
}

