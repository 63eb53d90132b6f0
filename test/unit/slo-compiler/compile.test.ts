import { parse } from 'yaml';
import { InvalidInputError } from '../../../common/errors.js';
import { compile, type CompileOptions } from '../../../slo-compiler/compile.js';
import type { CompileInput, InlineRule } from '../../../slo-compiler/model.js';
import { GENERATED_MARKER } from '../../../slo-compiler/output/header.js';
import { indicators, makeSlo, slothBaseSlo1 } from './rules/fixtures.js';

const prometheus: CompileOptions = { format: 'prometheus', longWindows: 'counts', emitTests: false };
const inline = (deployment: string): InlineRule => ({
  namespace: 'shop',
  deployment,
  expr: `up{job="${deployment}"} == 0`,
  for: '1m',
  location: { source: `deploy/${deployment}.yaml`, document: 0 },
});
const input: CompileInput = {
  slos: [makeSlo(), makeSlo({ name: 'checkout-latency', slothId: 'checkout-latency', indicator: indicators.latency! }), slothBaseSlo1()],
  inlineRules: [inline('search'), inline('checkout')],
};

describe('compile', () => {
  test('one rule file per SLO named after it, plus one for inline rules, sorted by path', () => {
    expect(compile(input, prometheus).files.map((file) => file.path)).toEqual([
      'checkout-availability.rules.yaml',
      'checkout-latency.rules.yaml',
      'metricops-inline-rules.rules.yaml',
      'svc01-slo1.rules.yaml',
    ]);
  });

  test('is deterministic: same input, same bytes; inline rule order does not matter', () => {
    const first = compile(input, prometheus);
    const again = compile({ ...input, inlineRules: [...input.inlineRules].reverse() }, prometheus);
    expect(again).toEqual(first);
  });

  test('every file starts with the generated-by header naming its source, without timestamps', () => {
    for (const file of compile(input, prometheus).files) {
      expect(file.content.startsWith(`${GENERATED_MARKER} from `)).toBe(true);
      expect(file.content).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    }
    expect(compile(input, prometheus).files[0]!.content.split('\n')[0]).toBe(`${GENERATED_MARKER} from examples/slos/checkout.yaml. DO NOT EDIT.`);
  });

  test('plain YAML: no anchors or aliases even where rules share a label set', () => {
    for (const file of compile(input, prometheus).files) expect(file.content).not.toMatch(/: [&*]a\d/);
  });

  test('no float noise anywhere in the output', () => {
    for (const file of compile(input, prometheus).files) expect(file.content).not.toMatch(/\d\.\d{13,}/);
  });

  test('prometheus format is a rule file with groups; operator format is a PrometheusRule with the same groups', () => {
    const plain = parse(compile(input, prometheus).files[0]!.content) as { groups: unknown[] };
    const operator = parse(compile(input, { ...prometheus, format: 'operator' }).files[0]!.content) as Record<string, any>;
    expect(operator.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(operator.kind).toBe('PrometheusRule');
    expect(operator.metadata).toEqual({ name: 'metricops-checkout-availability', labels: { 'app.kubernetes.io/managed-by': 'metricops' } });
    expect(operator.spec.groups).toEqual(plain.groups);
  });

  test('guarding alerts: page and ticket per SLO with slo and contract labels, one per inline rule', () => {
    const { guardingAlerts } = compile(input, prometheus);
    expect(guardingAlerts.map((alert) => `${alert.alert}/${alert.severity}/${alert.slo ?? '-'}`)).toEqual([
      'CheckoutAvailabilitySLO/page/checkout-availability',
      'CheckoutAvailabilitySLO/ticket/checkout-availability',
      'CheckoutAvailabilitySLO/page/checkout-latency',
      'CheckoutAvailabilitySLO/ticket/checkout-latency',
      'myServiceAlert/page/svc01-slo1',
      'myServiceAlert/ticket/svc01-slo1',
      'MetricopsDeploymentRule/page/-',
      'MetricopsDeploymentRule/page/-',
    ]);
    expect(guardingAlerts[0]!.labels).toEqual({ deployment: 'checkout', namespace: 'shop', slo: 'checkout-availability', slo_severity: 'page' });
  });

  test('every alert rule in the files carries the slo and slo_severity labels the webhook resolves by', () => {
    for (const file of compile({ ...input, inlineRules: [] }, prometheus).files) {
      const { groups } = parse(file.content) as { groups: Array<{ rules: Array<Record<string, any>> }> };
      const alerts = groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
      expect(alerts.length).toBeGreaterThan(0);
      for (const alert of alerts) expect(Object.keys(alert.labels)).toEqual(expect.arrayContaining(['slo', 'slo_severity']));
    }
  });

  test('emitTests adds a promtool test per SLO under tests/, and says which SLOs got none and why', () => {
    const withRaw = { slos: [...input.slos, makeSlo({ name: 'raw-slo', slothId: 'raw-slo', indicator: indicators.raw! })], inlineRules: [] };
    const compiled = compile(withRaw, { ...prometheus, emitTests: true });
    expect(compiled.files.filter((file) => file.path.startsWith('tests/')).map((file) => file.path)).toEqual([
      'tests/checkout-availability.test.yaml',
      'tests/checkout-latency.test.yaml',
      'tests/svc01-slo1.test.yaml',
    ]);
    expect(compiled.skippedTests).toEqual([{ slo: 'raw-slo', reason: expect.stringContaining('raw error-ratio queries') }]);
  });

  test('operator format with tests: each test gets a plain rule file next to it (promtool reads no PrometheusRule)', () => {
    const compiled = compile({ slos: [makeSlo()], inlineRules: [] }, { format: 'operator', longWindows: 'counts', emitTests: true });
    expect(compiled.files.map((file) => file.path)).toEqual([
      'checkout-availability.rules.yaml',
      'tests/checkout-availability.rules.yaml',
      'tests/checkout-availability.test.yaml',
    ]);
    expect(parse(compiled.files[2]!.content).rule_files).toEqual(['checkout-availability.rules.yaml']);
  });

  test.each([
    ['a period shorter than the 3d alert window', { slos: [makeSlo({ window: '1d' })], inlineRules: [] }, /1d period, shorter than the 3d longest alert window/],
    [
      'two SLO names that map to the same file',
      { slos: [makeSlo({ name: 'a_b' }), makeSlo({ name: 'A_B', location: { source: 'other.yaml' } })], inlineRules: [] },
      /other\.yaml: SLO "A_B" and SLO "a_b" would both be written to a_b\.rules\.yaml/,
    ],
  ])('refuses %s with an InvalidInputError that says where', (_description, badInput, message) => {
    expect(() => compile(badInput, prometheus)).toThrow(InvalidInputError);
    expect(() => compile(badInput, prometheus)).toThrow(message);
  });
});

describe('compile --layout input (Sloth\'s layout)', () => {
  const slo = (name: string, source: string, document = 0) => makeSlo({ name, slothId: name, location: { source, document } });
  const inputPaths = new Map([
    ['/specs/shop/checkout.yaml', 'shop/checkout.yaml'],
    ['/specs/search.yml', 'search.yml'],
  ]);

  test('one file per input file at its path under the input folder, its SLOs in document order; inline rules as ever', () => {
    const compiled = compile(
      { slos: [slo('checkout', '/specs/shop/checkout.yaml'), slo('search', '/specs/search.yml'), slo('checkout-latency', '/specs/shop/checkout.yaml', 1)], inlineRules: [inline('web')], inputPaths },
      { ...prometheus, layout: 'input' },
    );
    expect(compiled.files.map((file) => file.path)).toEqual(['metricops-inline-rules.rules.yaml', 'search.yml', 'shop/checkout.yaml']);
    const checkout = parse(compiled.files[2]!.content) as { groups: Array<{ name: string }> };
    expect(checkout.groups.map((group) => group.name).filter((name) => name.startsWith('sloth-slo-alerts'))).toEqual(['sloth-slo-alerts-checkout', 'sloth-slo-alerts-checkout-latency']);
    expect(compiled.groups).toEqual(compile({ slos: [slo('checkout', '/specs/shop/checkout.yaml'), slo('search', '/specs/search.yml'), slo('checkout-latency', '/specs/shop/checkout.yaml', 1)], inlineRules: [inline('web')] }, prometheus).groups);
  });

  test('emitted tests read the per-input file when promtool can, else a plain copy', () => {
    const input = { slos: [slo('checkout', '/specs/shop/checkout.yaml')], inlineRules: [], inputPaths };
    const plain = compile(input, { ...prometheus, layout: 'input', emitTests: true });
    expect((parse(plain.files.find((file) => file.path === 'tests/checkout.test.yaml')!.content) as { rule_files: string[] }).rule_files).toEqual(['../shop/checkout.yaml']);
    const operator = compile(input, { ...prometheus, format: 'operator', layout: 'input', emitTests: true });
    expect(operator.files.map((file) => file.path)).toEqual(['shop/checkout.yaml', 'tests/checkout.rules.yaml', 'tests/checkout.test.yaml']);
  });

  test('two inputs at one path are refused: compile them into different folders', () => {
    const clash = { slos: [slo('a', '/x/slo.yaml'), slo('b', '/y/slo.yaml')], inlineRules: [], inputPaths: new Map([['/x/slo.yaml', 'slo.yaml'], ['/y/slo.yaml', 'slo.yaml']]) };
    expect(() => compile(clash, { ...prometheus, layout: 'input' })).toThrow(InvalidInputError);
    expect(() => compile(clash, { ...prometheus, layout: 'input' })).toThrow('/y/slo.yaml and /x/slo.yaml would both be written to slo.yaml');
  });
});

describe('guarding alerts come from the rules', () => {
  test('minEvents adds the no-traffic alert (page) to what the webhook stamps; an informing plugin alert is not a guard', () => {
    const slo = makeSlo({ plugins: [{ id: 'sloth.dev/core/sli_rules/v1' }, { id: 'sloth.dev/core/metadata_rules/v1' }, { id: 'sloth.dev/core/alert_rules/v1' }, { id: 'sloth.dev/contrib/error_budget_exhausted_alert/v1' }] });
    slo.alerting.minEvents = 100;
    const compiled = compile({ slos: [slo], inlineRules: [] }, prometheus);
    expect(compiled.guardingAlerts.map((alert) => [alert.alert, alert.severity, alert.labels])).toEqual([
      ['CheckoutAvailabilitySLO', 'page', { deployment: 'checkout', namespace: 'shop', slo: 'checkout-availability', slo_severity: 'page' }],
      ['CheckoutAvailabilitySLO', 'ticket', { deployment: 'checkout', namespace: 'shop', slo: 'checkout-availability', slo_severity: 'ticket' }],
      ['MetricopsNoTraffic', 'page', { deployment: 'checkout', namespace: 'shop', slo: 'checkout-availability', slo_severity: 'page' }],
    ]);
    const alerts = compiled.groups.flatMap((group) => group.rules).filter((rule) => 'alert' in rule).map((rule) => (rule as { alert: string }).alert);
    expect(alerts).toEqual(['CheckoutAvailabilitySLO', 'CheckoutAvailabilitySLO', 'MetricopsNoTraffic', 'ErrorBudgetExhausted']);
  });

  test('a chain without the alert rules guards nothing', () => {
    const slo = makeSlo({ plugins: [{ id: 'sloth.dev/core/sli_rules/v1' }, { id: 'sloth.dev/core/metadata_rules/v1' }] });
    expect(compile({ slos: [slo], inlineRules: [] }, prometheus).guardingAlerts).toEqual([]);
  });
});

describe('emitted tests in the operator format', () => {
  test('are the prometheus format\'s tests on a plain copy of the same rules (so promtool needs to run one of them)', () => {
    const withTests = { ...prometheus, emitTests: true };
    const plain = compile(input, withTests);
    const operator = compile(input, { ...withTests, format: 'operator' });
    const byPath = (files: typeof plain.files) => new Map(files.map((file) => [file.path, file.content]));
    const plainFiles = byPath(plain.files);
    const operatorFiles = byPath(operator.files);
    for (const [path, content] of plainFiles) {
      if (path.startsWith('tests/')) {
        expect(operatorFiles.get(path)!.replace(/rule_files:\n- [^\n]+\n/, '')).toBe(content.replace(/rule_files:\n- [^\n]+\n/, ''));
      } else if (path !== 'metricops-inline-rules.rules.yaml') {
        expect(operatorFiles.get(`tests/${path}`)).toBe(content);
      }
    }
  });
});
