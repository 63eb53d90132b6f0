import type { InputIssue } from '../../../../common/errors.js';
import { parseSpecs } from '../../../../slo-compiler/inputs/parse.js';

/** Native spec lines 1-9; `spec` is indented by 2 and `indicator` content starts at line 8. */
function native(fields: { objective?: string; extra?: string; indicator?: string; metadata?: string } = {}): string {
  return [
    'apiVersion: metricops.io/v1alpha1',
    'kind: ServiceLevelObjective',
    `metadata: ${fields.metadata ?? '{name: checkout-availability, namespace: shop}'}`,
    'spec:',
    '  service: checkout',
    `  objective: ${fields.objective ?? '99.9'}`,
    '  indicator:',
    `    ${fields.indicator ?? `ratio: {errors: 'http_requests_total{code=~"5.."}', total: 'http_requests_total'}`}`,
    ...(fields.extra ? [fields.extra] : []),
    '',
  ].join('\n');
}

function sloth(sli: string, extra = ''): string {
  return [
    'version: prometheus/v1',
    'service: myservice',
    'slos:',
    '  - name: requests',
    '    objective: 99',
    '    alerting: {name: MyAlert}',
    '    sli:',
    sli,
    extra,
  ].join('\n');
}

function openslo(indicatorSpec: string, rest = ''): string {
  return [
    'apiVersion: openslo/v1',
    'kind: SLO',
    'metadata: {name: search}',
    'spec:',
    '  service: search',
    '  budgetingMethod: Occurrences',
    '  timeWindow: [{duration: 28d, isRolling: true}]',
    '  objectives: [{target: 0.99}]',
    '  indicator:',
    '    spec:',
    indicatorSpec,
    rest,
  ].join('\n');
}

interface Case {
  description: string;
  text: string;
  expected: Array<Partial<InputIssue> & { message: string }>;
}

const cases: Case[] = [
  {
    description: 'a native objective of 100 is out of range',
    text: native({ objective: '100' }),
    expected: [{ document: 0, path: 'spec.objective', line: 6, column: 14, message: 'objective 100 is out of range: write a percentage above 0 and below 100' }],
  },
  {
    description: 'a native objective of 0 is out of range',
    text: native({ objective: '0' }),
    expected: [{ path: 'spec.objective', line: 6, message: 'objective 0 is out of range' }],
  },
  {
    description: 'a quoted objective is the wrong type and the fix says to drop the quotes',
    text: native({ objective: '"99.9"' }),
    expected: [{ path: 'spec.objective', line: 6, message: 'expected a number, got the string "99.9": write the number without quotes' }],
  },
  {
    description: 'an unknown field names the fields allowed there',
    text: native({ extra: '  windw: 30d' }),
    expected: [{ path: 'spec.windw', line: 9, column: 3, message: 'unknown field "windw": allowed fields here: service, description, objective, window, target, indicator, alerting' }],
  },
  {
    description: 'an unknown field and a PromQL error in the same document are both reported',
    text: native({ extra: '  windw: 30d', indicator: `ratio: {errors: 'http_requests_total{code=~"5.."', total: 'http_requests_total'}` }),
    expected: [
      { path: 'spec.indicator.ratio.errors', line: 8, column: 53, message: 'PromQL syntax error at column 32 of the query: the query ends too early' },
      { path: 'spec.windw', line: 9, message: 'unknown field "windw"' },
    ],
  },
  {
    description: 'a missing indicator lists the kinds to choose from',
    text: native({ indicator: '{}' }).replace('  indicator:\n    {}', '  indicator: {}'),
    expected: [{ path: 'spec.indicator', line: 7, message: 'missing indicator: give exactly one of ratio, events, raw, latency, boolGauge' }],
  },
  {
    description: 'two indicators are one too many',
    text: native({ extra: '    boolGauge: {metric: up}' }),
    expected: [{ path: 'spec.indicator', message: 'more than one indicator (ratio, boolGauge)' }],
  },
  {
    description: 'a missing required field says which one to add',
    text: native().replace('  service: checkout\n', ''),
    expected: [{ path: 'spec.service', line: 4, message: 'missing required field: add "service" (a string)' }],
  },
  {
    description: 'a bad window duration says what a duration looks like',
    text: native({ extra: '  window: 30 days' }),
    expected: [{ path: 'spec.window', line: 9, column: 11, message: 'bad SLO window: "30 days" is not a duration: use a number with a unit' }],
  },
  {
    description: 'a PromQL syntax error points at the column inside a single-quoted YAML value',
    text: native({ indicator: `events: {errorQuery: 'sum(rate(errors[{{window}}])) +', totalQuery: 'sum(rate(reqs[{{window}}]))'}` }),
    expected: [{ path: 'spec.indicator.events.errorQuery', line: 8, column: 58, message: 'PromQL syntax error at column 32 of the query' }],
  },
  {
    description: 'a PromQL error in the middle of a query points at the offending token, past a {{window}} template',
    text: native({ indicator: `events: {errorQuery: 'sum(rate(errors[{{window}}])) +* 2', totalQuery: 'sum(rate(reqs[{{window}}]))'}` }),
    expected: [{ path: 'spec.indicator.events.errorQuery', line: 8, column: 58, message: 'PromQL syntax error at column 32 of the query: unexpected "* 2"' }],
  },
  {
    description: 'an unknown template variable is refused',
    text: native({ indicator: `events: {errorQuery: 'sum(rate(errors[{{.interval}}]))', totalQuery: 'sum(rate(reqs[{{window}}]))'}` }),
    expected: [
      { path: 'spec.indicator.events.errorQuery', message: 'the query has no {{window}} range' },
      { path: 'spec.indicator.events.errorQuery', column: 43, message: 'unknown template "{{.interval}}": the only template variable is {{window}}' },
    ],
  },
  {
    description: 'a spec that is not a mapping is the wrong type',
    text: 'apiVersion: metricops.io/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: a}\nspec: checkout\n',
    expected: [{ path: 'spec', line: 4, column: 7, message: 'expected a mapping, got the string "checkout"' }],
  },
  {
    description: 'an OpenSLO label that is neither a string nor a list of strings',
    text: openslo(
      '      ratioMetric: {counter: true, bad: {metricSource: {type: Prometheus, spec: {query: errs}}}, total: {metricSource: {type: Prometheus, spec: {query: reqs}}}}',
    ).replace('metadata: {name: search}', 'metadata: {name: search, labels: {tier: {a: b}}}'),
    expected: [{ path: 'metadata.labels.tier', line: 3, message: 'expected a string or a list, got a mapping' }],
  },
  {
    description: 'a ratio indicator wants plain selectors, not full expressions',
    text: native({ indicator: `ratio: {errors: 'sum(rate(errors[5m]))', total: 'reqs'}` }),
    expected: [{ path: 'spec.indicator.ratio.errors', message: 'expected a metric selector such as http_requests_total' }],
  },
  {
    description: 'an events query without {{window}} says where the template goes',
    text: native({ indicator: `events: {errorQuery: 'sum(rate(errors[5m]))', totalQuery: 'sum(rate(reqs[{{window}}]))'}` }),
    expected: [{ path: 'spec.indicator.events.errorQuery', message: 'the query has no {{window}} range' }],
  },
  {
    description: 'a classic histogram given with its _bucket suffix is refused with the fix',
    text: native({ indicator: `latency: {histogram: 'http_request_duration_seconds_bucket{job="api"}', threshold: 0.3}` }),
    expected: [{ path: 'spec.indicator.latency.histogram', message: 'without "_bucket"' }],
  },
  {
    description: 'a Kubernetes-style label key is not a Prometheus label name and a replacement is suggested',
    text: native({ metadata: '{name: checkout-availability, labels: {app.kubernetes.io/name: checkout}}' }),
    expected: [{ path: 'metadata.labels["app.kubernetes.io/name"]', line: 3, message: 'e.g. app_kubernetes_io_name' }],
  },
  {
    description: 'an upper-case SLO name is not a Kubernetes name',
    text: native({ metadata: '{name: Checkout}' }),
    expected: [{ path: 'metadata.name', line: 3, message: 'SLO name "Checkout" is not a valid Kubernetes name' }],
  },
  {
    description: 'a label metricops sets itself (slo) may not be set by a spec',
    text: native({ metadata: '{name: checkout, labels: {slo: other}}' }),
    expected: [{ path: 'metadata.labels.slo', line: 3, message: 'label "slo" is set by metricops on every generated rule' }],
  },
  {
    description: 'a native spec names its Deployment in spec.target, not with a deployment label',
    text: native({ extra: '  alerting: {labels: {deployment: checkout}}' }),
    expected: [{ path: 'spec.alerting.labels.deployment', line: 9, message: 'label "deployment" marks the Deployment an alert guards: use spec.target' }],
  },
  {
    description: 'a Sloth alert label may not name a Deployment; the SLO labels do',
    text: sloth('      raw: {error_ratio_query: "max(x[{{.window}}])"}').replace('alerting: {name: MyAlert}', 'alerting: {name: MyAlert, page_alert: {labels: {namespace: prod}}}'),
    expected: [{ path: 'slos[0].alerting.page_alert.labels.namespace', line: 6, message: 'set it in the service or SLO labels' }],
  },
  {
    description: 'a label value that YAML reads as a number must be quoted',
    text: native({ metadata: '{name: checkout, labels: {tier: 1}}' }),
    expected: [{ path: 'metadata.labels.tier', message: 'expected a string, got the number 1: quote the value' }],
  },
  {
    description: 'a Sloth query without {{.window}} is refused',
    text: sloth('      events: {error_query: "sum(rate(errs[5m]))", total_query: "sum(rate(reqs[{{.window}}]))"}'),
    expected: [{ path: 'slos[0].sli.events.error_query', line: 8, message: 'the query has no {{.window}} range' }],
  },
  {
    description: 'a Sloth PromQL error inside a literal block maps to the YAML line and column',
    text: sloth(['      raw:', '        error_ratio_query: |', '          sum(rate(errs[{{.window}}]))', '          / sum(rate(reqs[{{.window}}])'].join('\n')),
    expected: [{ path: 'slos[0].sli.raw.error_ratio_query', line: 11, column: 40, message: 'PromQL syntax error at line 2, column 30 of the query' }],
  },
  {
    description: 'a Sloth SLI plugin is not supported',
    text: sloth('      plugin: {id: sloth-common/kubernetes/apiserver/availability}'),
    expected: [{ path: 'slos[0].sli.plugin', line: 8, message: 'Sloth SLI plugins are Go code, which metricops does not run: write the query the plugin would generate as sli.events' }],
  },
  {
    description: 'a Sloth objective above 100 is out of range',
    text: sloth('      raw: {error_ratio_query: "max(x[{{.window}}])"}').replace('objective: 99', 'objective: 100.5'),
    expected: [{ path: 'slos[0].objective', line: 5, message: 'objective 100.5 is out of range' }],
  },
  {
    description: 'a Sloth spec without an alert name needs one unless both alerts are disabled',
    text: sloth('      raw: {error_ratio_query: "max(x[{{.window}}])"}').replace('    alerting: {name: MyAlert}\n', ''),
    expected: [{ path: 'slos[0].alerting.name', line: 4, message: 'missing alert name' }],
  },
  {
    description: 'Sloth infoLabels and interval are refused rather than silently ignored',
    text: sloth('      raw: {error_ratio_query: "max(x[{{.window}}])"}', '    interval: {all: 2m}'),
    expected: [{ path: 'slos[0].interval', line: 9, message: '"interval" is not a field of Sloth v0.16\'s SLOs (it would be ignored): use the sloth.dev/contrib/rule_intervals/v1 plugin' }],
  },
  {
    description: 'Sloth events with the same error and total query are refused, as Sloth does',
    text: sloth('      events: {error_query: "sum(rate(x[{{.window}}]))", total_query: "sum(rate(x[{{.window}}]))"}'),
    expected: [{ path: 'slos[0].sli.events.error_query', message: 'error_query and total_query are the same query' }],
  },
  {
    description: 'a Sloth service name that breaks Sloth\'s name rule',
    text: sloth('      raw: {error_ratio_query: "max(x[{{.window}}])"}').replace('service: myservice', 'service: my service!'),
    expected: [{ document: 0, path: 'service', line: 2, message: 'service name "my service!" is not valid' }],
  },
  {
    description: 'a Sloth spec with no SLOs is refused',
    text: 'version: prometheus/v1\nservice: x\nslos: []\n',
    expected: [{ path: 'slos', line: 3, message: 'a Sloth spec needs at least one SLO' }],
  },
  {
    description: 'an unknown Sloth version names the supported one',
    text: 'version: prometheus/v2\nservice: x\n',
    expected: [{ path: 'version', line: 1, message: 'use "prometheus/v1"' }],
  },
  {
    description: 'an OpenSLO threshold metric is not supported',
    text: openslo('      thresholdMetric: {metricSource: {type: Prometheus, spec: {query: x}}}'),
    expected: [{ path: 'spec.indicator.spec.thresholdMetric', line: 11, message: 'only ratioMetric indicators are supported' }],
  },
  {
    description: 'an OpenSLO target outside 0..1 is out of range',
    text: openslo(
      '      ratioMetric: {counter: true, bad: {metricSource: {type: Prometheus, spec: {query: errs}}}, total: {metricSource: {type: Prometheus, spec: {query: reqs}}}}',
    ).replace('target: 0.99', 'target: 99'),
    expected: [{ path: 'spec.objectives[0].target', line: 8, message: 'target 99 is out of range: write a ratio above 0 and below 1' }],
  },
  {
    description: 'an OpenSLO indicatorRef must name an SLI among the inputs',
    text: openslo('      ratioMetric: {counter: true}').replace('  indicator:\n    spec:\n      ratioMetric: {counter: true}', '  indicatorRef: search-errors'),
    expected: [{ path: 'spec.indicatorRef', line: 9, column: 17, message: 'no OpenSLO SLI named "search-errors" among the inputs (there are none): add its file to the inputs or inline it' }],
  },
  {
    description: 'an OpenSLO calendar window is not supported',
    text: openslo(
      '      ratioMetric: {counter: true, bad: {metricSource: {type: Prometheus, spec: {query: errs}}}, total: {metricSource: {type: Prometheus, spec: {query: reqs}}}}',
    ).replace('{duration: 28d, isRolling: true}', '{duration: 1M, calendar: {startTime: "2024-01-01 00:00:00", timeZone: UTC}}'),
    expected: [{ path: 'spec.timeWindow[0].isRolling', line: 7, message: 'calendar windows are not supported' }],
  },
  {
    description: 'an OpenSLO Prometheus query with a syntax error is located',
    text: openslo(
      '      ratioMetric: {counter: true, bad: {metricSource: {type: Prometheus, spec: {query: "errs{"}}}, total: {metricSource: {type: Prometheus, spec: {query: reqs}}}}',
    ),
    expected: [{ path: 'spec.indicator.spec.ratioMetric.bad.metricSource.spec.query', line: 11, message: 'PromQL syntax error' }],
  },
  {
    description: 'an OpenSLO AlertPolicy is not supported and the message names the supported kinds',
    text: 'apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: errors}\n',
    expected: [{ path: 'kind', line: 2, message: 'metricops reads openslo/v1 kinds SLO and SLI and openslo/v1alpha kind SLO (and skips kind Service)' }],
  },
  {
    description: 'an OpenSLO SLI object is checked on its own',
    text: 'apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: errors}\nspec:\n  thresholdMetric: {metricSource: {type: Prometheus, spec: {query: x}}}\n',
    expected: [{ path: 'spec.thresholdMetric', line: 5, message: 'only ratioMetric indicators are supported' }],
  },
  {
    description: 'an unknown metricops kind names the supported apiVersion and kind',
    text: 'apiVersion: metricops.io/v1\nkind: SLO\n',
    expected: [{ path: 'apiVersion', line: 1, message: 'use apiVersion: metricops.io/v1alpha1 with kind: ServiceLevelObjective' }],
  },
  {
    description: 'a document that is neither an SLO spec nor a Kubernetes object lists what is supported',
    text: 'service: checkout\nobjective: 99\n',
    expected: [{ document: 0, message: 'not an SLO spec nor a Kubernetes object (no apiVersion or version field); supported:' }],
  },
  {
    description: 'an apiVersion that is not Kubernetes-shaped is an error',
    text: 'apiVersion: my slo format\nkind: Thing\n',
    expected: [{ path: 'apiVersion', line: 1, message: 'unknown apiVersion "my slo format"' }],
  },
  {
    description: 'an unknown Sloth Kubernetes kind names the supported one',
    text: 'apiVersion: sloth.slok.dev/v1\nkind: ServiceLevel\nmetadata: {name: x}\n',
    expected: [{ path: 'kind', line: 2, message: 'use apiVersion: sloth.slok.dev/v1 with kind: PrometheusServiceLevel' }],
  },
  {
    description: 'problems in a Sloth PrometheusServiceLevel are reported with its camelCase field paths',
    text: [
      'apiVersion: sloth.slok.dev/v1',
      'kind: PrometheusServiceLevel',
      'metadata: {name: myservice, namespace: monitoring}',
      'spec:',
      '  service: myservice',
      '  slos:',
      '    - name: requests',
      '      objective: 99',
      '      sli: {events: {errorQuery: "sum(rate(errs[5m]))", totalQuery: "sum(rate(reqs[{{.window}}]))"}}',
      '      alerting: {pageAlert: {disable: true}, page_alert: {}}',
    ].join('\n'),
    expected: [
      { path: 'spec.slos[0].sli.events.errorQuery', line: 9, message: 'the query has no {{.window}} range' },
      { path: 'spec.slos[0].alerting.page_alert', line: 10, message: 'unknown field "page_alert": allowed fields here: name, labels, annotations, pageAlert, ticketAlert' },
      { path: 'spec.slos[0].alerting.name', line: 10, message: 'unless both pageAlert and ticketAlert are disabled' },
    ],
  },
  {
    description: 'a document that is a list is not a spec',
    text: '- a\n- b\n',
    expected: [{ document: 0, line: 1, message: 'expected a mapping (an SLO spec or a Kubernetes object), got a list' }],
  },
  {
    description: 'an inline rule with a PromQL error is located in the annotation value',
    text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\n  annotations:\n    metricops.io/rule: rate(x[1m] > 1\n',
    expected: [{ path: 'metadata.annotations["metricops.io/rule"]', line: 6, column: 38, message: 'PromQL syntax error at column 15 of the query' }],
  },
  {
    description: 'an inline rule with a bad rule-for duration',
    text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\n  annotations:\n    metricops.io/rule: up == 0\n    metricops.io/rule-for: soon\n',
    expected: [{ path: 'metadata.annotations["metricops.io/rule-for"]', line: 7, column: 28, message: 'bad "for" duration: "soon" is not a duration' }],
  },
  {
    description: 'a YAML syntax error in one document is located and the other documents are still checked',
    text: `${native({ objective: '100' })}---\nversion: prometheus/v1\nservice: [unclosed\n`,
    expected: [
      { document: 0, path: 'spec.objective', line: 6, message: 'objective 100 is out of range' },
      { document: 1, line: 12, message: 'YAML syntax error' },
    ],
  },
  {
    description: 'a duplicate mapping key is a YAML error with its line',
    text: 'version: prometheus/v1\nservice: a\nservice: b\n',
    expected: [{ document: 0, line: 3, message: 'YAML syntax error: Map keys must be unique' }],
  },
];

describe('every validation problem is reported with its file, document, field path, line and a fix', () => {
  test.each(cases)('$description', ({ text, expected }) => {
    const { issues } = parseSpecs([{ source: 'specs/bad.yaml', text }]);
    expect(issues).toEqual(
      expected.map(({ message, ...location }) => ({ source: 'specs/bad.yaml', document: 0, ...location, message: expect.stringContaining(message) }))
        .map((issue) => expect.objectContaining(issue)),
    );
  });
});

describe('problems across sources', () => {
  const slo = (name: string) => `apiVersion: metricops.io/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: ${name}\nspec: {service: s, objective: 99, indicator: {boolGauge: {metric: up}}}\n`;

  test('a duplicate SLO name is reported at the second place and names the first, across formats and files', () => {
    const { issues } = parseSpecs([
      { source: 'a.yaml', text: slo('shop-checkout') },
      { source: 'b.yaml', text: `# comment\n${slo('other')}---\nversion: prometheus/v1\nservice: shop\nslos:\n  - name: checkout\n    objective: 99\n    alerting: {name: A}\n    sli: {raw: {error_ratio_query: 'x[{{.window}}]'}}\n` },
    ]);
    expect(issues).toEqual([
      {
        source: 'b.yaml',
        document: 1,
        path: 'slos[0].name',
        line: 11,
        column: 11,
        message: expect.stringContaining('duplicate SLO name "shop-checkout", also defined at a.yaml, document 0, line 4:9 (metadata.name): SLO names (the "slo" alert label) must be unique across all inputs'),
      },
    ]);
  });

  test('an SLO referencing an invalid SLI reports only the SLI problem; two SLIs with one name are a duplicate', () => {
    const sli = (query: string) => `apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: errors}\nspec:\n  ratioMetric:\n    counter: true\n    bad: {metricSource: {type: Prometheus, spec: {query: '${query}'}}}\n    total: {metricSource: {type: Prometheus, spec: {query: reqs}}}\n`;
    const slo = 'apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: search}\nspec:\n  service: search\n  budgetingMethod: Occurrences\n  timeWindow: [{duration: 28d, isRolling: true}]\n  objectives: [{target: 0.99}]\n  indicatorRef: errors\n';
    expect(parseSpecs([{ source: 'slo.yaml', text: slo }, { source: 'sli.yaml', text: sli('errs{') }]).issues).toEqual([
      expect.objectContaining({ source: 'sli.yaml', path: 'spec.ratioMetric.bad.metricSource.spec.query', line: 7, message: expect.stringContaining('PromQL syntax error') }),
    ]);
    expect(parseSpecs([{ source: 'sli.yaml', text: `${sli('errs')}---\n${sli('errs')}` }]).issues).toEqual([
      expect.objectContaining({ source: 'sli.yaml', document: 1, path: 'metadata.name', line: 12, message: expect.stringContaining('duplicate OpenSLO SLI name "errors", also defined in sli.yaml, document 0') }),
    ]);
  });

  test('two inline rules for the same Deployment are a duplicate', () => {
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, annotations: {metricops.io/rule: up == 0}}\n';
    const { issues } = parseSpecs([
      { source: 'a.yaml', text: deployment },
      { source: 'b.yaml', text: deployment },
    ]);
    expect(issues).toEqual([expect.objectContaining({ source: 'b.yaml', message: expect.stringContaining('Deployment default/web appears twice with an inline rule, also at a.yaml') })]);
  });

  test('an empty source is a problem of that file', () => {
    expect(parseSpecs([{ source: 'empty.yaml', text: '# only a comment\n' }]).issues).toEqual([
      { source: 'empty.yaml', message: expect.stringContaining('the file has no YAML documents') },
    ]);
  });

  test('an invalid default window is a usage error', () => {
    expect(() => parseSpecs([], { defaultWindow: 'month' })).toThrow(/--default-window: bad SLO window: "month" is not a duration/);
  });
});
