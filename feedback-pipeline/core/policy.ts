/**
 * Reads a Deployment's metricops annotations (the user's settings and the webhook's stamps) into a DeploymentPolicy.
 * Pure. A bad value is never silently dropped: it becomes a problem that names the annotation, says what is wrong
 * and how to fix it, and the policy falls back to the safe choice (no rollback).
 */
import type { AnnotationValue } from '../../common/contract/annotation-value.js';
import { Annotations, RollbackModes, type RollbackMode } from '../../common/contract/annotations.js';
import { parseDeployedAt } from '../../common/contract/deployed-at.js';
import { parseGuardingAlerts } from '../../common/contract/guarding-alert.js';
import { parseImages } from '../../common/contract/images.js';
import { rolledBackAt } from '../../common/contract/rolled-back-from.js';
import { DurationError, parseDuration } from '../../common/duration.js';
import type { DeploymentPolicy } from '../model.js';

export const DEFAULT_WATCH_WINDOW_MS = 30 * 60_000;

export interface AnnotationProblem {
  annotation: string;
  message: string;
}

export interface ParsedPolicy {
  policy: DeploymentPolicy;
  /** Empty when every annotation was valid. */
  problems: AnnotationProblem[];
}

export function formatAnnotationProblem(problem: AnnotationProblem): string {
  return `annotation ${problem.annotation}: ${problem.message}`;
}

export function parseDeploymentPolicy(annotations: Readonly<Record<string, string>>): ParsedPolicy {
  const problems: AnnotationProblem[] = [];
  /** The annotation's value read by `parse`; `absent` without it, `invalid` (and a problem naming it) when bad. */
  const read = <T>(annotation: string, parse: (text: string) => AnnotationValue<T>, absent: T, invalid: T = absent): T => {
    const text = annotations[annotation];
    if (text === undefined) return absent;
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    problems.push({ annotation, message: parsed.problem });
    return invalid;
  };
  const policy: DeploymentPolicy = {
    rollback: read(Annotations.rollback, parseRollbackMode, 'enabled', 'disabled'),
    watchWindow: read(Annotations.watchWindow, parseWatchWindow, DEFAULT_WATCH_WINDOW_MS),
    images: read(Annotations.images, parseImages, {}),
    rules: read(Annotations.rules, parseGuardingAlerts, []),
  };
  const deployedAt = read<Date | undefined>(Annotations.deployedAt, parseDeployedAt, undefined);
  if (deployedAt) policy.deployedAt = deployedAt;
  const gitPath = annotations[Annotations.gitPath]?.trim();
  if (gitPath) policy.gitPath = gitPath;
  const lastRollbackAt = lastRollbackTime(annotations);
  if (lastRollbackAt) policy.lastRollbackAt = lastRollbackAt;
  return { policy, problems };
}

function parseRollbackMode(value: string): AnnotationValue<RollbackMode> {
  const mode = value.trim();
  if ((RollbackModes as readonly string[]).includes(mode)) return { ok: true, value: mode as RollbackMode };
  return { ok: false, problem: `unknown mode "${value}", treated as disabled: use one of ${RollbackModes.join(', ')}` };
}

function parseWatchWindow(value: string): AnnotationValue<number> {
  try {
    return { ok: true, value: parseDuration(value) };
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    return { ok: false, problem: error.message };
  }
}

/** When the pipeline last rolled this Deployment back, from its `metricops.io/rolled-back-from` record (lenient: it only extends a cooldown). */
export function lastRollbackTime(annotations: Readonly<Record<string, string>>): Date | undefined {
  return rolledBackAt(annotations[Annotations.rolledBackFrom]);
}
