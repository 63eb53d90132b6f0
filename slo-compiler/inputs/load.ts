import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidInputError, UsageError, type InputIssue } from '../../common/errors.js';
import type { CompileInput } from '../model.js';
import { findSpecFiles } from './find-spec-files.js';
import { parseSpecs, type ParseOptions, type SpecSource } from './parse.js';

export interface LoadOptions extends ParseOptions {
  /** Files under this folder are not specs (the --slo-period-windows-path folder may sit among them). */
  skip?: string;
}

export interface LoadResult extends CompileInput {
  /** The files read, in reading order. */
  files: string[];
}

/**
 * Reads SLO specs from files and directories (recursively *.yaml/*.yml, sorted) into the model. Throws
 * InvalidInputError listing every problem in every input, so nothing is written when any input is wrong.
 */
export async function loadSpecs(paths: string[], options: LoadOptions = {}): Promise<CompileInput> {
  const { files: _files, ...input } = await loadSpecFiles(paths, options);
  return input;
}

/** loadSpecs, also returning which files were read (for `metricops validate`'s summary). */
export async function loadSpecFiles(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  if (paths.length === 0) throw new UsageError('no input paths: give at least one SLO spec file or directory');
  const found = await findSpecFiles(paths);
  if (options.skip !== undefined) {
    const skipped = resolve(options.skip);
    found.files = found.files.filter((file) => !isInside(resolve(file), skipped));
  }
  const issues: InputIssue[] = [...found.issues];
  const sources: SpecSource[] = [];
  const texts = await Promise.all(found.files.map((file) => readFile(file, 'utf8').then(
    (text) => ({ file, text }),
    (error: NodeJS.ErrnoException) => ({ file, error }),
  )));
  for (const entry of texts) {
    if ('error' in entry) issues.push({ source: entry.file, message: `cannot read the file (${entry.error.code ?? entry.error.message}): check its permissions` });
    else sources.push({ source: entry.file, text: entry.text });
  }
  const parsed = parseSpecs(sources, options);
  issues.push(...parsed.issues);
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { ...parsed.input, inputPaths: found.inputPaths, files: found.files };
}

function isInside(file: string, folder: string): boolean {
  const path = relative(folder, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}
