import { readFile } from 'node:fs/promises';
import { formatDuration, parseDuration } from '../../common/duration.js';
import { InvalidInputError, type InputIssue } from '../../common/errors.js';
import type { FieldPath } from '../../common/field-path.js';
import { ALERT_PAIRS, burnRateWindows, BurnRatePeriodError, longestWindow, type AlertWindow, type AlertWindows } from '../rules/burn-rate.js';
import { checkWindow } from './checks.js';
import type { DocumentIssue } from './document-issue.js';
import { findSpecFiles } from './find-spec-files.js';
import { readDocuments } from './read-documents.js';
import { duration, literal, number, object, optional, parseSchema, refine } from './schema.js';
import { Locator } from './locate.js';
import { formatFieldPath } from '../../common/field-path.js';

export const ALERT_WINDOWS_KIND = 'AlertWindows';

/**
 * Sloth's SLO period windows (`apiVersion: sloth.slok.dev/v1`, `kind: AlertWindows`): for each SLO period, the four
 * window pairs and the share of the period's budget each spends. A catalog given with --slo-period-windows-path
 * replaces the defaults, as in Sloth: only its periods are valid then. Without one, every period of at least 3d
 * uses the SRE workbook's pairs (Sloth's default catalog has them for 28d and 30d only).
 */
export interface AlertWindowsCatalog {
  /** Where it was read, for messages (--slo-period-windows-path). */
  source: string;
  byPeriod: ReadonlyMap<number, AlertWindows>;
}


const budgetPercent = refine(number, (value) => value > 0 && value <= 100, (value) => `errorBudgetPercent ${value} is out of range: write a percentage above 0 and at most 100`);
const pair = object({ errorBudgetPercent: budgetPercent, shortWindow: duration, longWindow: duration });
const schema = object({
  apiVersion: literal('sloth.slok.dev/v1'),
  kind: literal(ALERT_WINDOWS_KIND),
  metadata: optional(object({}, { loose: true })),
  spec: object({ sloPeriod: duration, page: object({ quick: pair, slow: pair }), ticket: object({ quick: pair, slow: pair }) }),
});

/** One AlertWindows document: its period and pairs, or the problems. */
export function readAlertWindows(document: unknown): { period?: number; windows?: AlertWindows; issues: DocumentIssue[] } {
  const parsed = parseSchema(schema, document);
  if (!parsed.data) return { issues: parsed.issues };
  const { spec } = parsed.data;
  const toWindow = (window: { errorBudgetPercent: number; shortWindow: number; longWindow: number }): AlertWindow => ({
    shortWindow: window.shortWindow,
    longWindow: window.longWindow,
    budgetPercent: window.errorBudgetPercent,
  });
  const windows: AlertWindows = {
    pageQuick: toWindow(spec.page.quick),
    pageSlow: toWindow(spec.page.slow),
    ticketQuick: toWindow(spec.ticket.quick),
    ticketSlow: toWindow(spec.ticket.slow),
  };
  const issues = [...parsed.issues];
  const paths: Record<(typeof ALERT_PAIRS)[number], FieldPath> = {
    pageQuick: ['spec', 'page', 'quick'],
    pageSlow: ['spec', 'page', 'slow'],
    ticketQuick: ['spec', 'ticket', 'quick'],
    ticketSlow: ['spec', 'ticket', 'slow'],
  };
  for (const name of ALERT_PAIRS) {
    if (windows[name].shortWindow >= windows[name].longWindow) {
      issues.push({ path: [...paths[name], 'shortWindow'], message: `shortWindow ${formatDuration(windows[name].shortWindow)} is not shorter than longWindow ${formatDuration(windows[name].longWindow)}: the short window confirms the long one, so make it shorter` });
    }
  }
  if (spec.sloPeriod < longestWindow(windows)) {
    issues.push({ path: ['spec', 'sloPeriod'], message: `sloPeriod ${formatDuration(spec.sloPeriod)} is shorter than the longest window (${formatDuration(longestWindow(windows))}): make the period at least that long` });
  }
  return issues.length > 0 ? { issues } : { period: spec.sloPeriod, windows, issues };
}

/**
 * Reads every *.yaml/*.yml file under `dir` (recursively) as AlertWindows documents. Two files for one period must
 * agree (as in Sloth). Throws InvalidInputError listing every problem.
 */
export async function loadAlertWindows(dir: string): Promise<AlertWindowsCatalog> {
  const found = await findSpecFiles([dir]);
  const issues: InputIssue[] = [...found.issues.map((issue) => ({ ...issue, message: `--slo-period-windows-path: ${issue.message}` }))];
  const byPeriod = new Map<number, AlertWindows>();
  const first = new Map<number, string>();
  for (const file of found.files) {
    const text = await readFile(file, 'utf8');
    const read = readDocuments(file, text);
    issues.push(...read.issues);
    const locator = new Locator(text);
    for (const document of read.documents) {
      const windows = readAlertWindows(document.value);
      for (const issue of windows.issues) {
        const position = locator.locate(document.index, issue.path, issue.valueOffset, issue.atKey);
        const path = formatFieldPath(issue.path);
        issues.push({ source: file, document: document.index, ...(path ? { path } : {}), ...(position ?? {}), message: issue.message });
      }
      if (windows.period === undefined || !windows.windows) continue;
      const earlier = byPeriod.get(windows.period);
      if (earlier && JSON.stringify(earlier) !== JSON.stringify(windows.windows)) {
        issues.push({ source: file, document: document.index, path: 'spec.sloPeriod', message: `the ${formatDuration(windows.period)} SLO period is already defined differently in ${first.get(windows.period)}: keep one AlertWindows per period` });
      } else if (!earlier) {
        byPeriod.set(windows.period, windows.windows);
        first.set(windows.period, file);
      }
    }
  }
  if (issues.length === 0 && byPeriod.size === 0) {
    issues.push({ source: dir, message: '--slo-period-windows-path has no AlertWindows files: add one per SLO period (apiVersion: sloth.slok.dev/v1, kind: AlertWindows), or leave the flag out to use the workbook windows' });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { source: dir, byPeriod };
}

/**
 * The SLO period (canonical form) and its window pairs: from the catalog when one is given (a period it lacks is
 * refused, naming those it has), else the workbook's pairs (the period must cover the 3d window).
 */
export function resolvePeriod(text: string, path: FieldPath, catalog: AlertWindowsCatalog | undefined): { window?: string; alertWindows?: AlertWindows; issues: DocumentIssue[] } {
  const checked = checkWindow(text, path);
  if (!checked.window) return checked;
  const periodMs = parseDuration(checked.window);
  if (catalog) {
    const windows = catalog.byPeriod.get(periodMs);
    if (!windows) {
      const known = [...catalog.byPeriod.keys()].sort((a, b) => a - b).map(formatDuration).join(', ');
      return { issues: [{ path, message: `no alert windows for the ${checked.window} SLO period in ${catalog.source} (it has ${known}): add an AlertWindows file for ${checked.window} there, or use one of those periods` }] };
    }
    return { window: checked.window, alertWindows: windows, issues: [] };
  }
  try {
    burnRateWindows(periodMs);
  } catch (error) {
    if (!(error instanceof BurnRatePeriodError)) throw error;
    return { issues: [{ path, message: `SLO period ${checked.window} is shorter than the 3d longest alert window: use a period of at least 3d (28d or 30d are usual), or give windows for it with --slo-period-windows-path` }] };
  }
  return { window: checked.window, issues: [] };
}
