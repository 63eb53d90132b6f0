import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { InvalidInputError } from '../common/errors.js';
import { GitRepository } from '../common/git-repository.js';
import type { Logger } from '../common/logger.js';
import { inlineRuleKey, type CompileInput } from './model.js';

export interface CommitCompiledRulesOptions {
  /** The folder the rules were written to; it must be inside a Git working copy. */
  outDir: string;
  /** Files written or removed by this compile, relative to `outDir`. */
  changed: string[];
  /** What the rules are for, e.g. "checkout-availability, search-latency" (see `summarizeNames`). */
  summary: string;
  logger: Logger;
}

/**
 * Commits the generated rule files (written and removed) in the Git repository that contains `outDir`,
 * touching nothing else in it. Returns the commit hash, or null when nothing changed.
 */
export async function commitCompiledRules(options: CommitCompiledRulesOptions): Promise<string | null> {
  const { outDir, changed, summary, logger } = options;
  if (changed.length === 0) return null;
  const topLevel = await findTopLevel(outDir);
  const outDirReal = await realpath(outDir);
  const paths = [...new Set(changed)].sort().map((file) => relative(topLevel, resolve(outDirReal, file)));
  const repository = await GitRepository.open(topLevel, logger);
  return repository.commit(paths, commitMessage(summary, paths));
}

/** "metricops: update rules for a, b (3 files)", then one line per file. */
export function commitMessage(summary: string, paths: readonly string[]): string {
  const count = paths.length === 1 ? '1 file' : `${paths.length} files`;
  const subject = summary.trim() === '' ? `metricops: update rules (${count})` : `metricops: update rules for ${summary} (${count})`;
  return `${subject}\n\n${paths.map((path) => `- ${path}`).join('\n')}\n`;
}

/** What a compile was for: its SLO names and its inline rules' Deployments. */
export function compiledNames(input: CompileInput): string[] {
  return [...input.slos.map((slo) => slo.name), ...input.inlineRules.map(inlineRuleKey)];
}

/** Names for a commit subject: all of them when few, else the first ones and how many more. */
export function summarizeNames(names: readonly string[], shown = 5): string {
  const unique = [...new Set(names)].sort();
  if (unique.length <= shown) return unique.join(', ');
  return `${unique.slice(0, shown).join(', ')} and ${unique.length - shown} more`;
}

async function findTopLevel(outDir: string): Promise<string> {
  const notARepository = () =>
    new InvalidInputError([
      {
        source: '--out',
        path: outDir,
        message: `is not inside a Git repository, so the rules cannot be committed: run \`git init\` in it (or a parent folder), or pass a --out folder inside a Git working copy`,
      },
    ]);
  let topLevel: string;
  try {
    topLevel = (await simpleGit({ baseDir: resolve(outDir) }).revparse(['--show-toplevel'])).trim();
  } catch (error) {
    throw Object.assign(notARepository(), { cause: error });
  }
  if (topLevel === '' || !isAbsolute(topLevel)) throw notARepository();
  return realpath(topLevel);
}
