import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError, GitRepository, redactUrl } from '../../../common/git-repository.js';
import { silentLogger } from '../../../common/logger.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

describe('GitRepository', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-git-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('commits changed files and makes no commit when nothing changed', async () => {
    const repo = await GitRepository.open(join(root, 'work'), silentLogger());
    await writeFile(join(repo.dir, 'rules.yaml'), 'groups: []\n');
    const first = await repo.commit(['rules.yaml'], 'add rules');
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.commit(['rules.yaml'], 'again')).toBeNull();
    await writeFile(join(repo.dir, 'rules.yaml'), 'groups: [{name: a, rules: []}]\n');
    const second = await repo.commit(['rules.yaml'], 'change rules');
    expect(second).not.toBe(first);
    expect((await repo.log()).map((entry) => entry.message)).toEqual(['change rules', 'add rules']);
  });

  test('a message far over the 128 KiB argument limit is committed whole (it goes through a file, not argv)', async () => {
    const repo = await GitRepository.open(join(root, 'work'), silentLogger());
    await writeFile(join(repo.dir, 'log.txt'), 'x\n');
    const body = Array.from({ length: 20_000 }, (_, index) => `line ${index} of a long message`).join('\n');
    expect(Buffer.byteLength(body)).toBeGreaterThan(4 * 128 * 1024);
    await repo.commit(['log.txt'], `subject\n\n${body}`);
    expect(execFileSync('git', ['log', '-1', '--format=%B'], { cwd: repo.dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trimEnd()).toBe(`subject\n\n${body}`);
  });

  test('a stale index.lock (a git killed mid-commit) is removed on request, and commits work again', async () => {
    const repo = await GitRepository.open(join(root, 'work'), silentLogger());
    await writeFile(join(repo.dir, '.git', 'index.lock'), '');
    await writeFile(join(repo.dir, 'a.txt'), 'a\n');
    await expect(repo.commit(['a.txt'], 'blocked')).rejects.toThrow(/index\.lock/);
    expect(await repo.removeStaleIndexLock()).toBe(true);
    expect(await repo.removeStaleIndexLock()).toBe(false);
    expect(await repo.commit(['a.txt'], 'unblocked')).toMatch(/^[0-9a-f]{40}$/);
  });

  test('commits only the paths it is given, leaving other changes alone', async () => {
    const repo = await GitRepository.open(join(root, 'work'), silentLogger());
    await writeFile(join(repo.dir, 'mine.txt'), 'a\n');
    await writeFile(join(repo.dir, 'theirs.txt'), 'b\n');
    await repo.commit(['mine.txt'], 'mine');
    expect(git(repo.dir, 'show', '--name-only', '--format=', 'HEAD')).toBe('mine.txt');
    expect(git(repo.dir, 'status', '--porcelain')).toBe('?? theirs.txt');
  });

  test('tells whether a commit contains another, finds a commit by trailer, shows a file at a commit', async () => {
    const repo = await GitRepository.open(join(root, 'work'), silentLogger());
    await writeFile(join(repo.dir, 'a.txt'), 'one\n');
    const first = (await repo.commit(['a.txt'], 'one'))!;
    await writeFile(join(repo.dir, 'a.txt'), 'two\n');
    const second = (await repo.commit(['a.txt'], 'two\n\nbody\n\nMetricops-Decision: d7\n'))!;
    expect([await repo.contains(second, first), await repo.contains(first, second), await repo.contains(first, first)]).toEqual([true, false, true]);
    expect(await repo.contains(first, '0'.repeat(40))).toBe(false);
    expect(await repo.findTrailer('Metricops-Decision', 'd7')).toBe(second);
    expect(await repo.findTrailer('Metricops-Decision', 'd')).toBeNull();
    expect([await repo.show(first, 'a.txt'), await repo.show(first, 'b.txt')]).toEqual(['one\n', null]);
    expect([await repo.resolve('HEAD~1'), await repo.resolve('nope')]).toEqual([first, null]);
  });

  test('a rejected push is rebased onto the remote and pushed again, never forced', async () => {
    const remote = join(root, 'remote.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const seed = await GitRepository.open(join(root, 'seed'), silentLogger());
    await writeFile(join(seed.dir, 'README'), 'seed\n');
    await seed.commit(['README'], 'seed');
    git(seed.dir, 'remote', 'add', 'origin', remote);
    await seed.pushWithRebase();

    const alice = await GitRepository.clone(remote, join(root, 'alice'), silentLogger());
    const bob = await GitRepository.clone(remote, join(root, 'bob'), silentLogger());
    await writeFile(join(alice.dir, 'a.txt'), 'alice\n');
    await alice.commit(['a.txt'], 'alice');
    await writeFile(join(bob.dir, 'b.txt'), 'bob\n');
    await bob.commit(['b.txt'], 'bob');
    await alice.pushWithRebase();
    await bob.pushWithRebase();

    const check = await GitRepository.clone(remote, join(root, 'check'), silentLogger());
    expect(await readFile(join(check.dir, 'a.txt'), 'utf8')).toBe('alice\n');
    expect(await readFile(join(check.dir, 'b.txt'), 'utf8')).toBe('bob\n');
    expect((await check.log()).map((entry) => entry.message)).toEqual(['bob', 'alice', 'seed']);
  });

  test('a push to a remote that does not exist fails with the remote named', async () => {
    const repo = await GitRepository.open(join(root, 'work'), silentLogger());
    await writeFile(join(repo.dir, 'x'), 'x\n');
    await repo.commit(['x'], 'x');
    git(repo.dir, 'remote', 'add', 'origin', join(root, 'missing.git'));
    await expect(repo.pushWithRebase({ attempts: 2 })).rejects.toThrow(GitError);
    await expect(repo.pushWithRebase({ attempts: 2 })).rejects.toThrow(/push to origin\/main failed/);
  });

  test('credentials in URLs never reach a message', () => {
    expect(redactUrl('fatal: https://bot:s3cret@git.example/repo.git not found')).toBe('fatal: https://[redacted]@git.example/repo.git not found');
  });
});
