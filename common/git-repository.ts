import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { MetricopsError } from './errors.js';
import type { Logger } from './logger.js';

export class GitError extends MetricopsError {}

export interface PushOptions {
  remote?: string;
  branch?: string;
  /** How many times to push; a rejected push rebases onto the remote and tries again. Default 5. */
  attempts?: number;
}

export interface Identity {
  name: string;
  email: string;
}

export const DEFAULT_IDENTITY: Identity = { name: 'metricops', email: 'metricops@localhost' };

/**
 * A Git working copy that metricops writes to: commit only what changed, push without ever forcing.
 * Shared by the compiler (generated rules) and the feedback pipeline (audit log, GitOps write-back).
 */
export class GitRepository {
  private constructor(
    readonly dir: string,
    private readonly git: SimpleGit,
    private readonly logger: Logger,
    private readonly identity: Identity,
  ) {}

  /** Opens `dir`, creating an empty repository there when it is not one yet. */
  static async open(dir: string, logger: Logger, identity: Identity = DEFAULT_IDENTITY): Promise<GitRepository> {
    await mkdir(dir, { recursive: true });
    const git = simpleGit({ baseDir: dir });
    if (!(await git.checkIsRepo('root' as never))) {
      await git.init(['--initial-branch=main']);
      logger.info({ dir }, 'initialised a new Git repository');
    }
    return new GitRepository(dir, git, logger, identity);
  }

  /** Clones `url` into `dir` (or opens `dir` when it already holds a clone). */
  static async clone(url: string, dir: string, logger: Logger, identity: Identity = DEFAULT_IDENTITY, branch?: string): Promise<GitRepository> {
    const existing = simpleGit();
    try {
      await mkdir(dir, { recursive: true });
      if (!(await simpleGit({ baseDir: dir }).checkIsRepo('root' as never))) {
        await existing.clone(url, dir, branch ? ['--branch', branch] : []);
        logger.info({ dir }, 'cloned the Git repository');
      }
    } catch (error) {
      throw new GitError(`cannot clone ${redactUrl(url)} into ${dir}: ${messageOf(error)}`, { cause: error });
    }
    return new GitRepository(dir, simpleGit({ baseDir: dir }), logger, identity);
  }

  async hasRemote(remote = 'origin'): Promise<boolean> {
    const remotes = await this.git.getRemotes();
    return remotes.some((entry) => entry.name === remote);
  }

  async currentBranch(): Promise<string> {
    return (await this.git.revparse(['--abbrev-ref', 'HEAD'])).trim();
  }

  async head(): Promise<string | null> {
    try {
      return (await this.git.revparse(['HEAD'])).trim();
    } catch {
      return null;
    }
  }

  /**
   * Stages `paths` (relative to the repository; additions, changes and deletions) and commits them.
   * Returns the new commit's hash, or null when nothing under `paths` changed (no empty commits).
   * The message goes through a file (`git commit -F`), never one argv element: Linux refuses an argument over
   * 128 KiB (E2BIG), so a long message must not decide whether the commit happens.
   */
  async commit(paths: string[], message: string): Promise<string | null> {
    if (paths.length === 0) return null;
    await this.git.raw(['add', '--all', '--', ...paths]);
    const staged = (await this.git.raw(['diff', '--cached', '--name-only', '--', ...paths])).trim();
    if (staged === '') return null;
    const { name, email } = this.identity;
    const messageDir = await mkdtemp(join(tmpdir(), 'metricops-commit-'));
    try {
      const messageFile = join(messageDir, 'MESSAGE');
      await writeFile(messageFile, message, 'utf8');
      await this.git.raw(['-c', `user.name=${name}`, '-c', `user.email=${email}`, 'commit', '--quiet', '--no-verify', '-F', messageFile, '--', ...paths]);
    } finally {
      await rm(messageDir, { recursive: true, force: true });
    }
    const sha = await this.head();
    this.logger.info({ dir: this.dir, commit: sha, files: staged.split('\n').length }, 'committed');
    return sha;
  }

  /**
   * Removes `index.lock` when one is left (a git process killed mid-commit leaves it, and every later commit then
   * fails). Only for a repository this process is the one writer of. True when there was one.
   */
  async removeStaleIndexLock(): Promise<boolean> {
    const lock = resolve(this.dir, (await this.git.raw(['rev-parse', '--git-path', 'index.lock'])).trim());
    const existed = await stat(lock).then(
      () => true,
      () => false,
    );
    if (existed) await rm(lock, { force: true });
    return existed;
  }

  /** Fetches and rebases the current branch onto its remote counterpart. */
  async pullRebase(remote = 'origin', branch?: string): Promise<void> {
    const target = branch ?? (await this.currentBranch());
    try {
      const { name, email } = this.identity;
      await this.git.raw(['-c', `user.name=${name}`, '-c', `user.email=${email}`, 'pull', '--rebase', '--quiet', remote, target]);
    } catch (error) {
      await this.git.raw(['rebase', '--abort']).catch(() => undefined);
      throw new GitError(`cannot rebase ${target} onto ${remote}/${target}: ${messageOf(error)}`, { cause: error });
    }
  }

  /**
   * Pushes the current branch. A rejected push (someone else pushed first) is rebased onto the remote and
   * pushed again, up to `attempts` times. Never forces.
   */
  async pushWithRebase(options: PushOptions = {}): Promise<void> {
    const remote = options.remote ?? 'origin';
    const branch = options.branch ?? (await this.currentBranch());
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.git.raw(['push', '--quiet', remote, `HEAD:refs/heads/${branch}`]);
        this.logger.info({ remote, branch, attempt }, 'pushed');
        return;
      } catch (error) {
        const message = messageOf(error);
        const rejected = /rejected|non-fast-forward|fetch first|failed to push some refs/i.test(message);
        if (!rejected || attempt >= attempts) {
          throw new GitError(`push to ${remote}/${branch} failed after ${attempt} attempt(s): ${message}`, { cause: error });
        }
        this.logger.warn({ remote, branch, attempt }, 'push rejected, rebasing onto the remote and retrying');
        await this.pullRebase(remote, branch);
      }
    }
  }

  /** Commit hashes and subjects, newest first: for tests and the audit history. */
  async log(maxCount = 20): Promise<Array<{ hash: string; message: string }>> {
    if ((await this.head()) === null) return [];
    const log = await this.git.log({ maxCount });
    return log.all.map((entry) => ({ hash: entry.hash, message: entry.message }));
  }

  /** The fetch URL of `remote`, or null when there is no such remote. */
  async remoteUrl(remote = 'origin'): Promise<string | null> {
    const remotes = await this.git.getRemotes(true);
    return remotes.find((entry) => entry.name === remote)?.refs.fetch ?? null;
  }

  /** How many local commits `remote/branch` (as last fetched) does not have yet: > 0 means a push is due. */
  async unpushedCount(remote = 'origin', branch?: string): Promise<number> {
    const target = branch ?? (await this.currentBranch());
    const count = await this.git.raw(['rev-list', '--count', `refs/remotes/${remote}/${target}..HEAD`]).catch(() => null);
    return count === null ? Number(await this.git.raw(['rev-list', '--count', 'HEAD'])) : Number(count.trim());
  }

  /** Fetches `remote` (no merge): remote-tracking branches move to what the remote has. */
  async fetch(remote = 'origin'): Promise<void> {
    try {
      await this.git.raw(['fetch', '--quiet', remote]);
    } catch (error) {
      throw new GitError(`cannot fetch ${remote}: ${messageOf(error)}`, { cause: error });
    }
  }

  /** The newest commit reachable from `ref` whose message has the line `<key>: <value>` (a trailer), or null. */
  async findTrailer(key: string, value: string, ref = 'HEAD', maxCount = 500): Promise<string | null> {
    if ((await this.head()) === null) return null;
    const found = await this.git.raw(['log', `--max-count=${maxCount}`, '--format=%H', '--fixed-strings', `--grep=${key}: ${value}`, ref, '--']);
    for (const hash of found.split('\n').filter(Boolean)) {
      const lines = (await this.git.raw(['log', '-1', '--format=%B', hash])).split('\n');
      if (lines.some((line) => line.trim() === `${key}: ${value}`)) return hash;
    }
    return null;
  }

  /** True when `ancestor` is `descendant` or one of its ancestors; false also when either is unknown here. */
  async contains(descendant: string, ancestor: string): Promise<boolean> {
    // Not `merge-base --is-ancestor`: simple-git resolves a failing command that wrote nothing to stderr, so its
    // exit code 1 ("no") would read as yes. The merge base of the two is the ancestor exactly when it contains it.
    const [base, wanted] = await Promise.all([
      this.git.raw(['merge-base', ancestor, descendant]).catch(() => ''),
      this.resolve(ancestor),
    ]);
    return wanted !== null && base.trim() === wanted;
  }

  /** The commit `ref` names (e.g. `origin/main`), or null when it names none. */
  async resolve(ref: string): Promise<string | null> {
    try {
      return (await this.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /** The text of `path` at commit `ref`, or null when it has no such file. */
  async show(ref: string, path: string): Promise<string | null> {
    try {
      return await this.git.raw(['show', `${ref}:${path}`]);
    } catch {
      return null;
    }
  }

  /** Drops uncommitted changes and untracked files under `paths` (a working copy metricops owns, e.g. a sync clone). */
  async discardChanges(paths: string[]): Promise<void> {
    if (paths.length === 0 || (await this.head()) === null) return;
    await this.git.raw(['checkout', 'HEAD', '--', ...paths]).catch(() => undefined);
    await this.git.raw(['clean', '-fdq', '--', ...paths]);
  }
}

function messageOf(error: unknown): string {
  return redactUrl(error instanceof Error ? error.message : String(error)).trim();
}

/** Removes credentials from URLs such as https://user:token@host/repo.git before they reach a log or message. */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1[redacted]@');
}
