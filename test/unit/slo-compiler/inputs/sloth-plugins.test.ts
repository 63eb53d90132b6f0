import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, UsageError, type InputIssue } from '../../../../common/errors.js';
import { loadAlertWindows } from '../../../../slo-compiler/inputs/alert-windows.js';
import { parseSpecs, type ParseOptions } from '../../../../slo-compiler/inputs/parse.js';
import { parseAppPlugins, parseSpecOptions } from '../../../../slo-compiler/inputs/spec-options.js';

/** A Sloth spec whose one SLO declares `plugins` (lines from 5 on), with an events SLI (or `sli`). */
function sloth(plugins: string, sli = 'events: {error_query: \'sum(rate(errors[{{.window}}]))\', total_query: \'sum(rate(requests[{{.window}}]))\'}'): string {
  return ['version: prometheus/v1', 'service: shop', 'slos:', '  - name: requests', '    objective: 99.9', plugins, `    sli: {${sli}}`, '    alerting: {name: ShopErrors}', ''].join('\n');
}
const chain = (...entries: string[]) => ['    plugins:', '      chain:', ...entries.map((entry) => `        - ${entry}`)].join('\n');

interface Case {
  description: string;
  text: string;
  options?: ParseOptions;
  expected: Array<{ path?: string; line?: number; message: string }>;
}

const cases: Case[] = [
  {
    description: 'an unknown plugin ID says what metricops runs, and which one was probably meant',
    text: sloth(chain('id: sloth.dev/contrib/info_label/v1')),
    expected: [{ path: 'slos[0].plugins.chain[0].id', line: 8, message: 'unknown SLO plugin "sloth.dev/contrib/info_label/v1" (did you mean "sloth.dev/contrib/info_labels/v1"?): metricops runs Sloth\'s own plugins natively' }],
  },
  {
    description: 'a custom (Go) plugin cannot run: the message says to write its rules separately',
    text: sloth(chain('id: my.company/slo/v1')),
    expected: [{ path: 'slos[0].plugins.chain[0].id', message: 'and cannot load Go plugins: use one of these, or remove it and write the extra rules in a rule file of your own next to the generated ones' }],
  },
  {
    description: 'a plugin without a config takes none',
    text: sloth(chain('{id: sloth.dev/core/alert_rules/v1, config: {window: 5m}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config', message: 'this plugin takes no config: remove the config block' }],
  },
  {
    description: 'priority is a whole number',
    text: sloth(chain('{id: sloth.dev/core/noop/v1, priority: 1.5}')),
    expected: [{ path: 'slos[0].plugins.chain[0].priority', message: 'priority 1.5 is not a whole number' }],
  },
  {
    description: 'sli_rules: disableOptimized is a boolean',
    text: sloth(chain('{id: sloth.dev/core/sli_rules/v1, config: {disableOptimized: "yes"}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config.disableOptimized', message: 'expected a boolean, got the string "yes"' }],
  },
  {
    description: 'debug: msg is a string and unknown fields are named',
    text: sloth(chain('{id: sloth.dev/core/debug/v1, config: {msg: [a], verbose: true}}')),
    expected: [
      { path: 'slos[0].plugins.chain[0].config.msg', message: 'expected a string, got a list' },
      { path: 'slos[0].plugins.chain[0].config.verbose', message: 'unknown field "verbose": allowed fields here: msg, result, request' },
    ],
  },
  {
    description: 'rule_intervals: a default interval is required',
    text: sloth(chain('{id: sloth.dev/contrib/rule_intervals/v1, config: {interval: {alert: 30s}}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config.interval.default', message: 'missing required field: add "default"' }],
  },
  {
    description: 'rule_intervals: intervals are Prometheus durations',
    text: sloth(chain('{id: sloth.dev/contrib/rule_intervals/v1, config: {interval: {default: 1 minute}}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config.interval.default', message: '"1 minute" is not a duration' }],
  },
  {
    description: 'info_labels: labels are required and not empty',
    text: sloth(chain('{id: sloth.dev/contrib/info_labels/v1, config: {labels: {}}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config', message: 'labels is empty: give at least one label to put on the info metric' }],
  },
  {
    description: 'info_labels: a label metricops sets itself is refused',
    text: sloth(chain('{id: sloth.dev/contrib/info_labels/v1, config: {labels: {sloth_id: x}}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config.labels.sloth_id', message: 'label "sloth_id" is set by metricops on every generated rule' }],
  },
  {
    description: 'remove_labels: preserveLabels is a list of names',
    text: sloth(chain('{id: sloth.dev/contrib/remove_labels/v1, config: {preserveLabels: team}}')),
    expected: [{ path: 'slos[0].plugins.chain[0].config.preserveLabels', message: 'expected a list, got the string "team"' }],
  },
  {
    description: 'error_budget_exhausted_alert: threshold is a number, for a duration',
    text: sloth(chain('{id: sloth.dev/contrib/error_budget_exhausted_alert/v1, config: {threshold: "5%", for: soon}}')),
    expected: [
      { path: 'slos[0].plugins.chain[0].config.threshold', message: 'expected a number, got the string "5%": write the number without quotes' },
      { path: 'slos[0].plugins.chain[0].config.for', message: '"soon" is not a duration' },
    ],
  },
  {
    description: 'error_budget_exhausted_alert: its alert must not look like a guarding one',
    text: sloth(chain('{id: sloth.dev/contrib/error_budget_exhausted_alert/v1, config: {alert_labels: {slo_severity: page, deployment: shop}}}')),
    expected: [
      { path: 'slos[0].plugins.chain[0].config.alert_labels.slo_severity', message: 'label "slo_severity" is set by metricops' },
      { path: 'slos[0].plugins.chain[0].config.alert_labels.deployment', message: 'label "deployment" marks the Deployment an alert guards: this alert only informs' },
    ],
  },
  {
    description: 'denominator_corrected_rules needs an SLI that counts events',
    text: sloth(chain('id: sloth.dev/contrib/denominator_corrected_rules/v1'), 'raw: {error_ratio_query: \'max(ratio[{{.window}}])\'}'),
    expected: [{ path: 'slos[0]', message: 'SLO plugin sloth.dev/contrib/denominator_corrected_rules/v1 needs an SLI that counts events' }],
  },
  {
    description: 'validate_victoria_metrics: MetricsQL must at least balance its brackets',
    text: [
      'version: prometheus/v1', 'service: vm', 'slo_plugins:', '  overridePrevious: true', '  chain:',
      '    - id: sloth.dev/contrib/validate_victoria_metrics/v1', '    - id: sloth.dev/core/sli_rules/v1', 'slos:',
      '  - name: latency', '    objective: 99', "    sli: {events: {error_query: '1 - histogram_share(0.2, sum(rate(x[{{.window}}]))', total_query: 'vector(1)[{{.window}}]'}}",
      '    alerting: {name: Slow}', '',
    ].join('\n'),
    expected: [{ path: 'slos[0].sli.events.error_query', message: 'MetricsQL syntax error at column 20 of the query: unbalanced bracket or quote' }],
  },
  {
    description: 'an override that leaves nothing to run',
    text: sloth(['    plugins:', '      overridePrevious: true', '      chain: []'].join('\n')),
    expected: [{ path: 'slos[0].plugins.overridePrevious', message: 'overridePrevious drops the default plugins, but no plugin is left to run' }],
  },
  {
    description: 'a spec-level chain is checked where it is written, once per SLO that runs it',
    text: sloth('').replace('slos:\n', 'slo_plugins:\n  chain:\n    - {id: sloth.dev/core/noop/v1, config: {a: 1}}\nslos:\n'),
    expected: [{ path: 'slo_plugins.chain[0].config', line: 5, message: 'this plugin takes no config' }],
  },
];

describe('SLO plugin chains: every bad declaration is refused where it is written, saying what to write', () => {
  test.each(cases)('$description', ({ text, options, expected }) => {
    const { issues } = parseSpecs([{ source: 'slos.yaml', text }], options);
    expect(issues).toEqual(expected.map(({ message, ...location }) => expect.objectContaining({ source: 'slos.yaml', ...location, message: expect.stringContaining(message) })));
  });
});

describe('the model of a chain', () => {
  test("Sloth's order: the command line's plugins, the spec's and the SLO's by priority, below 0 before the defaults", () => {
    const text = sloth(chain('{id: sloth.dev/core/debug/v1, priority: 5, config: {msg: slo}}', '{id: sloth.dev/core/noop/v1, priority: -1}')).replace(
      'slos:\n',
      'slo_plugins:\n  chain:\n    - {id: sloth.dev/contrib/rule_intervals/v1, priority: 1, config: {interval: {default: 2m}}}\nslos:\n',
    );
    const appPlugins = parseAppPlugins(['{"id": "sloth.dev/contrib/remove_labels/v1", "priority": -5}'], false);
    const { input, issues } = parseSpecs([{ source: 'slos.yaml', text }], { appPlugins });
    expect(issues).toEqual([]);
    expect(input.slos[0]!.plugins!.map((step) => step.id)).toEqual([
      'sloth.dev/contrib/remove_labels/v1',
      'sloth.dev/core/noop/v1',
      'sloth.dev/core/validate/v1',
      'sloth.dev/core/sli_rules/v1',
      'sloth.dev/core/metadata_rules/v1',
      'sloth.dev/core/alert_rules/v1',
      'sloth.dev/contrib/rule_intervals/v1',
      'sloth.dev/core/debug/v1',
    ]);
    expect(input.slos[0]!.plugins![6]!.config).toEqual({ interval: { default: 120_000 } });
  });

  test('an SLO override drops the spec chain and the defaults; a spec override keeps the SLO chain', () => {
    const groupOverride = sloth(chain('id: sloth.dev/core/alert_rules/v1')).replace('slos:\n', 'slo_plugins:\n  overridePrevious: true\n  chain:\n    - id: sloth.dev/core/sli_rules/v1\nslos:\n');
    expect(parseSpecs([{ source: 'a.yaml', text: groupOverride }]).input.slos[0]!.plugins!.map((step) => step.id)).toEqual(['sloth.dev/core/sli_rules/v1', 'sloth.dev/core/alert_rules/v1']);
    const sloOverride = sloth(['    plugins:', '      overridePrevious: true', '      chain:', '        - id: sloth.dev/core/metadata_rules/v1'].join('\n')).replace('slos:\n', 'slo_plugins:\n  chain:\n    - id: sloth.dev/core/sli_rules/v1\nslos:\n');
    expect(parseSpecs([{ source: 'b.yaml', text: sloOverride }]).input.slos[0]!.plugins!.map((step) => step.id)).toEqual(['sloth.dev/core/metadata_rules/v1']);
  });

  test('without any declaration the model keeps the default chain implicit', () => {
    expect(parseSpecs([{ source: 'c.yaml', text: sloth('') }]).input.slos[0]!.plugins).toBeUndefined();
  });
});

describe('--slo-plugins and the other spec flags', () => {
  test.each([
    ['not JSON', ['{id: x}'], '--slo-plugins #1 is not JSON'],
    ['no id', ['{"config": {}}'], '--slo-plugins #1 must be a JSON object with an "id"'],
    ['an unknown field', ['{"id": "sloth.dev/core/noop/v1", "prio": 1}'], '--slo-plugins #1: unknown field "prio"'],
    ['an unknown plugin', ['{"id": "sloth.dev/core/nop/v1"}'], '--slo-plugins #1: id: unknown SLO plugin "sloth.dev/core/nop/v1" (did you mean "sloth.dev/core/noop/v1"?)'],
    ['a bad config', ['{"id": "sloth.dev/core/noop/v1"}', '{"id": "sloth.dev/contrib/rule_intervals/v1", "config": {}}'], '--slo-plugins #2: config.interval: missing required field: add "interval"'],
  ])('%s is a usage error naming the flag', (_description, flags, message) => {
    expect(() => parseAppPlugins(flags, false)).toThrow(UsageError);
    expect(() => parseAppPlugins(flags, false)).toThrow(message);
  });

  test.each([
    [{ minEvents: '0' }, '--min-events "0" is not a whole number of events of at least 1'],
    [{ minEvents: 'many' }, '--min-events "many" is not a whole number'],
    [{ defaultWindow: '30d', defaultSloPeriod: '28d' }, '--default-window 30d and --default-slo-period 28d disagree'],
  ])('%j is a usage error', async (flags, message) => {
    await expect(parseSpecOptions(flags)).rejects.toThrow(message);
  });

  test('--default-slo-period is --default-window under Sloth\'s name', async () => {
    expect(await parseSpecOptions({ defaultSloPeriod: '28d', minEvents: '100' })).toEqual({ defaultWindow: '28d', minEvents: 100 });
  });

  test('--disable-default-slo-plugins with nothing declared leaves an SLO nothing to run', () => {
    const { issues } = parseSpecs([{ source: 'd.yaml', text: sloth('') }], { appPlugins: parseAppPlugins([], true) });
    expect(issues).toEqual([expect.objectContaining({ message: expect.stringContaining('--disable-default-slo-plugins leaves this SLO no plugin to run') })]);
  });
});

describe('AlertWindows catalogs (--slo-period-windows-path)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-windows-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const windows = (period: string, pageQuick = '{errorBudgetPercent: 2, shortWindow: 5m, longWindow: 1h}') =>
    [
      'apiVersion: sloth.slok.dev/v1', 'kind: AlertWindows', 'spec:', `  sloPeriod: ${period}`,
      `  page: {quick: ${pageQuick}, slow: {errorBudgetPercent: 5, shortWindow: 30m, longWindow: 6h}}`,
      '  ticket: {quick: {errorBudgetPercent: 10, shortWindow: 2h, longWindow: 1d}, slow: {errorBudgetPercent: 10, shortWindow: 6h, longWindow: 3d}}', '',
    ].join('\n');

  test('only the catalog\'s periods are allowed, as in Sloth: another is refused naming those it has', async () => {
    await writeFile(join(dir, '14d.yaml'), windows('14d'));
    const windowCatalog = await loadAlertWindows(dir);
    const { issues } = parseSpecs([{ source: 'e.yaml', text: sloth('') }], { windowCatalog });
    expect(issues).toEqual([expect.objectContaining({ path: 'slos[0]', message: expect.stringContaining(`no alert windows for the 30d SLO period in ${dir} (it has 14d)`) })]);
    expect(parseSpecs([{ source: 'e.yaml', text: sloth('') }], { windowCatalog, defaultWindow: '14d' }).issues).toEqual([]);
  });

  test.each([
    ['a short window as long as its long window', windows('30d', '{errorBudgetPercent: 2, shortWindow: 1h, longWindow: 1h}'), 'spec.page.quick.shortWindow', 'shortWindow 1h is not shorter than longWindow 1h'],
    ['a period shorter than its windows', windows('2d'), 'spec.sloPeriod', 'sloPeriod 2d is shorter than the longest window (3d)'],
    ['a budget share above 100%', windows('30d', '{errorBudgetPercent: 200, shortWindow: 5m, longWindow: 1h}'), 'spec.page.quick.errorBudgetPercent', 'errorBudgetPercent 200 is out of range'],
    ['a missing pair', windows('30d').replace(/  page: .*\n/, ''), 'spec.page', 'missing required field: add "page"'],
  ])('%s is refused, located in its file', async (_description, text, path, message) => {
    await writeFile(join(dir, 'w.yaml'), text);
    const error = await loadAlertWindows(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues).toEqual([expect.objectContaining({ source: join(dir, 'w.yaml'), path, line: expect.any(Number), message: expect.stringContaining(message) })]);
  });

  test('two files that define one period differently are refused', async () => {
    await writeFile(join(dir, 'a.yaml'), windows('30d'));
    await writeFile(join(dir, 'b.yaml'), windows('30d', '{errorBudgetPercent: 1, shortWindow: 5m, longWindow: 1h}'));
    await expect(loadAlertWindows(dir)).rejects.toThrow('the 30d SLO period is already defined differently in');
  });

  test('an AlertWindows file among the specs says to pass its folder with the flag', () => {
    const { issues } = parseSpecs([{ source: 'w.yaml', text: windows('30d') }]);
    expect(issues).toEqual([expect.objectContaining({ path: 'kind', message: expect.stringContaining('pass their folder with --slo-period-windows-path') })]);
  });
});

describe("Sloth's reading of values", () => {
  test('numbers and booleans where Sloth expects strings become strings as Go formats them', () => {
    const text = sloth('    labels: {tier: 2, generated: true, le: 0.2, big: 1234567.5, tiny: 0.00001}');
    const { input, issues } = parseSpecs([{ source: 'v.yaml', text }]);
    expect(issues).toEqual([]);
    expect(input.slos[0]!.labels).toEqual({ tier: '2', generated: 'true', le: '0.2', big: '1.2345675e+06', tiny: '1e-05' });
  });

  test('a null label value is still refused (Sloth would write an empty label)', () => {
    const issues: InputIssue[] = parseSpecs([{ source: 'v.yaml', text: sloth('    labels: {tier: }') }]).issues;
    expect(issues).toEqual([expect.objectContaining({ path: 'slos[0].labels.tier', message: 'expected a string, got null (an empty value)' })]);
  });
});

describe('OpenSLO openslo/v1alpha, as Sloth reads it', () => {
  const v1alpha = (objective: string, windows = '[{count: 28, unit: Day}]') =>
    ['apiVersion: openslo/v1alpha', 'kind: SLO', 'metadata: {name: api}', 'spec:', '  service: shop', '  budgetingMethod: Occurrences', `  timeWindows: ${windows}`, '  objectives:', objective, ''].join('\n');
  const ratio = (source = 'prometheus', queryType = 'promql') =>
    `    - ratioMetrics: {good: {source: ${source}, queryType: ${queryType}, query: 'sum(rate(ok[{{.window}}]))'}, total: {source: prometheus, queryType: promql, query: 'sum(rate(all[{{.window}}]))'}}\n      target: 0.995`;

  test('one SLO per objective: Sloth\'s ids and names, 1 - good/total as a raw SLI, its period, no alerts', () => {
    const { input, issues } = parseSpecs([{ source: 'o.yaml', text: v1alpha(`${ratio()}\n${ratio()}`) }]);
    expect(issues).toEqual([]);
    expect(input.slos.map((slo) => [slo.name, slo.slothSlo, slo.window, slo.objective, slo.spec, slo.alerting.page.disabled, slo.alerting.ticket.disabled])).toEqual([
      ['shop-api-0', 'api-0', '28d', 99.5, 'openslo/v1alpha', true, true],
      ['shop-api-1', 'api-1', '28d', 99.5, 'openslo/v1alpha', true, true],
    ]);
    expect(input.slos[0]!.indicator).toEqual({ kind: 'raw', errorRatioQuery: '\n  1 - (\n    (\n      sum(rate(ok[{{window}}]))\n    )\n    /\n    (\n      sum(rate(all[{{window}}]))\n    )\n  )\n' });
  });

  test.each([
    ['weeks', v1alpha(ratio(), '[{count: 4, unit: Week}]'), 'spec.timeWindows[0]', 'only whole days are supported as time windows'],
    ['a Datadog source', v1alpha(ratio('datadog')), 'spec.objectives[0].ratioMetrics.good.source', 'source "datadog" is not supported: use prometheus'],
    ['another query type', v1alpha(ratio('prometheus', 'sql')), 'spec.objectives[0].ratioMetrics.good.queryType', 'queryType "sql" is not supported: use promql'],
    ['no ratioMetrics', v1alpha('    - target: 0.99'), 'spec.objectives[0].ratioMetrics', 'missing ratioMetrics'],
    ['a target of 1', v1alpha(ratio().replace('0.995', '1')), 'spec.objectives[0].target', 'objective 100 is out of range'],
  ])('%s is refused where it is written', (_description, text, path, message) => {
    const { issues } = parseSpecs([{ source: 'o.yaml', text }]);
    expect(issues).toEqual([expect.objectContaining({ path, line: expect.any(Number), message: expect.stringContaining(message) })]);
  });
});
