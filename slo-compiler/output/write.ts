import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
 */
export async function writeCompiledRules(outDir: string, rules: CompiledRules): Promise<WriteResult> {
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  const produced = new Set(rules.files.map((file) => file.path));
  for (const file of rules.files) {
    const target = join(outDir, file.path);
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current === file.content) {
      result.unchanged.push(file.path);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, 'utf8');
    result.written.push(file.path);
  }
  for (const path of await listFiles(outDir)) {
    if (produced.has(path)) continue;
    const content = await readFile(join(outDir, path), 'utf8');
    if (!isGenerated(content)) continue;
    await rm(join(outDir, path));
    result.removed.push(path);
  }
  for (const list of Object.values(result)) list.sort();
  return result;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').includes('.git'));
}
