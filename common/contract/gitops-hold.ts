/**
 * `metricops.io/gitops-hold` on a Deployment: the feedback pipeline rolled it back and holds the rolled-back
 * template against the GitOps engine until the engine has applied the write-back revision. It is the hold's only
 * durable state: a restarted process (or another replica) resumes every hold from it. JSON:
 * `{"decision","alert":{"name","fingerprint","startsAt","source"},"since","reason","gitPath","from":{...},"to":{...},
 *   "previousFluxReconcile","writeBack":{"revision","commit","pushedAt"}}`.
 */
import { z } from 'zod';
import { parseJsonAnnotation, type AnnotationValue } from './annotation-value.js';

export interface GitOpsHoldRecord {
  /** The id of the rollback decision (its DecisionRecord id and the write-back commit's Metricops-Decision trailer). */
  decision: string;
  alert: { name: string; fingerprint: string; startsAt: string; source: 'webhook' | 'poll' };
  /** RFC 3339 time the hold was set (the rollback patch). */
  since: string;
  reason: string;
  /** `metricops.io/git-path` at the time of the rollback. */
  gitPath: string;
  /** The images rolled back from (the bad ones) and to (the good ones), container name -> image. */
  from: { revision?: number; images: Record<string, string> };
  to: { revision?: number; images: Record<string, string> };
  /** The value `kustomize.toolkit.fluxcd.io/reconcile` had before the hold (restored on release); null: it was absent. */
  previousFluxReconcile: string | null;
  /** Set once the write-back is pushed: the revision the GitOps engine must apply before the hold is released. */
  writeBack?: {
    /** The Git commit (branch head after the push) that has the good images. */
    revision: string;
    /** The write-back commit itself (trailer Metricops-Decision), or null when Git already had the good images. */
    commit: string | null;
    pushedAt: string;
  };
}

const images = z.record(z.string(), z.string());
const schema: z.ZodType<GitOpsHoldRecord> = z.object({
  decision: z.string().min(1),
  alert: z.object({ name: z.string(), fingerprint: z.string(), startsAt: z.string(), source: z.enum(['webhook', 'poll']) }),
  since: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not an RFC 3339 time'),
  reason: z.string(),
  gitPath: z.string().min(1),
  from: z.object({ revision: z.number().int().optional(), images }),
  to: z.object({ revision: z.number().int().optional(), images }),
  previousFluxReconcile: z.string().nullable(),
  writeBack: z.object({ revision: z.string().min(1), commit: z.string().nullable(), pushedAt: z.string() }).optional(),
}) as z.ZodType<GitOpsHoldRecord>;

export function formatGitOpsHold(record: GitOpsHoldRecord): string {
  return JSON.stringify(record);
}

export function parseGitOpsHold(text: string): AnnotationValue<GitOpsHoldRecord> {
  return parseJsonAnnotation(text, schema, 'the JSON hold record the feedback pipeline writes (decision, alert, since, gitPath, from, to, ...)');
}
