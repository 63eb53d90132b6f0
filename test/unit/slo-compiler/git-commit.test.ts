import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../../common/errors.js';
import { silentLogger } from '../../../common/logger.js';
import { commitCompiledRules, commitMessage, summarizeNames } from '../../../slo-compiler/git-commit.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

describe('commitCompiledRules', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-commit-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function repoWithOutDir(): Promise<{ repo: string; outDir: string }> {
    const repo = join(root, 'repo');
    await mkdir(join(repo, 'rules', 'prod'), { recursive: true });
    git(repo, 'init', '--quiet', '--initial-branch=main');
    return { repo, outDir: join(repo, 'rules', 'prod') };
  }

  test('commits the written files, relative to the repository top, with the SLOs and files in the message', async () => {
    const { repo, outDir } = await repoWithOutDir();
    await writeFile(join(outDir, 'checkout-availability.yaml'), 'groups: []\n');
    await writeFile(join(outDir, 'search-latency.yaml'), 'groups: []\n');
    await writeFile(join(repo, 'unrelated.txt'), 'not ours\n');

    const hash = await commitCompiledRules({
      outDir,
      changed: ['search-latency.yaml', 'checkout-availability.yaml'],
      summary: 'checkout-availability, search-latency',
      logger: silentLogger(),
    });

    expect(hash).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(git(repo, 'log', '-1', '--format=%s')).toBe('metricops: update rules for checkout-availability, search-latency (2 files)');
    expect(git(repo, 'log', '-1', '--format=%b')).toBe('- rules/prod/checkout-availability.yaml\n- rules/prod/search-latency.yaml');
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n')).toEqual([
      'rules/prod/checkout-availability.yaml',
      'rules/prod/search-latency.yaml',
    ]);
    expect(git(repo, 'status', '--porcelain')).toBe('?? unrelated.txt');
  });

  test('commits removed files as deletions', async () => {
    const { repo, outDir } = await repoWithOutDir();
    await writeFile(join(outDir, 'old.yaml'), 'groups: []\n');
    await writeFile(join(outDir, 'kept.yaml'), 'groups: []\n');
    await commitCompiledRules({ outDir, changed: ['old.yaml', 'kept.yaml'], summary: 'old, kept', logger: silentLogger() });
    await unlink(join(outDir, 'old.yaml'));

    const hash = await commitCompiledRules({ outDir, changed: ['old.yaml'], summary: 'old', logger: silentLogger() });

    expect(hash).not.toBeNull();
    expect(git(repo, 'show', '--name-status', '--format=', 'HEAD')).toBe('D\trules/prod/old.yaml');
    expect(git(repo, 'ls-files')).toBe('rules/prod/kept.yaml');
  });

  test.each([
    ['no file changed', [] as string[]],
    ['the listed files are identical to the last commit', ['a.yaml']],
  ])('makes no commit when %s', async (_description, changed) => {
    const { repo, outDir } = await repoWithOutDir();
    await writeFile(join(outDir, 'a.yaml'), 'groups: []\n');
    await commitCompiledRules({ outDir, changed: ['a.yaml'], summary: 'a', logger: silentLogger() });
    const before = git(repo, 'rev-parse', 'HEAD');

    expect(await commitCompiledRules({ outDir, changed, summary: 'a', logger: silentLogger() })).toBeNull();
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before);
  });

  test('an --out folder outside any Git repository is invalid input that says to run git init', async () => {
    const outDir = join(root, 'plain');
    await mkdir(outDir);
    await writeFile(join(outDir, 'a.yaml'), 'groups: []\n');

    const error = await commitCompiledRules({ outDir, changed: ['a.yaml'], summary: 'a', logger: silentLogger() }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues).toEqual([
      expect.objectContaining({ source: '--out', path: outDir, message: expect.stringContaining('git init') }),
    ]);
  });
});

describe('commit message parts', () => {
  test.each([
    ['a single file is counted in the singular', 'a', ['r/a.yaml'], 'metricops: update rules for a (1 file)\n\n- r/a.yaml\n'],
    ['an empty summary leaves the subject generic', '', ['x.yaml', 'y.yaml'], 'metricops: update rules (2 files)\n\n- x.yaml\n- y.yaml\n'],
  ])('%s', (_description, summary, paths, expected) => {
    expect(commitMessage(summary, paths)).toBe(expected);
  });

  test.each([
    ['few names are all listed, sorted and unique', ['b', 'a', 'b'], 'a, b'],
    ['many names are cut after five with a count', ['g', 'f', 'e', 'd', 'c', 'b', 'a'], 'a, b, c, d, e and 2 more'],
  ])('%s', (_description, names, expected) => {
    expect(summarizeNames(names)).toBe(expected);
  });
});
