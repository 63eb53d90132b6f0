import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GitError, GitRepository } from '../../../common/git-repository.js';
import { createLogger, silentLogger } from '../../../common/logger.js';
import { DeferredClone, isRemote, openDeferredGitTarget } from '../../../feedback-pipeline/git-target.js';

describe('isRemote', () => {
  test.each([
    ['an https URL', 'https://github.com/acme/gitops.git', true],
    ['an https URL without .git', 'https://git.example/acme/audit', true],
    ['an ssh URL', 'ssh://git@git.example:22/acme/audit.git', true],
    ['a file URL', 'file:///srv/git/audit', true],
    ['an scp-style address', 'git@github.com:acme/gitops.git', true],
    ['a path to a bare repository', '/srv/git/audit.git', true],
    ['a relative path to a bare repository', 'remotes/audit.git/', true],
    ['a local working directory', '/var/lib/metricops/audit-log', false],
    ['a relative working directory', 'metricops-data/audit-log', false],
    ['a path with @ but no colon', '/data/user@host/audit', false],
  ])('%s', (_description, location, remote) => {
    expect(isRemote(location)).toBe(remote);
  });
});

describe('a GitOps repository that cannot be cloned at start', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-git-target-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function bareWithCommit(path: string): Promise<void> {
    execFileSync('git', ['init', '--bare', '--initial-branch=main', path]);
    const seed = await GitRepository.open(join(root, 'seed'), silentLogger());
    await writeFile(join(seed.dir, 'README.md'), 'gitops\n');
    await seed.commit(['README.md'], 'seed');
    execFileSync('git', ['-C', seed.dir, 'remote', 'add', 'origin', path]);
    await seed.pushWithRebase();
  }

  test('DeferredClone: a failed get() throws a GitError naming the remote, the next one clones once it answers; concurrent calls share one clone', async () => {
    const remote = join(root, 'gitops.git');
    const clone = new DeferredClone(remote, join(root, 'clone'), silentLogger());
    await expect(clone.get()).rejects.toThrow(GitError);
    await expect(clone.get()).rejects.toThrow(/cannot clone .*gitops\.git/);
    await bareWithCommit(remote);
    const [a, b] = await Promise.all([clone.get(), clone.get()]);
    expect(a).toBe(b);
    expect(await a.head()).toMatch(/^[0-9a-f]{40}$/);
    expect(await clone.get()).toBe(a);
  });

  test('openDeferredGitTarget: a remote that does not answer yet still opens (a warning, no error), and is cloned at the first use after it answers', async () => {
    const remote = join(root, 'later.git');
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const target = await openDeferredGitTarget(remote, join(root, 'data'), 'gitops-clone', 'GitOps repository', createLogger({ destination: stream, level: 'info' }));
    expect(target.push).toBe(true);
    expect(lines.join('')).toContain('cannot clone the GitOps repository now: rollbacks go on');
    await expect(target.source.get()).rejects.toThrow(GitError);
    await bareWithCommit(remote);
    expect(target.source.dir).toBe(join(root, 'data', 'gitops-clone'));
    expect((await target.source.get()).dir).toBe(join(root, 'data', 'gitops-clone'));
  });

  test('openDeferredGitTarget: a local path that is not usable stays an error at start (a configuration mistake)', async () => {
    await writeFile(join(root, 'file'), 'not a directory');
    await expect(openDeferredGitTarget(join(root, 'file', 'repo'), join(root, 'data'), 'gitops-clone', 'GitOps repository', silentLogger())).rejects.toThrow();
  });
});
