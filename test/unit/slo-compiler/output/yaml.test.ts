import { isAlias, isNode, parseAllDocuments, visit } from 'yaml';
import { compile, type CompileOptions } from '../../../../slo-compiler/compile.js';
import type { CompileInput } from '../../../../slo-compiler/model.js';
import { toYaml, YamlWriter } from '../../../../slo-compiler/output/yaml.js';
import { indicators, makeSlo, slothBaseSlo1 } from '../rules/fixtures.js';

/** Every anchor (`&a1`) and alias (`*a1`) in a YAML text, found by parsing it (not by pattern). */
function anchorsAndAliases(text: string): string[] {
  const found: string[] = [];
  for (const document of parseAllDocuments(text)) {
    expect(document.errors).toEqual([]);
    visit(document, (_key, node) => {
      if (isAlias(node)) found.push(`*${node.source}`);
      else if (isNode(node) && node.anchor) found.push(`&${node.anchor}`);
    });
  }
  return found;
}

describe('toYaml', () => {
  test('writes an object shared by several parents out in full each time: no anchors, no aliases', () => {
    const labels = { sloth_id: 'svc-slo', team: 'payments' };
    const text = toYaml({ rules: [{ record: 'a', labels }, { record: 'b', labels }], again: labels });
    expect(anchorsAndAliases(text)).toEqual([]);
    expect(text).toBe(
      [
        'rules:',
        '- record: a',
        '  labels:',
        '    sloth_id: svc-slo',
        '    team: payments',
        '- record: b',
        '  labels:',
        '    sloth_id: svc-slo',
        '    team: payments',
        'again:',
        '  sloth_id: svc-slo',
        '  team: payments',
        '',
      ].join('\n'),
    );
  });

  test('readable, deterministic layout: literal blocks for multi-line strings, no folding, double quotes when needed', () => {
    const long = `sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="api"}[5m])) ${'x'.repeat(120)}`;
    const text = toYaml({ expr: 'a\n/\nb\n', long, objective: '99.9', version: 'yes', summary: '{{$labels.sloth_service}} is burning' });
    expect(text).toBe(
      ['expr: |', '  a', '  /', '  b', `long: ${long}`, 'objective: "99.9"', 'version: "yes"', 'summary: "{{$labels.sloth_service}} is burning"', ''].join('\n'),
    );
  });
});

describe('compiled files', () => {
  const input: CompileInput = {
    slos: [makeSlo(), makeSlo({ name: 'checkout-latency', slothId: 'checkout-latency', indicator: indicators.latency! }), slothBaseSlo1()],
    inlineRules: [{ namespace: 'shop', deployment: 'search', expr: 'up{job="search"} == 0', for: '1m', location: { source: 'deploy/search.yaml', document: 0 } }],
  };
  test.each<CompileOptions['format']>(['prometheus', 'operator'])('%s format, with tests: no anchors or aliases in any file', (format) => {
    const files = compile(input, { format, longWindows: 'counts', emitTests: true }).files;
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) expect({ path: file.path, found: anchorsAndAliases(file.content) }).toEqual({ path: file.path, found: [] });
  });
});

describe('YamlWriter: the bytes of toYaml, written faster', () => {
  const writer = new YamlWriter();
  const awkward = [
    '', ' ', 'a b', 'a: b', 'a #b', 'a#b', '-a', '- a', '5m', '99.9', 'true', 'yes', 'No', 'null', '~', '1:20', '0x1F', 'a\nb', 'a\nb\n', '\n',
    ' lead\nx', 'x\n\n', 'tab\there', 'é', '😀', 'a\u0007b', '{{$labels.x}}', '"q"', "'s'", 'a,b', '[x]', '@x', '`x`', 'x:', 'x: ', '.inf', '.5',
    '1e3', '2001-01-01', '<<', 'x\r\ny', '\u2028', 'a\u00a0b', 'k8s/app', 'sloth_id', 'slo:sli_error:ratio_rate5m',
  ];

  test.each(awkward.map((text) => [JSON.stringify(text), text]))('%s as a key, a value, in a list and nested', (_name, text) => {
    const value = { k: text, [text || 'empty']: 'v', list: [text, { inner: [text] }], map: { nested: { deeper: text } } };
    expect(writer.document(value)).toBe(toYaml(value));
  });

  test('random strings of YAML-significant characters (2,000 of them, seeded)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pool = ' \n\t#:-?,[]{}&*!|>\'"%@`aZ09._/\\\u00e9\u2028~=<';
    for (let round = 0; round < 2000; round += 1) {
      const text = Array.from({ length: Math.floor(random() * 12) }, () => pool[Math.floor(random() * pool.length)]).join('');
      const value = { a: text, [text || 'x']: [text], b: { c: text } };
      expect(writer.document(value)).toBe(toYaml(value));
    }
  });

  test.each([
    ['counts', 'prometheus'],
    ['sloth', 'prometheus'],
    ['counts', 'operator'],
  ] as const)('rule files of every indicator (%s, %s) are the bytes js-yaml writes', (longWindows, format) => {
    const input: CompileInput = {
      slos: [
        makeSlo(),
        makeSlo({ name: 'latency', slothId: 'latency', indicator: indicators.latency! }),
        makeSlo({ name: 'probe', slothId: 'probe', indicator: indicators.boolGauge!, alerting: { ...makeSlo().alerting, minEvents: 50 } }),
        slothBaseSlo1(),
      ],
      inlineRules: [],
    };
    for (const file of compile(input, { format, longWindows, emitTests: false }).files) {
      const parsed = parseAllDocuments(file.content)[0]!.toJS();
      const header = file.content.slice(0, file.content.indexOf('\n', file.content.indexOf('\n') + 1) + 1);
      expect(file.content).toBe(header + toYaml(parsed));
    }
  });
});
