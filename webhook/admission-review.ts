/**
 * The admission.k8s.io/v1 AdmissionReview wire format: decoding a request (zod) and the response shape.
 * Only the fields metricops reads are checked; everything else passes through untouched.
 */
import { z } from 'zod';
import type { InputIssue } from '../common/errors.js';
import { formatFieldPath } from '../common/field-path.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

const groupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });

const admissionRequestSchema = z
  .object({
    uid: z.string().min(1, 'must be a non-empty string (the apiserver sets it; the response echoes it)'),
    kind: groupVersionKind,
    resource: z.object({ group: z.string(), version: z.string(), resource: z.string() }).optional(),
    subResource: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
    object: z.unknown().optional(),
    oldObject: z.unknown().optional(),
    dryRun: z.boolean().optional(),
  })
  .loose();

const admissionReviewSchema = z
  .object({
    apiVersion: z.literal(ADMISSION_API_VERSION, {
      error: `must be "${ADMISSION_API_VERSION}" (set admissionReviewVersions: ["v1"] in the MutatingWebhookConfiguration)`,
    }),
    kind: z.literal('AdmissionReview', { error: 'must be "AdmissionReview"' }),
    request: admissionRequestSchema,
  })
  .loose();

export type AdmissionRequest = z.infer<typeof admissionRequestSchema>;
export type Operation = AdmissionRequest['operation'];

export interface AdmissionStatus {
  code: number;
  message?: string;
  reason?: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
  warnings?: string[];
}

/** What a decision answers; completeResponse adds the uid, the status and, with a patch, its patchType. */
export type AdmissionAnswer = Omit<AdmissionResponse, 'uid' | 'patchType'>;

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export type DecodeResult = { ok: true; request: AdmissionRequest } | { ok: false; uid: string; issues: InputIssue[] };

/** Decodes a parsed JSON body; on failure, keeps the uid if one can be found so the answer can still echo it. */
export function decodeAdmissionReview(body: unknown, source = 'request body'): DecodeResult {
  const parsed = admissionReviewSchema.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data.request };
  const issues = parsed.error.issues.map((issue) => ({
    source,
    path: formatFieldPath(issue.path as Array<string | number>) || '(top level)',
    message: issue.message,
  }));
  return { ok: false, uid: findUid(body), issues };
}

function findUid(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const request = (body as { request?: unknown }).request;
  if (typeof request !== 'object' || request === null) return '';
  const uid = (request as { uid?: unknown }).uid;
  return typeof uid === 'string' ? uid : '';
}
