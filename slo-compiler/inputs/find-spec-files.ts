import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { InputIssue } from '../../common/errors.js';

const YAML_FILE = /\.ya?ml$/i;

export interface FoundFiles {
  files: string[];
  /** Each file's path relative to the input path it was found under (its name, for a file given as such), `/`-separated. */
  inputPaths: Map<string, string>;
  issues: InputIssue[];
}

/**
 * Expands the input paths: files are taken as given, directories are searched recursively for *.yaml and *.yml
 * (hidden entries such as .git skipped). Paths inside a directory come sorted, so output is deterministic;
 * a file named twice is read once.
 */
export async function findSpecFiles(paths: readonly string[]): Promise<FoundFiles> {
  const files: string[] = [];
  const inputPaths = new Map<string, string>();
  const issues: InputIssue[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      issues.push({ source: path, message: `cannot read this path (${(error as NodeJS.ErrnoException).code ?? String(error)}): check that the file or directory exists` });
      continue;
    }
    if (!isDirectory) {
      files.push(path);
      if (!inputPaths.has(path)) inputPaths.set(path, basename(path));
      continue;
    }
    const found = await yamlFilesUnder(path);
    if (found.length === 0) issues.push({ source: path, message: 'the directory has no *.yaml or *.yml files: point at the folder that holds the SLO specs' });
    files.push(...found);
    for (const file of found) if (!inputPaths.has(file)) inputPaths.set(file, relative(path, file).split(sep).join('/'));
  }
  return { files: [...new Set(files)], inputPaths, issues };
}

async function yamlFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFilesUnder(path)));
    else if (YAML_FILE.test(entry.name) && (entry.isFile() || entry.isSymbolicLink())) files.push(path);
  }
  return files;
}
