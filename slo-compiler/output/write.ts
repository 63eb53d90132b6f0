import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { CompiledRules } from '../compile.js';
import { isGenerated } from './header.js';

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Writes compiled files under outDir: only files whose content changed are written; generated files (with our
 * header) that are no longer produced are removed; hand-written files are never touched. Paths are relative to
 * outDir with `/` separators, sorted.
 *
 * One listing of outDir tells which files exist: only those are read back for comparison, and each folder of new
 * files is created once. The file calls are synchronous, one file after the other, like compile() before it: for
 * a thousand small files that costs the least CPU (no thread-pool hand-offs or promise per call, no concurrent
 * creates contending for the same folder); bench/results/compiler.md shows the file system's own share.
 */
export async function writeCompiledRules(outDir: string, rules: Pick<CompiledRules, 'files'> & Partial<CompiledRules>): Promise<WriteResult> {
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  const produced = new Set(rules.files.map((file) => file.path));
  const existing = listFiles(outDir);
  const createdFolders = new Set<string>();
  for (const file of rules.files) {
    const target = join(outDir, file.path);
    if (existing.has(file.path) && readOrNull(target) === file.content) {
      result.unchanged.push(file.path);
      continue;
    }
    const folder = dirname(target);
    if (!createdFolders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      createdFolders.add(folder);
    }
    writeFileSync(target, file.content, 'utf8');
    result.written.push(file.path);
  }
  for (const [path, regularFile] of existing) {
    if (produced.has(path) || !regularFile || !/\.ya?ml$/.test(path)) continue;
    if (!isGenerated(readFileSync(join(outDir, path), 'utf8'))) continue;
    rmSync(join(outDir, path));
    result.removed.push(path);
  }
  for (const list of Object.values(result)) list.sort();
  return result;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Files and symlinks under root outside .git folders (empty when root is missing): relative path with `/`
 * separators -> whether it is a regular file (only those are candidates for removal).
 */
function listFiles(root: string): Map<string, boolean> {
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch {
    return new Map();
  }
  const files = new Map<string, boolean>();
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!path.split('/').includes('.git')) files.set(path, entry.isFile());
  }
  return files;
}
