import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runCli } from '../run-cli.js';

const valid = fileURLToPath(new URL('../../slo-compiler/inputs/fixtures/valid', import.meta.url));
const invalid = fileURLToPath(new URL('../../slo-compiler/inputs/fixtures/invalid', import.meta.url));

const run = (argv: string[]) => runCli(argv);

describe('metricops validate', () => {
  test.each([
    { description: 'a directory of valid specs', paths: [valid], expected: 'ok: 4 SLOs, 1 inline rule in 4 files\n' },
    { description: 'a single valid file', paths: [join(valid, 'native.yaml')], expected: 'ok: 2 SLOs, 0 inline rules in 1 file\n' },
    { description: 'a file of Deployments only', paths: [join(valid, 'deployments.yml')], expected: 'ok: 0 SLOs, 1 inline rule in 1 file\n' },
  ])('$description prints the summary and exits 0', async ({ paths, expected }) => {
    expect(await run(['validate', ...paths])).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  test('invalid specs (and a name clash between the two directories) print every problem with its place, in reading order, and exit 1, printing nothing on stdout', async () => {
    const result = await run(['validate', invalid, valid]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('metricops: invalid input (6 problems):');
    expect(lines.slice(1)).toEqual([
      `  - ${join(invalid, 'bad-objective.yaml')}, document 0, line 6:14: spec.objective: objective 100 is out of range: write a percentage above 0 and below 100, e.g. 99.9 (100% leaves no error budget, so every error would page)`,
      `  - ${join(invalid, 'empty.yaml')}: the file has no YAML documents: add an SLO spec (or remove the file from the inputs)`,
      expect.stringMatching(/duplicate\.yaml, document 1, line 13:\d+: metadata\.name: duplicate SLO name "checkout-latency"/),
      expect.stringMatching(/syntax-error\.yml, document 0, line 6:\d+: YAML syntax error: /),
      expect.stringMatching(/sloth-no-window\.yaml, document 0, line 9:\d+: slos\[0\]\.sli\.events\.error_query: the query has no \{\{\.window\}\} range/),
      expect.stringMatching(/valid\/native\.yaml, document 2, line 17:\d+: metadata\.name: duplicate SLO name "checkout-latency", also defined at .*duplicate\.yaml, document 0, line 4:18 \(metadata\.name\): SLO names/),
    ]);
  });

  test.each([
    { description: 'no paths', argv: ['validate'], stderr: "missing required argument 'paths'" },
    { description: 'a bad --default-window', argv: ['validate', valid, '--default-window', 'monthly'], stderr: '--default-window: bad SLO window: "monthly" is not a duration' },
    { description: 'an unknown flag', argv: ['validate', valid, '--strict'], stderr: "unknown option '--strict'" },
  ])('$description is a usage error: exit 2', async ({ argv, stderr }) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(stderr);
  });
});
