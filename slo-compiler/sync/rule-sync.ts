import type { Clock } from '../../common/clock.js';
import { InvalidInputError, type InputIssue } from '../../common/errors.js';
import { GitError, GitRepository, redactUrl } from '../../common/git-repository.js';
import type { Logger } from '../../common/logger.js';
import { commitMessage, summarizeNames } from '../git-commit.js';
import { compileCheckout } from './compile-checkout.js';
import type { SyncOptions } from './sync-options.js';

/** How RuleSync gets its working copy; tests and other callers pass their own. */
export interface GitFactory {
  clone(url: string, dir: string, branch: string): Promise<GitRepository>;
}

export function defaultGitFactory(logger: Logger): GitFactory {
  return { clone: (url, dir, branch) => GitRepository.clone(url, dir, logger, undefined, branch) };
}

export type SyncOutcome =
  /** Rules changed: committed (and pushed). */
  | { status: 'committed'; commit: string; changed: string[]; durationMs: number }
  /** Compiled, nothing changed; `pushed` when commits left over from an earlier failed push went out. */
  | { status: 'unchanged'; pushed: boolean; durationMs: number }
  /** The specs in the repository are invalid: nothing written, nothing committed. */
  | { status: 'invalid'; issues: readonly InputIssue[]; durationMs: number };

export interface RuleSyncDependencies {
  options: Pick<SyncOptions, 'repo' | 'sloDir' | 'outDir' | 'branch' | 'workdir' | 'format'>;
  logger: Logger;
  clock: Clock;
  git: GitFactory;
}

/**
 * One sync cycle: clone (or reuse) -> pull --rebase -> compile the SLO folder into the rules folder -> commit
 * the changed rule files -> push, rebasing over concurrent pushes, never forcing. Invalid specs are an outcome,
 * not an exception, so a loop keeps running; Git failures (network, conflicts) throw GitError.
 */
export class RuleSync {
  private readonly options: RuleSyncDependencies['options'];
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly git: GitFactory;

  constructor(dependencies: RuleSyncDependencies) {
    this.options = dependencies.options;
    this.logger = dependencies.logger;
    this.clock = dependencies.clock;
    this.git = dependencies.git;
  }

  async runOnce(): Promise<SyncOutcome> {
    const started = this.clock.now().getTime();
    const elapsed = () => this.clock.now().getTime() - started;
    const { repo: url, sloDir, outDir, branch, workdir, format } = this.options;
    const repository = await this.git.clone(url, workdir, branch);
    await this.checkOrigin(repository);
    await repository.discardChanges([outDir]);
    await repository.pullRebase('origin', branch);

    let compiled;
    try {
      compiled = await compileCheckout(repository.dir, sloDir, outDir, format);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      this.logger.error({ repo: redactUrl(url), branch, sloDir, issues: error.issues }, `invalid SLO specs, nothing committed:\n${error.message}`);
      return { status: 'invalid', issues: error.issues, durationMs: elapsed() };
    }

    const summary = summarizeNames(compiled.names);
    const commit = await repository.commit(compiled.changed, commitMessage(summary, compiled.changed));
    const due = await repository.unpushedCount('origin', branch);
    if (due > 0) await repository.pushWithRebase({ remote: 'origin', branch });
    if (commit === null) {
      this.logger.info({ branch, slos: compiled.names.length, pushed: due > 0 }, 'rules up to date');
      return { status: 'unchanged', pushed: due > 0, durationMs: elapsed() };
    }
    this.logger.info({ branch, commit, files: compiled.changed.length }, `committed and pushed rules for ${summary}`);
    return { status: 'committed', commit, changed: compiled.changed, durationMs: elapsed() };
  }

  /** A reused workdir must be a clone of the same repository: never push to a remote the user did not name. */
  private async checkOrigin(repository: GitRepository): Promise<void> {
    const origin = await repository.remoteUrl('origin');
    if (origin !== this.options.repo) {
      throw new GitError(
        `${repository.dir} is a clone of ${origin === null ? 'no remote' : redactUrl(origin)}, not of ${redactUrl(this.options.repo)}: ` +
          'pass another --workdir, or remove that folder so that it is cloned again',
      );
    }
  }
}
