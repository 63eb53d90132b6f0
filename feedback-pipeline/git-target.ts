import { join, resolve } from 'node:path';
import { GitRepository, redactUrl } from '../common/git-repository.js';
import type { Logger } from '../common/logger.js';

export interface GitTarget {
  repo: GitRepository;
  /** True for a clone of a remote: pull/push with rebase retry. False for a local working repository. */
  push: boolean;
  /** For logs: the location with credentials removed. */
  display: string;
}

/** A URL (scheme://), an scp-style address (user@host:path) or a path ending in .git (a bare repository) is a remote. */
export function isRemote(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || /^[^/\s@]+@[^/\s:]+:/.test(location) || /\.git\/?$/.test(location);
}

/**
 * Opens where a recorder writes: a remote is cloned into `<dataDir>/<name>` (kept across restarts) and pushed to;
 * any other path is a local working repository, created when missing, committed to and never pushed.
 */
export async function openGitTarget(location: string, dataDir: string, name: string, logger: Logger): Promise<GitTarget> {
  if (isRemote(location)) {
    const repo = await GitRepository.clone(location, join(dataDir, name), logger);
    return { repo, push: true, display: redactUrl(location) };
  }
  const repo = await GitRepository.open(resolve(location), logger);
  return { repo, push: false, display: resolve(location) };
}

/** Where a writer gets its repository: at once, or a clone made on first use. */
export interface RepositorySource {
  /** The working directory, known before the repository is there. */
  readonly dir: string;
  /** The repository; throws (GitError) when it cannot be opened now, and tries again at the next call. */
  get(): Promise<GitRepository>;
}

/** A repository that is already open. */
export function openedRepository(repo: GitRepository): RepositorySource {
  return { dir: repo.dir, get: async () => repo };
}

/**
 * A remote cloned on first use instead of at start, so the process starts (and rolls back) while the Git server is
 * unreachable: the first get() that succeeds clones it (reused across restarts like openGitTarget's clone), one that
 * fails throws and the next call tries again; concurrent calls share one attempt.
 */
export class DeferredClone implements RepositorySource {
  private opening: Promise<GitRepository> | undefined;

  constructor(
    private readonly location: string,
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  get(): Promise<GitRepository> {
    this.opening ??= GitRepository.clone(this.location, this.dir, this.logger).catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }
}

/**
 * Where a recorder or the write-back commits, as openGitTarget, except that a remote that cannot be cloned now does
 * not stop the start: it is cloned when first used (DeferredClone), so an unreachable Git server does not keep the
 * pipeline from starting and rolling back; what is for Git waits (the audit log keeps its records, the hold keeper
 * retries the write-back). A local path is opened now: a wrong one is a configuration error at start.
 */
export async function openDeferredGitTarget(
  location: string,
  dataDir: string,
  name: string,
  what: string,
  logger: Logger,
): Promise<{ source: RepositorySource; push: boolean; display: string }> {
  if (!isRemote(location)) {
    const target = await openGitTarget(location, dataDir, name, logger);
    return { source: openedRepository(target.repo), push: false, display: target.display };
  }
  const source = new DeferredClone(location, join(dataDir, name), logger);
  await source.get().catch((error: unknown) => {
    logger.warn({ err: (error as Error).message }, `cannot clone the ${what} now: rollbacks go on, and it is cloned when first needed (retried until Git answers)`);
  });
  return { source, push: true, display: redactUrl(location) };
}
