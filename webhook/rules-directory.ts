/**
 * Loads every *.yaml / *.yml file under the rules directory (recursively, following symlinks, skipping dot entries
 * such as the `..data` link of a mounted ConfigMap) into a RulesIndex.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Clock } from '../common/clock.js';
import { InvalidInputError, type InputIssue } from '../common/errors.js';
import type { GuardingAlert } from '../common/contract/guarding-alert.js';
import { readRuleFile } from './rule-file.js';
import type { RulesIndex } from './rules-index.js';

export interface RulesLoad {
  index: RulesIndex;
  /** Problems in individual files or rules; the rest was loaded. */
  issues: InputIssue[];
  /** Hash of every file's path and content: equal fingerprints, equal index. */
  fingerprint: string;
}

/** Throws InvalidInputError when the directory itself cannot be read; file problems come back as issues. */
export async function loadRulesDirectory(dir: string, clock: Clock): Promise<RulesLoad> {
  const files = await ruleFiles(dir);
  const hash = createHash('sha256');
  const bySlo = new Map<string, GuardingAlert[]>();
  const inline = new Map<string, GuardingAlert[]>();
  const issues: InputIssue[] = [];
  let alerts = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    hash.update(`${relative(dir, file)}\0${text}\0`);
    const result = readRuleFile(text, file);
    issues.push(...result.issues);
    for (const found of result.alerts) {
      const [map, key] = found.slo !== undefined ? [bySlo, found.slo] : [inline, found.inline ?? ''];
      map.set(key, [...(map.get(key) ?? []), found.alert]);
      alerts += 1;
    }
  }
  const index: RulesIndex = { bySlo, inline, source: dir, files: files.length, alerts, loadedAt: clock.now() };
  return { index, issues, fingerprint: hash.digest('hex') };
}

async function ruleFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    entries = (await readdir(dir)).sort();
  } catch (error) {
    throw new InvalidInputError([
      { source: dir, message: `cannot read the rules directory (${(error as Error).message}); pass --rules with the directory the compiler writes (or the mounted rules ConfigMap)` },
    ]);
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) files.push(...(await ruleFiles(path)));
    else if (info?.isFile() && /\.ya?ml$/i.test(entry)) files.push(path);
  }
  return files;
}
