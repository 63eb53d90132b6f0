import { parse } from 'yaml';
import { InvalidInputError } from '../../../common/errors.js';
import { compile, type CompileOptions } from '../../../slo-compiler/compile.js';
import type { CompileInput } from '../../../slo-compiler/model.js';
import { isAlertingRule } from '../../../slo-compiler/rules/rule.js';
import { runCli } from '../cli/run-cli.js';
import { makeSlo, slothBaseSlo1 } from './rules/fixtures.js';

const options: CompileOptions = { format: 'prometheus', longWindows: 'counts', emitTests: false };
const input: CompileInput = {
  slos: [makeSlo(), slothBaseSlo1()],
  inlineRules: [{ namespace: 'shop', deployment: 'search', expr: 'up{job="search"} == 0', for: '1m', location: { source: 'search.yaml' } }],
};

describe('compile with clusterLabel', () => {
  test("is Sloth's SLO label: the same rules as a spec that lists cluster among its labels (recording rules carry it, alerts get it through their series)", () => {
    const labelled = compile(input, { ...options, clusterLabel: 'eu-1' });
    const asSpecLabel = compile({ ...input, slos: input.slos.map((slo) => ({ ...slo, labels: { ...slo.labels, cluster: 'eu-1' } })) }, options);
    const sloFiles = (files: typeof labelled.files) => files.filter((file) => file.path !== 'metricops-inline-rules.rules.yaml');
    expect(sloFiles(labelled.files)).toEqual(sloFiles(asSpecLabel.files));

    const sloGroups = labelled.groups.filter((group) => group.name.startsWith('sloth-'));
    const recordings = sloGroups.flatMap((group) => group.rules).filter((rule) => !isAlertingRule(rule));
    expect(recordings.length).toBeGreaterThan(0);
    expect(recordings.every((rule) => rule.labels.cluster === 'eu-1')).toBe(true);
    // The alert expressions keep every label of the SLI series but sloth_window, so the firing alert has cluster=eu-1.
    const alerts = sloGroups.flatMap((group) => group.rules).filter(isAlertingRule);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((rule) => / without \(sloth_window\)/.test(rule.expr))).toBe(true);
  });

  test('inline rules have no series labels to pass it on: their alert rules carry it', () => {
    const inline = compile(input, { ...options, clusterLabel: 'eu-1' }).files.find((file) => file.path === 'metricops-inline-rules.rules.yaml');
    const rule = (parse(inline!.content) as { groups: Array<{ rules: Array<{ labels: Record<string, string> }> }> }).groups[0]!.rules[0]!;
    expect(rule.labels).toEqual({ cluster: 'eu-1', deployment: 'search', namespace: 'shop', slo_severity: 'page' });
  });

  test("the webhook's guarding alerts do not change: the cluster label is not one that tells a Deployment's alerts apart", () => {
    expect(compile(input, { ...options, clusterLabel: 'eu-1' }).guardingAlerts).toEqual(compile(input, options).guardingAlerts);
  });

  test('a spec that names another cluster is invalid input naming the SLO and both values; the same cluster is fine', () => {
    const other = { ...input, slos: [makeSlo({ labels: { cluster: 'us-2' } })] };
    expect(() => compile(other, { ...options, clusterLabel: 'eu-1' })).toThrow(InvalidInputError);
    expect(() => compile(other, { ...options, clusterLabel: 'eu-1' })).toThrow(/SLO "checkout-availability" has the label cluster: "us-2", but --cluster-label is "eu-1"/);
    expect(() => compile(other, { ...options, clusterLabel: 'us-2' })).not.toThrow();
  });
});

describe('--cluster-label on the command line', () => {
  test.each([
    ['an empty name', ['--cluster-label', '']],
    ['a name with a space', ['--cluster-label', 'eu 1']],
  ])('%s is a usage error (exit 2)', async (_sentence, flags) => {
    const result = await runCli(['compile', 'examples/slos/checkout.yaml', '--out', '/nonexistent/never-written', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--cluster-label ".*" is not a cluster name/);
  });
});
