import { readFile, realpath, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { namespacedName } from '../../common/contract/deployment-ref.js';
import { MetricopsError } from '../../common/errors.js';
import type { GitRepository } from '../../common/git-repository.js';
import type { Logger } from '../../common/logger.js';
import type { DecisionRecord } from '../model.js';
import type { GitOpsWriter } from '../ports.js';
import { replaceImages } from './manifest-images.js';
import type { FeedbackMetrics } from '../metrics.js';

export class GitOpsPathError extends MetricopsError {}

export interface GitOpsWriterOptions {
  repo: GitRepository;
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
 * The GitOps write-back: after a rollback, commits the good images into the Deployment's manifest (only the
 * image scalars change) so Argo CD self-heal or Flux does not re-apply the bad ones. One write-back at a time.
 */
export class GitOpsManifestWriter implements GitOpsWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private unpushed = false;

  constructor(private readonly options: GitOpsWriterOptions) {}

  writeBack(record: DecisionRecord, gitPath: string): Promise<string | null> {
    const run = this.tail.then(() => this.write(record, gitPath));
    this.tail = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      this.options.metrics?.gitFailures.inc({ recorder: 'gitops' });
      throw error;
    });
  }

  private async write(record: DecisionRecord, gitPath: string): Promise<string | null> {
    const { repo, push, logger } = this.options;
    if (!record.deployment || !record.to) throw new MetricopsError(`decision ${record.id} has no Deployment or target revision to write back`);
    const target = record.deployment;
    if (push) await repo.pullRebase();
    const file = await resolveInside(repo.dir, gitPath);
    const source = await readFile(file.absolute, 'utf8');
    const result = replaceImages(source, target, record.to.images, file.relative);
    if (result.notFound.length > 0) {
      logger.warn({ file: file.relative, containers: result.notFound }, 'write-back: containers not in the manifest were left alone');
    }
    let hash: string | null = null;
    if (result.edits.length > 0) {
      await writeFile(file.absolute, result.text, 'utf8');
      const images = result.edits.map((edit) => `${edit.container}=${edit.to}`).join(', ');
      const body = [
        `metricops rolled ${namespacedName(target)} back to revision ${record.to.revision} (${record.to.replicaSet}).`,
        `Alert: ${record.alert.name} (fingerprint ${record.alert.fingerprint}, started ${record.alert.startsAt})`,
        `Reason: ${record.reason}`,
        `Decision: ${record.id}`,
        ...result.edits.map((edit) => `${edit.container}: ${edit.from} -> ${edit.to} (line ${edit.line})`),
      ].join('\n');
      hash = await repo.commit([file.relative], `rollback ${namespacedName(target)}: ${images}\n\n${body}`);
      if (hash !== null) this.unpushed = true;
    }
    if (push && this.unpushed) {
      await repo.pushWithRebase();
      this.unpushed = false;
    }
    logger.info({ file: file.relative, deployment: `${namespacedName(target)}`, commit: hash, edits: result.edits.length }, hash ? 'wrote the good images back to Git' : 'manifest already had the good images');
    return hash;
  }
}
