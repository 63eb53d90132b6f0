import type { Indicator, InlineRule, Slo } from '../model.js';
import type { DocumentIssue } from './document-issue.js';

/** Where a document comes from and the defaults that apply to it. */
export interface DocumentContext {
  source: string;
  document: number;
  /** SLO window when a spec gives none (Sloth has no window field), e.g. "30d". */
  defaultWindow: string;
  /** Indicators of the OpenSLO `kind: SLI` objects among all inputs, by name (null when that SLI is invalid). */
  openSloIndicators: ReadonlyMap<string, Indicator | null>;
}

/** What one document yields: model objects when it is valid, else its problems. */
export interface Converted {
  slos: Slo[];
  inlineRules: InlineRule[];
  issues: DocumentIssue[];
}

export function problems(issues: DocumentIssue[]): Converted {
  return { slos: [], inlineRules: [], issues };
}
