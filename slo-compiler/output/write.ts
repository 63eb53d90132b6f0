import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { CompiledRules } from '../compile.js';
import { isGenerated } from './header.js';

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Files written at the same time: enough to keep the thread pool busy, few enough to stay under file limits. */
const WRITE_CONCURRENCY = 16;

/**
 * Writes compiled files under outDir: only files whose content changed are written; generated files (with our
 * header) that are no longer produced are removed; hand-written files are never touched. Paths are relative to
 * outDir with `/` separators, sorted.
 *
 * One listing of outDir tells which files exist: only those are read back for comparison, and each folder of new
 * files is created once.
 */
export async function writeCompiledRules(outDir: string, rules: CompiledRules): Promise<WriteResult> {
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  const produced = new Set(rules.files.map((file) => file.path));
  const existing = await listFiles(outDir);

  const changed: typeof rules.files = [];
  await inBatches(rules.files, async (file) => {
    const current = existing.has(file.path) ? await readFile(join(outDir, file.path), 'utf8').catch(() => null) : null;
    if (current === file.content) result.unchanged.push(file.path);
    else changed.push(file);
  });

  const folders = new Set(changed.map((file) => dirname(join(outDir, file.path))));
  for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
  await inBatches(changed, async (file) => {
    await writeFile(join(outDir, file.path), file.content, 'utf8');
    result.written.push(file.path);
  });

  for (const [path, regularFile] of existing) {
    if (produced.has(path) || !regularFile || !/\.ya?ml$/.test(path)) continue;
    const content = await readFile(join(outDir, path), 'utf8');
    if (!isGenerated(content)) continue;
    await rm(join(outDir, path));
    result.removed.push(path);
  }
  for (const list of Object.values(result)) list.sort();
  return result;
}

/** Runs work on every item, at most WRITE_CONCURRENCY at a time. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += WRITE_CONCURRENCY) {
    await Promise.all(items.slice(start, start + WRITE_CONCURRENCY).map(work));
  }
}

/**
 * Files and symlinks under root outside .git folders (empty when root is missing): relative path with `/`
 * separators -> whether it is a regular file (only those are candidates for removal).
 */
async function listFiles(root: string): Promise<Map<string, boolean>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = new Map<string, boolean>();
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!path.split('/').includes('.git')) files.set(path, entry.isFile());
  }
  return files;
}
