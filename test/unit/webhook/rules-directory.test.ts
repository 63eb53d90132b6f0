import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ManualClock } from '../../../common/clock.js';
import { InvalidInputError } from '../../../common/errors.js';
import { compile } from '../../../slo-compiler/compile.js';
import type { GuardingAlert } from '../../../common/contract/guarding-alert.js';
import type { CompileInput, Slo } from '../../../slo-compiler/model.js';
import { readRuleFile } from '../../../webhook/rule-file.js';
import { loadRulesDirectory } from '../../../webhook/rules-directory.js';

const clock = new ManualClock('2026-11-21T14:00:00Z');

function slo(name: string, target?: { namespace: string; deployment: string }): Slo {
  const settings = { disabled: false, labels: {}, annotations: {} };
  return {
    name,
    slothId: name,
    service: 'checkout',
    slothSlo: name,
    description: `${name} objective`,
    objective: 99.9,
    window: '30d',
    labels: { team: 'payments' },
    ...(target ? { target } : {}),
    indicator: { kind: 'ratio', errors: 'http_requests_total{code=~"5.."}', total: 'http_requests_total' },
    alerting: { name: 'CheckoutBudgetBurn', labels: { owner: 'payments' }, annotations: {}, page: settings, ticket: settings },
    format: 'metricops',
    location: { source: `slos/${name}.yaml` },
  };
}

const input: CompileInput = {
  slos: [slo('checkout-availability', { namespace: 'shop', deployment: 'checkout' }), slo('checkout-latency')],
  inlineRules: [{ namespace: 'shop', deployment: 'cart', expr: 'rate(cart_errors_total[5m]) > 1', for: '2m', location: { source: 'deploy/cart.yaml' } }],
};

describe('loadRulesDirectory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-rules-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  };

  test.each(['prometheus', 'operator'] as const)('the index of the compiler output (%s format) holds exactly the guarding alerts the compiler reports', async (format) => {
    const compiled = compile(input, { format, longWindows: 'counts', emitTests: false });
    for (const file of compiled.files) await write(file.path, file.content);
    const { index, issues } = await loadRulesDirectory(dir, clock);
    expect(issues).toEqual([]);
    const fromIndex: GuardingAlert[] = [...index.bySlo.values(), ...index.inline.values()].flat();
    const sortKey = (alert: GuardingAlert) => JSON.stringify([alert.slo ?? '', alert.labels]);
    expect([...fromIndex].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual([...compiled.guardingAlerts].sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
    expect(index.bySlo.get('checkout-availability')?.map((alert) => alert.severity)).toEqual(['page', 'ticket']);
    expect(index.inline.get('shop/cart')).toHaveLength(1);
    expect(index).toMatchObject({ source: dir, files: compiled.files.length, alerts: compiled.guardingAlerts.length, loadedAt: clock.now() });
  });

  test('reads nested folders and .yml files, skips dot entries like the ConfigMap ..data link, and follows symlinked files', async () => {
    const rule = (slo: string) => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n        labels: {slo: ${slo}, slo_severity: page}\n`;
    await write('..2026_11_21/a.yaml', rule('from-configmap'));
    await symlink('..2026_11_21', join(dir, '..data'));
    await symlink('..data/a.yaml', join(dir, 'a.yaml'));
    await write('team/b.yml', rule('nested'));
    await write('notes.txt', rule('ignored'));
    const { index } = await loadRulesDirectory(dir, clock);
    expect([...index.bySlo.keys()].sort()).toEqual(['from-configmap', 'nested']);
    expect(index.files).toBe(2);
  });

  test('the fingerprint changes with the content and only then', async () => {
    await write('a.yaml', 'groups: []\n');
    const first = await loadRulesDirectory(dir, clock);
    expect((await loadRulesDirectory(dir, clock)).fingerprint).toBe(first.fingerprint);
    await write('a.yaml', 'groups: [] # changed\n');
    expect((await loadRulesDirectory(dir, clock)).fingerprint).not.toBe(first.fingerprint);
  });

  test('a file that is not UTF-8, an alias bomb, a prototype-named label and a symlink loop are issues or safe; the good rules still load', async () => {
    const rule = (slo: string, extra = '') => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n        labels: {slo: ${slo}, slo_severity: page${extra}}\n`;
    await write('good.yaml', rule('good', ', __proto__: polluted, constructor: c'));
    await writeFile(join(dir, 'latin1.yaml'), Buffer.concat([Buffer.from(rule('latin').slice(0, 20)), Buffer.from([0xe9, 0xff])]));
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    await write('bomb.yaml', `${laughs}\ngroups: []\n`);
    await mkdir(join(dir, 'loop'));
    await symlink('..', join(dir, 'loop', 'again'));
    const { index, issues } = await loadRulesDirectory(dir, clock);
    expect([...index.bySlo.keys()]).toEqual(['good']);
    expect(index.bySlo.get('good')).toHaveLength(1);
    expect(({} as Record<string, unknown>).slo_severity).toBeUndefined();
    expect(issues).toEqual(
      expect.arrayContaining([
        { source: join(dir, 'latin1.yaml'), message: 'is not UTF-8 text: rule files are YAML in UTF-8' },
        expect.objectContaining({ source: join(dir, 'bomb.yaml'), document: 0, message: expect.stringMatching(/^YAML: .*alias/i) }),
      ]),
    );
  });

  test('a missing directory is invalid input naming the directory and the flag', async () => {
    const missing = join(dir, 'nope');
    const error = await loadRulesDirectory(missing, clock).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('--rules');
  });
});

describe('readRuleFile', () => {
  test.each([
    {
      description: 'a YAML syntax error is reported with its line and the other documents are still read',
      text: 'groups: []\ngroups: []\n---\ngroups:\n  - name: ok\n    rules:\n      - alert: B\n        labels: {slo: s, slo_severity: ticket}\n',
      issues: [{ document: 0, line: 2, message: expect.stringContaining('YAML syntax') }],
      alerts: 1,
    },
    {
      description: 'an SLO alert without slo_severity is reported at its labels with the line',
      text: 'groups:\n  - name: g\n    rules:\n      - alert: A\n        labels:\n          slo: s\n',
      issues: [{ document: 0, path: 'groups[0].rules[0].labels.slo_severity', line: 6, message: expect.stringContaining('is missing') }],
      alerts: 0,
    },
    {
      description: 'an unknown severity says which ones are allowed',
      text: 'groups:\n  - name: g\n    rules:\n      - alert: A\n        labels: {slo: s, slo_severity: critical}\n',
      issues: [{ document: 0, path: 'groups[0].rules[0].labels.slo_severity', message: 'is "critical"; must be one of page, ticket' }],
      alerts: 0,
    },
    {
      description: 'groups that are not a list are reported at spec.groups of a PrometheusRule',
      text: 'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups: {}\n',
      issues: [{ document: 0, path: 'spec.groups', line: 5, message: 'must be a list of rule groups' }],
      alerts: 0,
    },
    {
      description: 'recording rules, alerts without guard labels and non-rule documents are passed over silently',
      text: 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: vector(1)\n      - alert: Unrelated\n        expr: up == 0\n---\nkind: Kustomization\nresources: [a.yaml]\n',
      issues: [],
      alerts: 0,
    },
    {
      description: 'numeric label values are reported, asking to quote them',
      text: 'groups:\n  - name: g\n    rules:\n      - alert: A\n        labels: {slo: s, slo_severity: page, tier: 1}\n',
      issues: [{ path: 'groups[0].rules[0].labels', message: expect.stringContaining('quote numbers') }],
      alerts: 0,
    },
  ])('$description', ({ text, issues, alerts }) => {
    const result = readRuleFile(text, 'rules/x.yaml');
    expect(result.issues).toEqual(issues.map((issue) => expect.objectContaining({ source: 'rules/x.yaml', ...issue })));
    expect(result.alerts).toHaveLength(alerts);
  });
});
