/**
 * The HTTP adapter of POST /mutate, a plain node request listener: body-parser (the parser behind express.json)
 * reads the body, then decode -> admit -> complete, then logs and metrics. It runs ahead of the express router
 * because the router's per-request work was most of the webhook's cost (bench/results/webhook.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import type { Clock } from '../common/clock.js';
import { formatIssue } from '../common/errors.js';
import { bodyProblem, jsonBodyParser, jsonContentTypeProblem } from '../common/http-body.js';
import type { Logger } from '../common/logger.js';
import { ADMISSION_API_VERSION, decodeAdmissionReview, type AdmissionReviewResponse } from './admission-review.js';
import { admit } from './admit.js';
import { completeResponse, errorResponse } from './complete-response.js';
import type { WebhookMetrics } from './metrics.js';
import type { RulesIndex } from './rules-index.js';

/** Like the kube-apiserver's own limit on a request body (3 MiB): a larger AdmissionReview cannot come from it. */
export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

/**
 * Far deeper than any Kubernetes object (a Deployment is about 15 levels deep), and shallow enough that walking the
 * object (stamping, diffing) cannot overflow the stack.
 */
export const MAX_BODY_DEPTH = 1000;

export interface AdmissionHandlerOptions {
  rules: () => RulesIndex;
  clock: Clock;
  logger: Logger;
  metrics: WebhookMetrics;
  bodyLimitBytes?: number;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function createAdmissionHandler(options: AdmissionHandlerOptions): RequestListener {
  const { rules, clock, logger, metrics } = options;
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const parseJson = jsonBodyParser({ limitBytes: limit, maxDepth: MAX_BODY_DEPTH });

  const send = (res: ServerResponse, code: number, review: AdmissionReviewResponse): void => {
    const body = JSON.stringify(review);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const reject = (res: ServerResponse, started: bigint, code: number, message: string, uid = ''): void => {
    logger.warn({ uid, code, reason: message }, 'rejected an admission request body');
    metrics.observe('bad_request', seconds(started));
    send(res, code, errorResponse(uid, code, message));
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const contentType = jsonContentTypeProblem(req.headers['content-type']);
    if (contentType) {
      req.resume();
      reject(res, started, contentType.status, contentType.message);
      return;
    }
    parseJson(req as express.Request, res as express.Response, (error?: unknown) => {
      if (error) {
        const problem = bodyProblem(error, req);
        if (problem) reject(res, started, problem.status, problem.message);
        else {
          logger.error({ err: error }, 'cannot read an admission request body');
          metrics.observe('bad_request', seconds(started));
          send(res, 500, errorResponse('', 500, 'internal error while reading the request body; see the webhook logs'));
        }
        return;
      }
      const decoded = decodeAdmissionReview((req as { body?: unknown }).body);
      if (!decoded.ok) {
        reject(res, started, 400, `not an ${ADMISSION_API_VERSION} AdmissionReview request: ${decoded.issues.map(formatIssue).join('; ')}`, decoded.uid);
        return;
      }
      const request = decoded.request;
      const decision = admit(request, rules(), clock);
      send(res, 200, completeResponse(request.uid, decision.response));
      metrics.observe(decision.result, seconds(started));
      const fields = {
        uid: request.uid,
        namespace: request.namespace,
        // not `name`: that is the logger's own field (the component name)
        resourceName: request.name,
        operation: request.operation,
        kind: `${request.kind.group}/${request.kind.version}/${request.kind.kind}`,
        dryRun: request.dryRun ?? false,
        result: decision.result,
        operations: decision.operations,
        warnings: decision.response.warnings,
      };
      if (decision.result === 'fail_open') logger.error({ ...fields, err: decision.error }, 'stamping failed; allowed without a stamp (fail open)');
      else if (decision.result === 'patched') logger.info(fields, 'stamped a Deployment rollout');
      else logger.debug(fields, 'admitted without a patch');
    });
  };
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
