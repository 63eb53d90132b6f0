import type { Indicator, InlineRule, Slo } from '../model.js';
import type { AlertWindowsCatalog } from './alert-windows.js';
import type { DocumentIssue } from './document-issue.js';
import type { AppPlugins } from './plugin-chain.js';
import type { QuerySyntax } from './promql.js';

/** Where a document comes from and the defaults that apply to it. */
export interface DocumentContext {
  source: string;
  document: number;
  /** SLO window when a spec gives none (Sloth has no window field), e.g. "30d". */
  defaultWindow: string;
  /** Indicators of the OpenSLO `kind: SLI` objects among all inputs, by name (null when that SLI is invalid). */
  openSloIndicators: ReadonlyMap<string, Indicator | null>;
  /** --slo-period-windows-path: the only SLO periods allowed and their window pairs. */
  windowCatalog?: AlertWindowsCatalog;
  /** --slo-plugins and --disable-default-slo-plugins. */
  appPlugins: AppPlugins;
  /** --min-events: the minimum for SLOs whose spec sets none. */
  minEvents?: number;
  /** The PromQL syntax check, shared by every document of one parse (it remembers the query shapes it has seen). */
  querySyntax: QuerySyntax;
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
