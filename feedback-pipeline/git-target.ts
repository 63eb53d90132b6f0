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
