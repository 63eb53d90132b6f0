import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, UsageError } from '../../../../common/errors.js';
import { loadSpecFiles, loadSpecs } from '../../../../slo-compiler/inputs/load.js';

const valid = fileURLToPath(new URL('./fixtures/valid', import.meta.url));
const invalid = fileURLToPath(new URL('./fixtures/invalid', import.meta.url));

async function issuesOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return (error as InvalidInputError).issues;
}

describe('loadSpecs reads files and directories', () => {
  test('a directory is read recursively: *.yaml and *.yml in sorted order, hidden folders and other files skipped', async () => {
    const loaded = await loadSpecFiles([valid]);
    expect(loaded.files).toEqual(['deployments.yml', 'native.yaml', 'nested/openslo.yaml', 'nested/sloth.yaml'].map((file) => join(valid, file)));
    expect(loaded.slos.map((slo) => [slo.name, slo.format, slo.location.source, slo.location.document])).toEqual([
      ['checkout-availability', 'metricops', join(valid, 'native.yaml'), 0],
      ['checkout-latency', 'metricops', join(valid, 'native.yaml'), 2],
      ['search-availability', 'openslo', join(valid, 'nested/openslo.yaml'), 0],
      ['myservice-requests-availability', 'sloth', join(valid, 'nested/sloth.yaml'), 0],
    ]);
    expect(loaded.inlineRules.map((rule) => `${rule.namespace}/${rule.deployment}`)).toEqual(['shop/cart']);
  });

  test('single files are read as given, and a file named twice is read once', async () => {
    const file = join(valid, 'native.yaml');
    const input = await loadSpecs([file, file]);
    expect(input.slos.map((slo) => slo.name)).toEqual(['checkout-availability', 'checkout-latency']);
    expect(input.inlineRules).toEqual([]);
  });

  test('the default window option reaches Sloth specs', async () => {
    const input = await loadSpecs([join(valid, 'nested/sloth.yaml')], { defaultWindow: '28d' });
    expect(input.slos[0]?.window).toBe('28d');
  });

  test('every problem in every file is listed at once, in reading order, each with its file, document, path and line', async () => {
    const issues = await issuesOf(loadSpecs([invalid]));
    const at = (file: string) => join(invalid, file);
    expect(issues).toEqual([
      expect.objectContaining({ source: at('bad-objective.yaml'), document: 0, path: 'spec.objective', line: 6, message: expect.stringContaining('objective 100 is out of range') }),
      { source: at('empty.yaml'), message: expect.stringContaining('the file has no YAML documents') },
      expect.objectContaining({
        source: at('more/duplicate.yaml'),
        document: 1,
        path: 'metadata.name',
        line: 13,
        message: expect.stringContaining(`duplicate SLO name "checkout-latency", also defined at ${at('more/duplicate.yaml')}, document 0, line 4`),
      }),
      expect.objectContaining({ source: at('more/syntax-error.yml'), document: 0, line: 6, message: expect.stringContaining('YAML syntax error') }),
      expect.objectContaining({ source: at('sloth-no-window.yaml'), document: 0, path: 'slos[0].sli.events.error_query', line: 9, message: expect.stringContaining('no {{.window}} range') }),
    ]);
  });

  test('a path that does not exist is a problem, reported with the others', async () => {
    const missing = join(valid, 'no-such-dir');
    const issues = await issuesOf(loadSpecs([missing, join(invalid, 'empty.yaml')]));
    expect(issues).toEqual([
      { source: missing, message: expect.stringContaining('cannot read this path (ENOENT): check that the file or directory exists') },
      expect.objectContaining({ source: join(invalid, 'empty.yaml') }),
    ]);
  });

  test('a directory without YAML files is a problem', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'metricops-specs-'));
    try {
      await writeFile(join(directory, 'README.md'), '# nothing here\n');
      expect(await issuesOf(loadSpecs([directory]))).toEqual([{ source: directory, message: expect.stringContaining('the directory has no *.yaml or *.yml files') }]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('no paths at all is a usage error', async () => {
    await expect(loadSpecs([])).rejects.toBeInstanceOf(UsageError);
  });
});
