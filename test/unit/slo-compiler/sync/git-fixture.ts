import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', ...args], { cwd: dir, encoding: 'utf8' }).trim();

export const CHECKOUT_SLO = `apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-availability
  namespace: shop
spec:
  service: checkout
  objective: 99.9
  window: 30d
  target:
    deployment: checkout
  indicator:
    ratio:
      errors: http_requests_total{job="checkout",code=~"5.."}
      total: http_requests_total{job="checkout"}
  alerting:
    name: CheckoutAvailabilitySLO
`;

export const SEARCH_SLOTH = `version: "prometheus/v1"
service: "search"
slos:
  - name: "latency"
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="search",le="0.5"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="search"}[{{.window}}]))
    alerting:
      name: SearchLatencySLO
      page_alert:
        labels:
          severity: critical
      ticket_alert:
        disable: true
`;

/** A bare remote (branch main) seeded with SLO specs under slos/, and a scratch folder for clones. */
export class RemoteFixture {
  private constructor(readonly root: string, readonly remote: string) {}

  static async create(files: Record<string, string> = { 'slos/checkout.yaml': CHECKOUT_SLO, 'slos/search.yaml': SEARCH_SLOTH }): Promise<RemoteFixture> {
    const root = await mkdtemp(join(tmpdir(), 'metricops-sync-'));
    const remote = join(root, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const fixture = new RemoteFixture(root, remote);
    const seed = await fixture.clone('seed');
    await fixture.commitAndPush(seed, files, 'add SLO specs');
    return fixture;
  }

  /** A clone made by "someone else" (a person editing specs). */
  async clone(name: string): Promise<string> {
    const dir = join(this.root, name);
    execFileSync('git', ['clone', '--quiet', this.remote, dir], { stdio: 'ignore' });
    git(dir, 'checkout', '--quiet', '-B', 'main');
    return dir;
  }

  /** Writes files (null removes), commits and pushes them from `dir`. Returns the new commit. */
  async commitAndPush(dir: string, files: Record<string, string | null>, message: string): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      if (content === null) await rm(join(dir, path));
      else {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
    }
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '-m', message);
    git(dir, 'push', '--quiet', 'origin', 'HEAD:main');
    return git(dir, 'rev-parse', 'HEAD');
  }

  remoteHead(): string {
    return git(this.remote, 'rev-parse', 'main');
  }

  remoteFiles(): string[] {
    return git(this.remote, 'ls-tree', '-r', '--name-only', 'main').split('\n').filter(Boolean);
  }

  remoteFile(path: string): string {
    return git(this.remote, 'show', `main:${path}`);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
