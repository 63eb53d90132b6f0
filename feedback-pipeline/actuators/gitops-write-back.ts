import { readFile, realpath, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { namespacedName } from '../../common/contract/deployment-ref.js';
import { MetricopsError } from '../../common/errors.js';
import type { RepositorySource } from '../git-target.js';
import type { Logger } from '../../common/logger.js';
import { WriteBackTrailers, writeBackMessage } from '../../common/contract/write-back-commit.js';
import type { GitOpsWriter, WriteBackRequest, WriteBackResult } from '../ports.js';
import { replaceImages } from './manifest-images.js';
import type { FeedbackMetrics } from '../metrics.js';

export class GitOpsPathError extends MetricopsError {}

export interface GitOpsWriterOptions {
  /** The GitOps repository: a clone of a remote is made on first use (DeferredClone), so Git may be down at start. */
  repo: RepositorySource;
  /** Pull before editing and push after committing (with rebase retry, never forced): true for a clone of a remote. */
  push: boolean;
  logger: Logger;
  metrics?: FeedbackMetrics;
}

/** A repository-relative path that stays inside the repository, also through symbolic links. */
export async function resolveInside(repoDir: string, gitPath: string): Promise<{ absolute: string; relative: string }> {
  const refuse = (why: string) =>
    new GitOpsPathError(`metricops.io/git-path "${gitPath}" ${why}: give a path relative to the GitOps repository root, e.g. apps/checkout/deployment.yaml`);
  if (gitPath.trim() === '' || isAbsolute(gitPath) || gitPath.includes('\0')) throw refuse('is not a relative path');
  const root = await realpath(repoDir);
  const lexical = relative(root, resolve(root, gitPath));
  if (lexical === '' || lexical === '..' || lexical.startsWith(`..${sep}`) || isAbsolute(lexical)) throw refuse('leaves the repository');
  if (lexical.split(sep)[0] === '.git') throw refuse('points into .git');
  const real = await realpath(join(root, lexical)).catch((error: unknown) => {
    throw new GitOpsPathError(`metricops.io/git-path "${gitPath}" does not exist in the GitOps repository: ${(error as Error).message}`, { cause: error });
  });
  const inside = relative(root, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) throw refuse('leaves the repository through a symbolic link');
  return { absolute: real, relative: inside.split(sep).join('/') };
}

/**
 * The GitOps write-back: after a rollback, commits the good images into the Deployment's manifest (only the image
 * scalars change) so the GitOps engine applies them too. Idempotent: the commit carries the decision's
 * Metricops-Decision trailer, and a commit with that trailer (pushed or not, by this process, another replica or an
 * earlier run) is used instead of writing a second one. A rejected push is rebased onto the remote (never forced);
 * a rebase that finds the same change already upstream drops ours, and the trailer search finds the one that won.
 * One write-back at a time.
 */
export class GitOpsManifestWriter implements GitOpsWriter {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GitOpsWriterOptions) {}

  writeBack(request: WriteBackRequest): Promise<WriteBackResult> {
    const run = this.tail.then(() => this.write(request));
    this.tail = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      this.options.metrics?.gitFailures.inc({ recorder: 'gitops' });
      throw error;
    });
  }

  /**
   * True when `applied` (the commit the GitOps engine applied) is `revision` (the write-back's) or comes after it;
   * fetches first when this clone does not know `applied` yet.
   */
  async contains(applied: string, revision: string): Promise<boolean> {
    const { push } = this.options;
    if (applied === revision) return true;
    const repo = await this.options.repo.get();
    if (push && (await repo.resolve(applied)) === null) await repo.fetch();
    return repo.contains(applied, revision);
  }

  /**
   * True when the branch head (the remote's, fetched now, for a remote) contains `revision` and its manifest at
   * `request.gitPath` has the good images: Git says what the cluster runs.
   */
  async headHas(revision: string, request: Pick<WriteBackRequest, 'deployment' | 'gitPath' | 'to'>): Promise<boolean> {
    const { push } = this.options;
    const repo = await this.options.repo.get();
    if (push) await repo.fetch();
    const head = push ? await repo.resolve(`origin/${await repo.currentBranch()}`) : await repo.head();
    if (!head || !(await repo.contains(head, revision))) return false;
    const file = await resolveInside(repo.dir, request.gitPath);
    const text = await repo.show(head, file.relative);
    return text !== null && replaceImages(text, request.deployment, request.to.images, file.relative).edits.length === 0;
  }

  private async write(request: WriteBackRequest): Promise<WriteBackResult> {
    const { push, logger } = this.options;
    const repo = await this.options.repo.get();
    const target = request.deployment;
    if (push) await repo.pullRebase();
    let commit = await repo.findTrailer(WriteBackTrailers.decision, request.decision);
    let created = false;
    if (!commit) {
      const file = await resolveInside(repo.dir, request.gitPath);
      const source = await readFile(file.absolute, 'utf8');
      const result = replaceImages(source, target, request.to.images, file.relative);
      if (result.notFound.length > 0) {
        logger.warn({ file: file.relative, containers: result.notFound }, 'write-back: containers not in the manifest were left alone');
      }
      if (result.edits.length > 0) {
        await writeFile(file.absolute, result.text, 'utf8');
        commit = await repo.commit([file.relative], writeBackMessage({ ...request, changes: result.edits }));
        created = commit !== null;
      }
    }
    if (push && (await repo.unpushedCount()) > 0) {
      await repo.pushWithRebase();
      // The rebase gave our commit a new hash, or dropped it because the remote had the same change already.
      commit = await repo.findTrailer(WriteBackTrailers.decision, request.decision);
    }
    const revision = await repo.head();
    if (!revision) throw new MetricopsError(`the GitOps repository ${repo.dir} has no commit`);
    logger.info(
      { file: request.gitPath, deployment: namespacedName(target), decision: request.decision, commit, revision, created },
      commit === null ? 'Git already has the good images' : created ? 'wrote the good images back to Git' : 'the write-back commit is in Git already',
    );
    return { commit, revision };
  }
}
