/**
 * The index the webhook resolves a Deployment's guards from: SLO name -> alerts, and namespace/deployment -> the
 * alerts of its inline rule. Built from the compiler's rule files (see rules-documents.ts).
 */
import type { GuardingAlert } from '../slo-compiler/model.js';

export interface RulesIndex {
  bySlo: ReadonlyMap<string, readonly GuardingAlert[]>;
  /** Key: `namespace/deployment` (inlineKey). */
  inline: ReadonlyMap<string, readonly GuardingAlert[]>;
  /** Where the rules were read from, for warnings: a directory. */
  source: string;
  files: number;
  alerts: number;
  loadedAt: Date;
}

export function inlineKey(namespace: string, deployment: string): string {
  return `${namespace}/${deployment}`;
}

export function describeRulesIndex(index: RulesIndex): string {
  return `${index.source} (${index.files} files, ${index.alerts} alerts)`;
}
