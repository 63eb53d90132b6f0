/**
 * The rule sets the rule-cost benchmark loads one after another: Sloth's own output and metricops' in each
 * --long-windows mode, compiled from the same generated Sloth specs. Also reads back every recording rule's
 * labels, so backfilled history lands on exactly the series the rules write.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { compile } from '../../slo-compiler/compile.js';
import { writeCompiledRules } from '../../slo-compiler/output/write.js';
import type { LongWindowMode } from '../../slo-compiler/rules/sli-rules.js';
import { loadSpecs } from '../../slo-compiler/inputs/load.js';

const run = promisify(execFile);

export interface Rule {
  group: string;
  /** Seconds between evaluations of its group (the global 30s unless the group says otherwise). */
  interval: number;
  record?: string;
  alert?: string;
  expr: string;
  labels: Record<string, string>;
}

export interface RuleSet {
  name: string;
  dir: string;
  files: string[];
  rules: Rule[];
}

async function readRuleSet(name: string, dir: string, globalInterval: number): Promise<RuleSet> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml') || file.endsWith('.yml')).sort().map((file) => join(dir, file));
  const rules: Rule[] = [];
  for (const file of files) {
    const document = load(await readFile(file, 'utf8')) as { groups: Array<{ name: string; interval?: string; rules: Array<Omit<Rule, 'group' | 'interval'>> }> };
    for (const group of document.groups) {
      const interval = group.interval === undefined ? globalInterval : seconds(group.interval);
      for (const rule of group.rules) rules.push({ ...rule, labels: rule.labels ?? {}, group: group.name, interval });
    }
  }
  return { name, dir, files, rules };
}

function seconds(duration: string): number {
  const match = /^(\d+)([smh])$/.exec(duration);
  if (!match) throw new Error(`unexpected group interval ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

export async function slothRuleSet(sloth: string, version: string, specs: string, out: string, globalInterval: number): Promise<RuleSet> {
  await mkdir(out, { recursive: true });
  await run(sloth, ['generate', '--no-log', '-i', specs, '-o', out], { maxBuffer: 256 * 2 ** 20 });
  return readRuleSet(`Sloth ${version}`, out, globalInterval);
}

export async function metricopsRuleSet(mode: LongWindowMode, specs: string, out: string, globalInterval: number): Promise<RuleSet> {
  const compiled = compile(await loadSpecs([specs]), { format: 'prometheus', longWindows: mode, emitTests: false });
  await writeCompiledRules(out, compiled);
  return readRuleSet(`metricops --long-windows ${mode}`, out, globalInterval);
}

/** The labels a recording rule writes for an SLO (its rule labels: every SLI expression aggregates the rest away). */
export function recordedLabels(set: RuleSet, slothId: string, record: string): Record<string, string> | undefined {
  return set.rules.find((rule) => rule.record === record && rule.labels.sloth_id === slothId)?.labels;
}
