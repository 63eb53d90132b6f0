/**
 * A guarding alert: one alert the compiled rules can fire that guards a Deployment, as the compiler lists it
 * (CompiledRules.guardingAlerts), the webhook stamps it (`metricops.io/rules`: a JSON list of them) and the feedback
 * pipeline matches a firing alert against it (same alertname, every label of the entry equal on the alert).
 */
import { z } from 'zod';
import { AlertLabels, type SloSeverity } from './alert-labels.js';
import { parseJsonAnnotation, type AnnotationValue } from './annotation-value.js';

export interface GuardingAlert {
  alert: string;
  severity: SloSeverity;
  /** `slo` label value; absent for inline rules. */
  slo?: string;
  /** Static labels of the rule that tell it apart from other rules with the same alert name (GUARD_LABELS only). */
  labels: Record<string, string>;
}

/** The labels a guarding alert keeps: those that tell one guard apart from another with the same alert name. */
export const GUARD_LABELS: readonly string[] = [
  AlertLabels.slo,
  AlertLabels.severity,
  AlertLabels.namespace,
  AlertLabels.deployment,
  AlertLabels.slothSeverity,
];

/** The GUARD_LABELS among a rule's labels. */
export function guardLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => GUARD_LABELS.includes(name)));
}

/** One entry of `metricops.io/rules` as read back: lenient where the webhook's own stamps cannot differ. */
const guardingAlertEntry = z.object({
  alert: z.string().min(1),
  severity: z.string().min(1).default('page'),
  slo: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
});

export type GuardingAlertEntry = z.output<typeof guardingAlertEntry>;

export function formatGuardingAlerts(alerts: readonly GuardingAlert[]): string {
  return JSON.stringify(alerts);
}

export function parseGuardingAlerts(text: string): AnnotationValue<GuardingAlertEntry[]> {
  return parseJsonAnnotation(text, z.array(guardingAlertEntry), 'a JSON list of {"alert", "severity", "labels"} objects');
}
