/**
 * Decides the answer to one decoded admission request: stamp Deployments, allow everything else unchanged, and fail
 * open (allowed, no patch, a warning) when stamping fails. Pure apart from the clock.
 */
import type { Clock } from '../common/clock.js';
import type { AdmissionAnswer, AdmissionRequest } from './admission-review.js';
import { diffPatch, encodePatch } from './json-patch.js';
import type { RulesIndex } from './rules-index.js';
import { isStampableDeployment, stampDeployment } from './stamp-deployment.js';

/** How a request ended, the `result` label of the request metrics. */
export type AdmissionResult = 'patched' | 'unchanged' | 'skipped' | 'fail_open' | 'bad_request';

export interface AdmissionDecision {
  result: AdmissionResult;
  response: AdmissionAnswer;
  /** Number of JSON Patch operations (0 without a patch). */
  operations: number;
  /** Why stamping failed, for logs (fail_open only). */
  error?: unknown;
}

export function admit(request: AdmissionRequest, rules: RulesIndex, clock: Clock): AdmissionDecision {
  if (!isStampableDeployment(request)) return { result: 'skipped', response: { allowed: true }, operations: 0 };
  try {
    const { object, warnings } = stampDeployment(request, rules, clock);
    const patch = diffPatch(request.object, object);
    const response: AdmissionAnswer = { allowed: true };
    if (warnings.length > 0) response.warnings = warnings;
    if (patch.length === 0) return { result: 'unchanged', response, operations: 0 };
    return { result: 'patched', response: { ...response, patch: encodePatch(patch) }, operations: patch.length };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      result: 'fail_open',
      response: { allowed: true, warnings: [`metricops: did not stamp this Deployment's rollout: ${message}`] },
      operations: 0,
      error,
    };
  }
}
