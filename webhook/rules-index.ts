/**
 * The index the webhook resolves a Deployment's guards from: SLO name -> alerts, and namespace/deployment -> the
 * alerts of its inline rule. Built from the compiler's rule files (rule-file.ts reads one, rules-directory.ts all).
 */
import type { GuardingAlert } from '../common/contract/guarding-alert.js';

export interface RulesIndex {
  bySlo: ReadonlyMap<string, readonly GuardingAlert[]>;
  /** Key: `namespace/deployment` (namespacedName). */
  inline: ReadonlyMap<string, readonly GuardingAlert[]>;
  /** Where the rules were read from, for warnings: a directory. */
  source: string;
  files: number;
  alerts: number;
  loadedAt: Date;
}

export function describeRulesIndex(index: RulesIndex): string {
  return `${index.source} (${index.files} files, ${index.alerts} alerts)`;
}
