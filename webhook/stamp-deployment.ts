/**
 * The pure core of the webhook: given an admission request for a Deployment, the rules index and the time, returns
 * the Deployment with its rollout stamped into metadata.annotations (never spec.template) and the warnings for the
 * client. The HTTP adapter turns the difference into a JSON Patch.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../common/clock.js';
import { Annotations } from '../common/contract/annotations.js';
import { formatDeployedAt } from '../common/contract/deployed-at.js';
import { formatGuardingAlerts } from '../common/contract/guarding-alert.js';
import { containerImages, formatImages } from '../common/contract/images.js';
import { StampError } from '../common/contract/stamp-error.js';
import type { AdmissionRequest } from './admission-review.js';
import { resolveGuardingAlerts } from './guarding-alerts.js';
import type { RulesIndex } from './rules-index.js';

/**
 * A `deployed-at` already on the incoming object, newer than the old object's and at most this old, is our own
 * stamp seen again on reinvocation (reinvocationPolicy: IfNeeded): it is kept so the second pass patches nothing.
 */
export const REINVOCATION_WINDOW_MS = 60_000;

/** Annotations whose change re-resolves `metricops.io/rules` even without a rollout. */
const GUARD_ANNOTATIONS = [Annotations.slo, Annotations.rule, Annotations.ruleFor] as const;

export interface StampResult {
  object: Record<string, unknown>;
  warnings: string[];
  /** True when spec.template is new (CREATE or changed): a rollout, so deployed-at is now. */
  rollout: boolean;
}

export function isStampableDeployment(request: AdmissionRequest): boolean {
  return (
    request.kind.group === 'apps' &&
    request.kind.version === 'v1' &&
    request.kind.kind === 'Deployment' &&
    (request.operation === 'CREATE' || request.operation === 'UPDATE') &&
    (request.subResource ?? '') === ''
  );
}

export function stampDeployment(request: AdmissionRequest, rules: RulesIndex, clock: Clock): StampResult {
  const object = asObject(request.object, 'request.object');
  const oldObject = request.operation === 'UPDATE' ? asObject(request.oldObject, 'request.oldObject') : undefined;
  // Only metadata.annotations changes: copy the path to it, share the rest (the input is never modified).
  const metadata = { ...asObject(object.metadata ?? {}, 'metadata') };
  const mutated: Record<string, unknown> = { ...object, metadata };
  const annotations = stringMap(metadata.annotations, 'metadata.annotations');
  const oldAnnotations = oldObject ? stringMap(asObject(oldObject.metadata ?? {}, 'oldObject.metadata').annotations, 'oldObject.metadata.annotations') : {};
  const namespace = stringField(metadata.namespace) ?? request.namespace ?? '';
  const name = stringField(metadata.name) ?? request.name ?? '';

  const rollout = oldObject === undefined || !isDeepStrictEqual(templateOf(oldObject), templateOf(object));
  const now = clock.now();
  const stamps: Record<string, string | undefined> = {};
  const warnings: string[] = [];

  const images = formatImages(containerImages(object));
  stamps[Annotations.images] = rollout ? images : (oldAnnotations[Annotations.images] ?? images);

  stamps[Annotations.deployedAt] = rollout
    ? (ownRecentStamp(annotations[Annotations.deployedAt], oldAnnotations[Annotations.deployedAt], now) ?? formatDeployedAt(now))
    : oldAnnotations[Annotations.deployedAt];

  const guardsChanged = GUARD_ANNOTATIONS.some((key) => annotations[key] !== oldAnnotations[key]);
  const oldRules = oldAnnotations[Annotations.rules];
  if (rollout || guardsChanged || oldRules === undefined) {
    const resolved = resolveGuardingAlerts(annotations, namespace, name, rules);
    stamps[Annotations.rules] = formatGuardingAlerts(resolved.alerts);
    warnings.push(...resolved.warnings);
  } else {
    stamps[Annotations.rules] = oldRules;
  }

  const stamped = { ...annotations };
  for (const [key, value] of Object.entries(stamps)) {
    if (value === undefined) delete stamped[key];
    else stamped[key] = value;
  }
  if (Object.keys(stamped).length > 0 || metadata.annotations !== undefined) metadata.annotations = stamped;
  return { object: mutated, warnings, rollout };
}

function ownRecentStamp(current: string | undefined, old: string | undefined, now: Date): string | undefined {
  if (current === undefined || current === old) return undefined;
  const at = Date.parse(current);
  if (Number.isNaN(at) || formatDeployedAt(new Date(at)) !== current) return undefined;
  const age = now.getTime() - at;
  return age >= -1000 && age <= REINVOCATION_WINDOW_MS ? current : undefined;
}

function templateOf(deployment: Record<string, unknown>): unknown {
  const spec = deployment.spec;
  return typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).template : undefined;
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StampError(path, 'is not an object');
  return value as Record<string, unknown>;
}

function stringMap(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const map = asObject(value, path);
  for (const [key, entry] of Object.entries(map)) {
    if (typeof entry !== 'string') throw new StampError(`${path}["${key}"]`, 'is not a string');
  }
  return map as Record<string, string>;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
