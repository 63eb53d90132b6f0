/**
 * Reads a Deployment's metricops annotations (the user's settings and the webhook's stamps) into a DeploymentPolicy.
 * Pure. A bad value is never silently dropped: it becomes a problem that names the annotation, says what is wrong
 * and how to fix it, and the policy falls back to the safe choice (no rollback).
 */
import { z } from 'zod';
import { Annotations, RollbackModes, type RollbackMode } from '../../common/contract.js';
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

const RuleEntry = z.object({
  alert: z.string().min(1),
  severity: z.string().min(1).default('page'),
  slo: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
const RuleList = z.array(RuleEntry);
const ImageMap = z.record(z.string(), z.string());

export function formatAnnotationProblem(problem: AnnotationProblem): string {
  return `annotation ${problem.annotation}: ${problem.message}`;
}

export function parseDeploymentPolicy(annotations: Record<string, string>): ParsedPolicy {
  const problems: AnnotationProblem[] = [];
  const policy: DeploymentPolicy = {
    rollback: parseRollbackMode(annotations[Annotations.rollback], problems),
    watchWindow: parseWatchWindow(annotations[Annotations.watchWindow], problems),
    images: parseJson(annotations, Annotations.images, ImageMap, {}, 'a JSON object of container name -> image', problems),
    rules: parseJson(
      annotations,
      Annotations.rules,
      RuleList,
      [],
      'a JSON list of {"alert", "severity", "labels"} objects',
      problems,
    ),
  };
  const deployedAt = parseDeployedAt(annotations[Annotations.deployedAt], problems);
  if (deployedAt) policy.deployedAt = deployedAt;
  const gitPath = annotations[Annotations.gitPath]?.trim();
  if (gitPath) policy.gitPath = gitPath;
  return { policy, problems };
}

function parseRollbackMode(value: string | undefined, problems: AnnotationProblem[]): RollbackMode {
  if (value === undefined) return 'enabled';
  const mode = value.trim();
  if ((RollbackModes as readonly string[]).includes(mode)) return mode as RollbackMode;
  problems.push({
    annotation: Annotations.rollback,
    message: `unknown mode "${value}", treated as disabled: use one of ${RollbackModes.join(', ')}`,
  });
  return 'disabled';
}

function parseWatchWindow(value: string | undefined, problems: AnnotationProblem[]): number {
  if (value === undefined) return DEFAULT_WATCH_WINDOW_MS;
  try {
    return parseDuration(value);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    problems.push({ annotation: Annotations.watchWindow, message: error.message });
    return DEFAULT_WATCH_WINDOW_MS;
  }
}

function parseDeployedAt(value: string | undefined, problems: AnnotationProblem[]): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (value.trim() === '' || Number.isNaN(time.getTime())) {
    problems.push({
      annotation: Annotations.deployedAt,
      message: `"${value}" is not an RFC 3339 time such as 2026-01-02T15:04:05Z (the webhook stamps it on each rollout)`,
    });
    return undefined;
  }
  return time;
}

function parseJson<T>(
  annotations: Record<string, string>,
  annotation: string,
  schema: z.ZodType<T>,
  fallback: T,
  expected: string,
  problems: AnnotationProblem[],
): T {
  const text = annotations[annotation];
  if (text === undefined) return fallback;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    problems.push({ annotation, message: `not valid JSON (${(error as Error).message}): expected ${expected}` });
    return fallback;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
  problems.push({ annotation, message: `${details}: expected ${expected}` });
  return fallback;
}

/** When the pipeline last rolled this Deployment back, from its `metricops.io/rolled-back-from` record. */
export function lastRollbackTime(annotations: Record<string, string>): Date | undefined {
  const text = annotations[Annotations.rolledBackFrom];
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as { time?: unknown };
    if (typeof record.time !== 'string') return undefined;
    const time = new Date(record.time);
    return Number.isNaN(time.getTime()) ? undefined : time;
  } catch {
    return undefined;
  }
}
