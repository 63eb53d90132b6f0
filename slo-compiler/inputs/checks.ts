import type { Slo } from '../model.js';
import { number, refine } from './schema.js';
import { DurationError, formatDuration, parseDuration } from '../../common/duration.js';
import type { DocumentIssue } from './document-issue.js';
import type { FieldPath } from '../../common/field-path.js';

/** Field checks shared by every format. Each returns the problems it found (empty when the value is fine). */

export function checkObjectivePercent(objective: number, path: FieldPath): DocumentIssue[] {
  if (Number.isFinite(objective) && objective > 0 && objective < 100) return [];
  const why = objective === 100 ? ' (100% leaves no error budget, so every error would page)' : '';
  return [{ path, message: `objective ${objective} is out of range: write a percentage above 0 and below 100, e.g. 99.9${why}` }];
}

const MIN_WINDOW_MS = 3_600_000;

/** Parses an SLO window; returns it in canonical form ("4w" -> "28d") or the problems. */
export function checkWindow(text: string, path: FieldPath): { window?: string; issues: DocumentIssue[] } {
  let milliseconds: number;
  try {
    milliseconds = parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) return { issues: [{ path, message: `bad SLO window: ${error.message}` }] };
    throw error;
  }
  if (milliseconds < MIN_WINDOW_MS || milliseconds % 60_000 !== 0) {
    return { issues: [{ path, message: `SLO window "${text}" is too short or not whole minutes: use at least 1h, e.g. 30d, 28d or 7d` }] };
  }
  return { window: formatDuration(milliseconds), issues: [] };
}

/** A Prometheus `for:` duration, e.g. "1m"; returns it unchanged when valid. */
export function checkForDuration(text: string, path: FieldPath): DocumentIssue[] {
  try {
    parseDuration(text);
    return [];
  } catch (error) {
    if (error instanceof DurationError) return [{ path, message: `bad "for" duration: ${error.message}` }];
    throw error;
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Kubernetes object names (SLO metadata.name, namespaces, Deployment names). */
export function checkKubernetesName(name: string, path: FieldPath, what: string): DocumentIssue[] {
  if (name.length <= 253 && DNS_SUBDOMAIN.test(name)) return [];
  return [
    {
      path,
      message: `${what} "${name}" is not a valid Kubernetes name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters`,
    },
  ];
}

/** Sloth's own name rule (internal/prometheus/model.go nameRegexp): at least two characters. */
const SLOTH_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$/;

/** Sloth service and SLO names (they form the `sloth_id` label and file names). */
export function checkSlothName(name: string, path: FieldPath, what: string): DocumentIssue[] {
  if (SLOTH_NAME.test(name)) return [];
  return [
    {
      path,
      message: `${what} "${name}" is not valid: use at least two letters, digits, "-", "_" or ".", starting and ending with a letter or digit (Sloth's rule)`,
    },
  ];
}

/** Alert name used when a spec gives none: the SLO name in PascalCase plus "Burn" (checkout-availability -> CheckoutAvailabilityBurn). */
export function deriveAlertName(sloName: string): string {
  const words = sloName.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  return `${words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')}Burn`;
}

/** Labels metricops and Sloth-compatible rules set themselves: a spec may not set them. */
const GENERATED_LABELS = new Set([
  'slo',
  'slo_severity',
  'sloth_id',
  'sloth_service',
  'sloth_slo',
  'sloth_window',
  'sloth_severity',
  'sloth_version',
  'sloth_mode',
  'sloth_spec',
  'sloth_objective',
]);
const TARGET_LABELS = new Set(['namespace', 'deployment']);

/**
 * Rule and alert labels must not override the labels the feedback pipeline reads. `namespace` and `deployment`
 * are refused too unless `targetHint` is undefined (Sloth SLO labels, where they are how a target is given).
 */
export function checkReservedLabels(labels: Record<string, string> | undefined, path: FieldPath, targetHint?: string): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  for (const key of Object.keys(labels ?? {})) {
    if (GENERATED_LABELS.has(key)) {
      issues.push({ path: [...path, key], atKey: true, message: `label "${key}" is set by metricops on every generated rule: rename or remove it` });
    } else if (targetHint !== undefined && TARGET_LABELS.has(key)) {
      issues.push({ path: [...path, key], atKey: true, message: `label "${key}" marks the Deployment an alert guards: ${targetHint}` });
    }
  }
  return issues;
}

/** `minEvents`: a whole number of events, at least 1. */
export const minEventsSchema = refine(number, (value) => Number.isInteger(value) && value >= 1, (value) => `minEvents ${value} is not a whole number of events of at least 1: write e.g. 100 (or leave it out for no minimum)`);

/** A minimum of events needs an SLI that counts them. */
export function checkMinEvents(slo: Slo, path: FieldPath): DocumentIssue[] {
  if (slo.alerting.minEvents === undefined || slo.indicator.kind !== 'raw') return [];
  return [{ path, message: 'minEvents needs an SLI that counts events (ratio, events, latency or boolGauge): a raw error ratio has no event counts to compare; remove minEvents or count the events' }];
}

/**
 * Whether an SLI counts traffic (requests): --min-events applies to those. A boolGauge counts probes, which come at
 * the prober's pace whatever the traffic, and a raw SLI counts nothing; their specs may still set minEvents.
 */
export function countsTraffic(indicator: Slo['indicator']): boolean {
  return indicator.kind === 'ratio' || indicator.kind === 'events' || indicator.kind === 'latency';
}
