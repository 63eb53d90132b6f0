import { formatFieldPath, type FieldPath } from '../../common/field-path.js';
import type { Slo } from '../model.js';
import { chainDialect } from '../plugins/chain.js';
import { resolvePeriod } from './alert-windows.js';
import { checkObjectivePercent, checkSlothName } from './checks.js';
import { problems, type Converted, type DocumentContext } from './document-context.js';
import type { DocumentIssue } from './document-issue.js';
import { checkPluginRequirements, sloPluginSteps } from './plugin-chain.js';
import { checkDialectQuery, normalizeWindowTemplate } from './promql.js';
import { array, boolean, literal, nonEmptyString, number, object, optional, parseSchema, string } from './schema.js';

export const OPENSLO_V1ALPHA = 'openslo/v1alpha';

const metricSource = object({ source: string, queryType: string, query: string });

const schema = object({
  apiVersion: literal(OPENSLO_V1ALPHA),
  kind: literal('SLO'),
  metadata: object({ name: nonEmptyString, displayName: optional(string) }),
  spec: object({
    timeWindows: optional(array(object({ unit: string, count: number, isRolling: optional(boolean), calendar: optional(object({ startTime: string, timeZone: string })) }))),
    budgetingMethod: optional(string),
    description: optional(string),
    indicator: optional(object({ thresholdMetric: optional(metricSource) })),
    service: nonEmptyString,
    objectives: array(
      object({
        displayName: optional(string),
        value: optional(number),
        ratioMetrics: optional(object({ good: metricSource, total: metricSource, counter: optional(boolean) })),
        target: number,
        timeSliceTarget: optional(number),
        op: optional(string),
      }),
      { min: 1, minMessage: 'an OpenSLO v1alpha SLO needs at least one objective' },
    ),
  }),
});

/**
 * OpenSLO `openslo/v1alpha` `kind: SLO`, read as Sloth v0.16 reads it (internal/storage/io/openslo.go): one SLO per
 * objective, id `<service>-<name>-<index>` (the `slo` label) and name `<name>-<index>`, the error ratio
 * `1 - (good / total)` as a raw SLI, the period from `timeWindows` (days) or the default, and no alerts (Sloth
 * generates none for OpenSLO). `sloth_slo_info` says `sloth_mode: cli-gen-openslo`, `sloth_spec: openslo/v1alpha`.
 */
export function convertOpenSloV1alpha(document: unknown, context: DocumentContext): Converted {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return problems(parsed.issues);
  const { metadata, spec } = parsed.data;
  const issues: DocumentIssue[] = [...parsed.issues, ...checkSlothName(spec.service, ['spec', 'service'], 'service name')];
  let period = context.defaultWindow;
  let periodPath: FieldPath = [];
  if ((spec.timeWindows ?? []).length > 1) {
    issues.push({ path: ['spec', 'timeWindows'], message: 'only one time window is supported (as in Sloth): keep one' });
  } else if (spec.timeWindows?.length === 1) {
    const window = spec.timeWindows[0]!;
    periodPath = ['spec', 'timeWindows', 0];
    if (window.unit.toLowerCase() !== 'day' || !Number.isInteger(window.count) || window.count < 1) {
      issues.push({ path: periodPath, message: `only whole days are supported as time windows (as in Sloth): write unit: Day with a count of days, got ${window.count} ${window.unit}` });
    } else {
      period = `${window.count}d`;
    }
  }
  const resolved = resolvePeriod(period, periodPath, context.windowCatalog);
  issues.push(...resolved.issues);
  const plugins = sloPluginSteps(context.appPlugins, undefined, undefined, {}, issues);
  const dialect = chainDialect(plugins ?? []);
  const slos: Slo[] = [];
  spec.objectives.forEach((objective, index) => {
    const base: FieldPath = ['spec', 'objectives', index];
    const found: DocumentIssue[] = [...checkObjectivePercent(objective.target * 100, [...base, 'target'])];
    const name = `${metadata.name}-${index}`;
    found.push(...checkSlothName(name, ['metadata', 'name'], 'SLO name'));
    if (!objective.ratioMetrics) {
      found.push({ path: [...base, 'ratioMetrics'], message: 'missing ratioMetrics: Sloth reads OpenSLO objectives as good/total ratios; add ratioMetrics with good and total' });
      issues.push(...found);
      return;
    }
    const { good, total } = objective.ratioMetrics;
    for (const [field, metric] of [['good', good], ['total', total]] as const) {
      if (metric.source !== 'prometheus' && metric.source !== 'sloth') found.push({ path: [...base, 'ratioMetrics', field, 'source'], message: `source "${metric.source}" is not supported: use prometheus (or sloth)` });
      if (metric.queryType !== 'promql') found.push({ path: [...base, 'ratioMetrics', field, 'queryType'], message: `queryType "${metric.queryType}" is not supported: use promql` });
    }
    // Sloth's template (openSLOErrorRatioRawQueryTpl), rendered as it renders it.
    const query = `\n  1 - (\n    (\n      ${good.query}\n    )\n    /\n    (\n      ${total.query}\n    )\n  )\n`;
    found.push(...checkDialectQuery(query, [...base, 'ratioMetrics'], dialect, '{{.window}}', context.querySyntax));
    issues.push(...found);
    if (found.length > 0 || !resolved.window || !plugins) return;
    const id = `${spec.service}-${name}`;
    const slo: Slo = {
      name: id,
      slothId: id,
      service: spec.service,
      slothSlo: name,
      description: spec.description ?? '',
      objective: objective.target * 100,
      window: resolved.window,
      labels: {},
      indicator: { kind: 'raw', errorRatioQuery: normalizeWindowTemplate(query) },
      alerting: {
        name: '',
        labels: {},
        annotations: {},
        page: { disabled: true, labels: {}, annotations: {} },
        ticket: { disabled: true, labels: {}, annotations: {} },
      },
      format: 'openslo',
      spec: 'openslo/v1alpha',
      ...(resolved.alertWindows ? { alertWindows: resolved.alertWindows } : {}),
      ...(context.appPlugins.plugins.length > 0 || context.appPlugins.disableDefaults ? { plugins } : {}),
      location: { source: context.source, document: context.document, path: formatFieldPath(base) },
    };
    const later = checkPluginRequirements(slo, plugins, base);
    issues.push(...later);
    if (later.length === 0) slos.push(slo);
  });
  return issues.length > 0 ? problems(issues) : { slos, inlineRules: [], issues: [] };
}
