import { lstat, mkdtemp, readFile, rm, symlink, writeFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCompiledRules } from '../../../../slo-compiler/output/write.js';
import { GENERATED_MARKER } from '../../../../slo-compiler/output/header.js';

const generated = (body: string) => `${GENERATED_MARKER} from x.yaml. DO NOT EDIT.\n${body}\n`;

describe('writeCompiledRules', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-write-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes new files (creating folders), then reports unchanged files without rewriting them', async () => {
    const rules = { files: [{ path: 'a.rules.yaml', content: generated('a') }, { path: 'tests/a.test.yaml', content: generated('t') }], guardingAlerts: [] };
    expect(await writeCompiledRules(join(dir, 'out'), rules)).toEqual({ written: ['a.rules.yaml', 'tests/a.test.yaml'], unchanged: [], removed: [] });
    const before = (await stat(join(dir, 'out', 'a.rules.yaml'))).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await writeCompiledRules(join(dir, 'out'), rules)).toEqual({ written: [], unchanged: ['a.rules.yaml', 'tests/a.test.yaml'], removed: [] });
    expect((await stat(join(dir, 'out', 'a.rules.yaml'))).mtimeMs).toBe(before);
  });

  test('rewrites changed files only', async () => {
    await writeCompiledRules(dir, { files: [{ path: 'a.rules.yaml', content: generated('a') }, { path: 'b.rules.yaml', content: generated('b') }], guardingAlerts: [] });
    const result = await writeCompiledRules(dir, { files: [{ path: 'a.rules.yaml', content: generated('a2') }, { path: 'b.rules.yaml', content: generated('b') }], guardingAlerts: [] });
    expect(result).toEqual({ written: ['a.rules.yaml'], unchanged: ['b.rules.yaml'], removed: [] });
    expect(await readFile(join(dir, 'a.rules.yaml'), 'utf8')).toBe(generated('a2'));
  });

  test('removes stale generated files but never hand-written ones', async () => {
    await mkdir(join(dir, 'tests'));
    await writeFile(join(dir, 'old.rules.yaml'), generated('old'));
    await writeFile(join(dir, 'tests', 'old.test.yaml'), generated('old test'));
    await writeFile(join(dir, 'handwritten.yaml'), 'groups: []\n');
    const result = await writeCompiledRules(dir, { files: [{ path: 'new.rules.yaml', content: generated('new') }], guardingAlerts: [] });
    expect(result).toEqual({ written: ['new.rules.yaml'], unchanged: [], removed: ['old.rules.yaml', 'tests/old.test.yaml'] });
    expect(await readFile(join(dir, 'handwritten.yaml'), 'utf8')).toBe('groups: []\n');
  });

  test('compares through symlinks, and never removes a symlink (only regular generated files)', async () => {
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'kept.yaml'), generated('a'));
    await symlink(join(dir, 'kept.yaml'), join(dir, 'out', 'a.rules.yaml'));
    await symlink(join(dir, 'kept.yaml'), join(dir, 'out', 'stale-link.rules.yaml'));
    const result = await writeCompiledRules(join(dir, 'out'), { files: [{ path: 'a.rules.yaml', content: generated('a') }], guardingAlerts: [] });
    expect(result).toEqual({ written: [], unchanged: ['a.rules.yaml'], removed: [] });
    expect((await lstat(join(dir, 'out', 'stale-link.rules.yaml'))).isSymbolicLink()).toBe(true);
  });
});
