import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRepository } from '../../../../common/git-repository.js';
import { silentLogger } from '../../../../common/logger.js';
import type { DecisionRecord } from '../../../../feedback-pipeline/model.js';
import { GitOpsManifestWriter, GitOpsPathError, resolveInside } from '../../../../feedback-pipeline/actuators/gitops-write-back.js';

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

const record: DecisionRecord = {
  id: 'd1',
  time: '2026-11-21T14:31:00.000Z',
  outcome: 'rolled-back',
  reason: 'checkout-availability burns 14x after the rollout',
  alert: { name: 'CheckoutBurn', fingerprint: 'fp1', labels: {}, startsAt: '2026-11-21T14:30:00.000Z', source: 'webhook' },
  deployment: { namespace: 'shop', name: 'checkout' },
  from: { revision: 3, replicaSet: 'checkout-3', images: { app: 'registry.example/shop/checkout:2.0.0' } },
  to: { revision: 2, replicaSet: 'checkout-2', images: { app: 'registry.example/shop/checkout:1.9.3' } },
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

    const writer = new GitOpsManifestWriter({ repo, push: true, logger: silentLogger() });
    const hash = await writer.writeBack(record, 'apps/checkout/deployment.yaml');
    expect(hash).toMatch(/^[0-9a-f]{40}$/);

    const check = await GitRepository.clone(remote, join(root, 'check'), silentLogger());
    expect(await readFile(join(check.dir, 'apps', 'checkout', 'deployment.yaml'), 'utf8')).toBe(
      MANIFEST.replace('checkout:2.0.0', 'checkout:1.9.3'),
    );
    expect(await readFile(join(check.dir, 'README.md'), 'utf8')).toBe('apps\n');
    expect(git(check.dir, 'log', '--format=%s', '-3').split('\n')).toEqual([
      'rollback shop/checkout: app=registry.example/shop/checkout:1.9.3',
      'someone else',
      'seed',
    ]);
    expect(git(check.dir, 'log', '-1', '--format=%b')).toContain('Decision: d1');
    expect(git(check.dir, 'show', '--stat', '--format=', 'HEAD')).toContain('1 file changed, 1 insertion(+), 1 deletion(-)');

    // The same rollback again changes nothing and makes no commit.
    expect(await writer.writeBack(record, 'apps/checkout/deployment.yaml')).toBeNull();
    expect(git(remote, 'rev-parse', 'main')).toBe(hash);
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
    const writer = new GitOpsManifestWriter({ repo, push: false, logger: silentLogger() });
    await expect(writer.writeBack(record, 'apps/escape.yaml')).rejects.toThrow(/through a symbolic link/);
    expect(await readFile(join(root, 'outside.yaml'), 'utf8')).toBe(MANIFEST);
  });

  test('a manifest without the Deployment fails the write-back with the path named, leaving the file alone', async () => {
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const writer = new GitOpsManifestWriter({ repo, push: false, logger: silentLogger() });
    const other = { ...record, deployment: { namespace: 'shop', name: 'cart' } };
    await expect(writer.writeBack(other, 'apps/checkout/deployment.yaml')).rejects.toThrow(/apps\/checkout\/deployment.yaml has no Deployment shop\/cart/);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
  });
});
