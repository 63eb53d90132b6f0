import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKOUT_SLO } from '../../slo-compiler/sync/git-fixture.js';
import { runCli } from '../run-cli.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

const run = (argv: string[]) => runCli(argv);

describe('metricops compile --commit', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-compile-commit-'));
    await mkdir(join(root, 'repo', 'slos'), { recursive: true });
    await writeFile(join(root, 'repo', 'slos', 'checkout.yaml'), CHECKOUT_SLO);
    git(join(root, 'repo'), 'init', '--quiet', '--initial-branch=main');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('commits the written rules once; compiling again makes no commit', async () => {
    const repo = join(root, 'repo');
    const first = await run(['compile', join(repo, 'slos'), '--out', join(repo, 'rules'), '--commit']);

    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`committed ${git(repo, 'rev-parse', 'HEAD')}`);
    expect(git(repo, 'log', '--format=%s')).toBe('metricops: update rules for checkout-availability (1 file)');
    expect(git(repo, 'ls-files')).toBe('rules/checkout-availability.rules.yaml');
    expect(git(repo, 'status', '--porcelain')).toBe('?? slos/');

    const second = await run(['compile', join(repo, 'slos'), '--out', join(repo, 'rules'), '--commit']);
    expect(second.stdout).toContain('nothing to commit: the rules did not change');
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('1');
  });

  test('an --out outside any Git repository exits 1 with the fix in the message', async () => {
    const result = await run(['compile', join(root, 'repo', 'slos'), '--out', join(root, 'plain'), '--commit']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--out: ${join(root, 'plain')}: is not inside a Git repository`);
    expect(result.stderr).toContain('git init');
  });
});
