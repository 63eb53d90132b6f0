import { isAlias, isNode, parseAllDocuments, visit } from 'yaml';
import { compile, type CompileOptions } from '../../../../slo-compiler/compile.js';
import type { CompileInput } from '../../../../slo-compiler/model.js';
import { toYaml } from '../../../../slo-compiler/output/yaml.js';
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
