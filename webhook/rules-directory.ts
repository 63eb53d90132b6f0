/**
 * Loads every *.yaml / *.yml file under the rules directory (recursively, following symlinks, skipping dot entries
 * such as the `..data` link of a mounted ConfigMap) into a RulesIndex.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
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
    const read = await readRuleText(file);
    hash.update(`${relative(dir, file)}\0${read.ok ? read.text : read.problem}\0`);
    if (!read.ok) {
      issues.push({ source: file, message: read.problem });
      continue;
    }
    const result = readRuleFile(read.text, file);
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

/** A rule file larger than this is refused (a rules ConfigMap holds at most 1 MiB). */
export const MAX_RULE_FILE_BYTES = 16 * 1024 * 1024;

/** The file's text, or why it cannot be read (gone since the listing, unreadable, too large, not UTF-8): an issue, not a failed load. */
async function readRuleText(file: string): Promise<{ ok: true; text: string } | { ok: false; problem: string }> {
  try {
    const info = await stat(file);
    if (info.size > MAX_RULE_FILE_BYTES) return { ok: false, problem: `is ${info.size} bytes, more than the ${MAX_RULE_FILE_BYTES} a rule file may have; is it a rule file?` };
    const bytes = await readFile(file);
    if (!isUtf8(bytes)) return { ok: false, problem: 'is not UTF-8 text: rule files are YAML in UTF-8' };
    return { ok: true, text: bytes.toString('utf8') };
  } catch (error) {
    return { ok: false, problem: `cannot be read: ${(error as Error).message}` };
  }
}

/** Every rule file under `dir`; a directory reached twice (symbolic links in a loop) is read once. */
async function ruleFiles(dir: string, seen = new Set<string>()): Promise<string[]> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    entries = (await readdir(dir)).sort();
  } catch (error) {
    throw new InvalidInputError([
      { source: dir, message: `cannot read the rules directory (${(error as Error).message}); pass --rules with the directory the compiler writes (or the mounted rules ConfigMap)` },
    ]);
  }
  const real = await realpath(dir).catch(() => dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) files.push(...(await ruleFiles(path, seen)));
    else if (info?.isFile() && /\.ya?ml$/i.test(entry)) files.push(path);
  }
  return files;
}
