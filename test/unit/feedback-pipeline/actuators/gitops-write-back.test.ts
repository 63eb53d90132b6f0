import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRepository } from '../../../../common/git-repository.js';
import { silentLogger } from '../../../../common/logger.js';
import { parseTrailers } from '../../../../common/contract/write-back-commit.js';
import type { WriteBackRequest } from '../../../../feedback-pipeline/ports.js';
import { GitOpsManifestWriter, GitOpsPathError, resolveInside } from '../../../../feedback-pipeline/actuators/gitops-write-back.js';
import { openedRepository } from '../../../../feedback-pipeline/git-target.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  annotations:
    metricops.io/git-path: apps/checkout/deployment.yaml   # used by metricops
spec:
  template:
    spec:
      containers:
        - name: app
          # pinned by CI
          image: registry.example/shop/checkout:2.0.0
`;

const GIT_PATH = 'apps/checkout/deployment.yaml';
const request: WriteBackRequest = {
  decision: 'd1',
  gitPath: GIT_PATH,
  reason: 'checkout-availability burns 14x after the rollout',
  alert: { name: 'CheckoutBurn', fingerprint: 'fp1', startsAt: '2026-11-21T14:30:00.000Z' },
  deployment: { namespace: 'shop', name: 'checkout' },
  from: { revision: 3, images: { app: 'registry.example/shop/checkout:2.0.0' } },
  to: { revision: 2, images: { app: 'registry.example/shop/checkout:1.9.3' } },
};

describe('GitOpsManifestWriter', () => {
  let root: string;
  let remote: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-gitops-'));
    remote = join(root, 'gitops.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const seed = await GitRepository.open(join(root, 'seed'), silentLogger());
    await mkdir(join(seed.dir, 'apps', 'checkout'), { recursive: true });
    await writeFile(join(seed.dir, 'apps', 'checkout', 'deployment.yaml'), MANIFEST);
    await writeFile(join(root, 'outside.yaml'), MANIFEST);
    await seed.commit(['apps'], 'seed');
    git(seed.dir, 'remote', 'add', 'origin', remote);
    await seed.pushWithRebase();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('commits only the image line and pushes onto what another writer pushed meanwhile', async () => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const other = await GitRepository.clone(remote, join(root, 'other'), silentLogger());
    await writeFile(join(other.dir, 'README.md'), 'apps\n');
    await other.commit(['README.md'], 'someone else');
    await other.pushWithRebase();

    const writer = new GitOpsManifestWriter({ repo: openedRepository(repo), push: true, logger: silentLogger() });
    const { commit: hash, revision } = await writer.writeBack(request);
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(revision).toBe(hash);

    const check = await GitRepository.clone(remote, join(root, 'check'), silentLogger());
    expect(await readFile(join(check.dir, 'apps', 'checkout', 'deployment.yaml'), 'utf8')).toBe(
      MANIFEST.replace('checkout:2.0.0', 'checkout:1.9.3'),
    );
    expect(await readFile(join(check.dir, 'README.md'), 'utf8')).toBe('apps\n');
    expect(git(check.dir, 'log', '--format=%s', '-3').split('\n')).toEqual([
      'revert checkout to 1.9.3: CheckoutBurn burning since 2026-11-21T14:30:00.000Z',
      'someone else',
      'seed',
    ]);
    // Git itself reads the trailers.
    expect(git(check.dir, 'log', '-1', '--format=%(trailers:only,unfold)').split('\n')).toEqual([
      'Metricops-Decision: d1',
      'Metricops-Deployment: shop/checkout',
      'Metricops-Alert: CheckoutBurn fingerprint=fp1 startsAt=2026-11-21T14:30:00.000Z',
      'Metricops-From: app=registry.example/shop/checkout:2.0.0',
      'Metricops-To: app=registry.example/shop/checkout:1.9.3',
    ]);
    expect(parseTrailers(git(check.dir, 'log', '-1', '--format=%B'))[0]).toEqual({ key: 'Metricops-Decision', value: 'd1' });
    expect(git(check.dir, 'log', '-1', '--format=%b')).toContain('Why: checkout-availability burns 14x after the rollout');
    expect(git(check.dir, 'show', '--stat', '--format=', 'HEAD')).toContain('1 file changed, 1 insertion(+), 1 deletion(-)');

    // The same rollback again (a duplicate notification, a restart) finds its commit: no second one.
    expect(await writer.writeBack(request)).toEqual({ commit: hash, revision: hash });
    expect(git(remote, 'rev-parse', 'main')).toBe(hash);
  }, 30_000);

  test('two writers (two replicas) writing back the same decision make one commit between them', async () => {
    const a = new GitOpsManifestWriter({ repo: openedRepository(await GitRepository.clone(remote, join(root, 'a'), silentLogger())), push: true, logger: silentLogger() });
    const b = new GitOpsManifestWriter({ repo: openedRepository(await GitRepository.clone(remote, join(root, 'b'), silentLogger())), push: true, logger: silentLogger() });
    const [first, second] = await Promise.all([a.writeBack(request), b.writeBack(request)]);
    expect(second.commit).toBe(first.commit);
    expect(git(remote, 'log', '--format=%s', 'main').split('\n')).toEqual([
      'revert checkout to 1.9.3: CheckoutBurn burning since 2026-11-21T14:30:00.000Z',
      'seed',
    ]);
  }, 30_000);

  test('a commit left unpushed (Git was down) is pushed by the next attempt, not written again', async () => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const writer = new GitOpsManifestWriter({ repo: openedRepository(repo), push: true, logger: silentLogger() });
    execFileSync('mv', [remote, `${remote}.away`]);
    await expect(writer.writeBack(request)).rejects.toThrow();
    execFileSync('mv', [`${remote}.away`, remote]);
    const { commit } = await writer.writeBack(request);
    expect(git(remote, 'log', '--format=%H %s', 'main').split('\n')).toEqual([
      `${commit} revert checkout to 1.9.3: CheckoutBurn burning since 2026-11-21T14:30:00.000Z`,
      expect.stringMatching(/ seed$/),
    ]);
  }, 30_000);

  test('Git that already has the good images gets no commit; its head is the revision to apply', async () => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const writer = new GitOpsManifestWriter({ repo: openedRepository(repo), push: true, logger: silentLogger() });
    const already = { ...request, to: request.from };
    expect(await writer.writeBack(already)).toEqual({ commit: null, revision: git(remote, 'rev-parse', 'main') });
    expect(await writer.headHas(git(remote, 'rev-parse', 'main'), already)).toBe(true);
    expect(await writer.headHas(git(remote, 'rev-parse', 'main'), request)).toBe(false);
  }, 30_000);

  test.each([
    ['an absolute path', '/etc/passwd', /not a relative path/],
    ['a path climbing out', '../outside.yaml', /leaves the repository/],
    ['a path climbing out from a subfolder', 'apps/../../outside.yaml', /leaves the repository/],
    ['the repository root itself', '.', /leaves the repository/],
    ['a path into .git', '.git/config', /points into .git/],
    ['a path that does not exist', 'apps/cart.yaml', /does not exist/],
  ])('refuses %s', async (_description, gitPath, message) => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    await expect(resolveInside(repo.dir, gitPath)).rejects.toThrow(GitOpsPathError);
    await expect(resolveInside(repo.dir, gitPath)).rejects.toThrow(message);
  });

  test('refuses a symbolic link that leads out of the repository, and the writer commits nothing', async () => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    await symlink(join(root, 'outside.yaml'), join(repo.dir, 'apps', 'escape.yaml'));
    const writer = new GitOpsManifestWriter({ repo: openedRepository(repo), push: false, logger: silentLogger() });
    await expect(writer.writeBack({ ...request, gitPath: 'apps/escape.yaml' })).rejects.toThrow(/through a symbolic link/);
    expect(await readFile(join(root, 'outside.yaml'), 'utf8')).toBe(MANIFEST);
  });

  test('a manifest without the Deployment fails the write-back with the path named, leaving the file alone', async () => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const writer = new GitOpsManifestWriter({ repo: openedRepository(repo), push: false, logger: silentLogger() });
    const other = { ...request, deployment: { namespace: 'shop', name: 'cart' } };
    await expect(writer.writeBack(other)).rejects.toThrow(/apps\/checkout\/deployment.yaml has no Deployment shop\/cart/);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
  });
});
