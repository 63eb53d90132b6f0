import type { Clock } from '../../common/clock.js';
import { InvalidInputError, type InputIssue } from '../../common/errors.js';
import { GitError, GitRepository, redactUrl } from '../../common/git-repository.js';
import type { Logger } from '../../common/logger.js';
import { commitMessage, summarizeNames } from '../git-commit.js';
import type { RuleGroup } from '../rules/rule.js';
import type { RulerOptions } from '../ruler/ruler-options.js';
import type { RulerSyncResult } from '../ruler/ruler-sync.js';
import { compileCheckout } from './compile-checkout.js';
import type { SyncOptions } from './sync-options.js';

/** How RuleSync gets its working copy; tests and other callers pass their own. */
export interface GitFactory {
  clone(url: string, dir: string, branch: string): Promise<GitRepository>;
}

export function defaultGitFactory(logger: Logger): GitFactory {
  return { clone: (url, dir, branch) => GitRepository.clone(url, dir, logger, undefined, branch) };
}

/** Loads the compiled groups into a ruler (slo-compiler/ruler/load-into-ruler.ts); tests pass their own. */
export type RulerLoader = (options: RulerOptions, groups: readonly RuleGroup[], logger: Logger) => Promise<RulerSyncResult>;

export type SyncOutcome =
  /** Rules changed: committed (and pushed). `ruler`: what the ruler sync did, with --ruler-url. */
  | { status: 'committed'; commit: string; changed: string[]; durationMs: number; ruler?: RulerSyncResult }
  /** Compiled, nothing changed in Git (or no --out-dir); `pushed` when commits left over from an earlier failed push went out. */
  | { status: 'unchanged'; pushed: boolean; durationMs: number; ruler?: RulerSyncResult }
  /** The specs in the repository are invalid: nothing written, nothing committed. */
  | { status: 'invalid'; issues: readonly InputIssue[]; durationMs: number };

export interface RuleSyncDependencies {
  options: Pick<SyncOptions, 'repo' | 'sloDir' | 'outDir' | 'branch' | 'workdir' | 'format' | 'ruler' | 'clusterLabel' | 'layout' | 'spec'>;
  logger: Logger;
  clock: Clock;
  git: GitFactory;
  /** Needed with options.ruler. */
  ruler?: RulerLoader;
}

/**
 * One sync cycle: clone (or reuse) -> pull --rebase -> compile the SLO folder into the rules folder -> commit
 * the changed rule files -> push, rebasing over concurrent pushes, never forcing -> load the groups into the ruler
 * (with options.ruler; without an out dir only this). Invalid specs are an outcome, not an exception, so a loop
 * keeps running, and they never reach the ruler; Git failures (network, conflicts) throw GitError. The ruler's
 * answers are in the outcome (`ruler`), never thrown: the next cycle plans again from what the ruler holds.
 */
export class RuleSync {
  private readonly options: RuleSyncDependencies['options'];
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly git: GitFactory;
  private readonly ruler: RulerLoader | undefined;

  constructor(dependencies: RuleSyncDependencies) {
    this.options = dependencies.options;
    this.logger = dependencies.logger;
    this.clock = dependencies.clock;
    this.git = dependencies.git;
    this.ruler = dependencies.ruler;
    if (this.options.ruler && !this.ruler) throw new TypeError('RuleSync: options.ruler needs a ruler loader');
  }

  async runOnce(): Promise<SyncOutcome> {
    const started = this.clock.now().getTime();
    const elapsed = () => this.clock.now().getTime() - started;
    const { repo: url, sloDir, outDir, branch, workdir, format, clusterLabel, layout, spec } = this.options;
    const repository = await this.git.clone(url, workdir, branch);
    await this.checkOrigin(repository);
    if (outDir !== undefined) await repository.discardChanges([outDir]);
    await repository.pullRebase('origin', branch);

    let compiled;
    try {
      compiled = await compileCheckout(repository.dir, sloDir, outDir, {
        format, ...(clusterLabel !== undefined ? { clusterLabel } : {}), ...(layout !== undefined ? { layout } : {}), ...(spec !== undefined ? { spec } : {}),
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      this.logger.error({ repo: redactUrl(url), branch, sloDir, issues: error.issues }, `invalid SLO specs, nothing committed:\n${error.message}`);
      return { status: 'invalid', issues: error.issues, durationMs: elapsed() };
    }

    const summary = summarizeNames(compiled.names);
    let commit: string | null = null;
    let due = 0;
    if (outDir !== undefined) {
      commit = await repository.commit(compiled.changed, commitMessage(summary, compiled.changed));
      due = await repository.unpushedCount('origin', branch);
      if (due > 0) await repository.pushWithRebase({ remote: 'origin', branch });
    }
    const ruler = this.options.ruler ? { ruler: await this.ruler!(this.options.ruler, compiled.groups, this.logger) } : {};
    if (commit === null) {
      if (outDir !== undefined) this.logger.info({ branch, slos: compiled.names.length, pushed: due > 0 }, 'rules up to date');
      return { status: 'unchanged', pushed: due > 0, durationMs: elapsed(), ...ruler };
    }
    this.logger.info({ branch, commit, files: compiled.changed.length }, `committed and pushed rules for ${summary}`);
    return { status: 'committed', commit, changed: compiled.changed, durationMs: elapsed(), ...ruler };
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
