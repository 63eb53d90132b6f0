import { ADMISSION_API_VERSION, type AdmissionAnswer, type AdmissionResponse, type AdmissionReviewResponse } from './admission-review.js';

/**
 * The one place every answer is finished, like controller-runtime's admission.Response: echo the uid, give a status
 * (an allowed answer without one gets code 200) and say what a patch is.
 */
export function completeResponse(uid: string, response: AdmissionAnswer): AdmissionReviewResponse {
  const status = response.status ?? (response.allowed ? { code: 200 } : { code: 500, message: 'denied' });
  const completed: AdmissionResponse = { uid, allowed: response.allowed, status };
  if (response.patch !== undefined) {
    completed.patchType = 'JSONPatch';
    completed.patch = response.patch;
  }
  if (response.warnings && response.warnings.length > 0) completed.warnings = response.warnings;
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response: completed };
}

/** The answer to a body that is not a usable AdmissionReview: not allowed, with the HTTP code and why. */
export function errorResponse(uid: string, code: number, message: string): AdmissionReviewResponse {
  return completeResponse(uid, { allowed: false, status: { code, message, reason: reasonFor(code) } });
}

function reasonFor(code: number): string {
  switch (code) {
    case 413:
      return 'RequestEntityTooLarge';
    case 415:
      return 'UnsupportedMediaType';
    case 400:
      return 'BadRequest';
    default:
      return 'InternalError';
  }
}
