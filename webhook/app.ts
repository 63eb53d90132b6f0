/**
 * The HTTP adapter: express routes for /mutate, /healthz, /readyz and /metrics. Decoding, deciding and completing
 * the answer are the pure functions it calls; here are only bodies, status codes, logs and metrics.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { Clock } from '../common/clock.js';
import { formatIssue } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { decodeAdmissionReview } from './admission-review.js';
import { admit } from './admit.js';
import { completeResponse, errorResponse } from './complete-response.js';
import type { WebhookMetrics } from './metrics.js';
import type { RulesIndex } from './rules-index.js';

/** Like the kube-apiserver's own limit on a request body (3 MiB): a larger AdmissionReview cannot come from it. */
export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface WebhookState {
  rules(): RulesIndex | undefined;
  certificateLoaded(): boolean;
}

export interface WebhookAppOptions {
  state: WebhookState;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  metrics: WebhookMetrics;
  bodyLimitBytes?: number;
}

export function createWebhookApp(options: WebhookAppOptions): express.Express {
  const { state, clock, logger, registry, metrics } = options;
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });

  app.get('/readyz', (_req, res) => {
    const missing = [
      ...(state.rules() ? [] : ['rules not loaded']),
      ...(state.certificateLoaded() ? [] : ['serving certificate not loaded']),
    ];
    res.status(missing.length === 0 ? 200 : 503).type('text/plain').send(missing.length === 0 ? 'ready\n' : `not ready: ${missing.join(', ')}\n`);
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  const answerBadRequest = (res: Response, started: bigint, code: number, message: string, uid = ''): void => {
    logger.warn({ uid, code, reason: message }, 'rejected an admission request body');
    metrics.observe('bad_request', seconds(started));
    res.status(code).json(errorResponse(uid, code, message));
  };

  app.post(
    '/mutate',
    (req, res, next) => {
      res.locals.started = process.hrtime.bigint();
      if (!req.is('application/json')) {
        answerBadRequest(res, res.locals.started, 415, `content type must be application/json, got ${req.get('content-type') ?? 'none'}`);
        return;
      }
      next();
    },
    express.json({ limit, type: 'application/json' }),
    (req, res) => {
      const started = res.locals.started as bigint;
      const decoded = decodeAdmissionReview(req.body);
      if (!decoded.ok) {
        const problems = decoded.issues.map(formatIssue).join('; ');
        answerBadRequest(res, started, 400, `not an ${'admission.k8s.io/v1'} AdmissionReview request: ${problems}`, decoded.uid);
        return;
      }
      const request = decoded.request;
      const decision = admit(request, state.rules(), clock);
      res.json(completeResponse(request.uid, decision.response));
      metrics.observe(decision.result, seconds(started));
      const fields = {
        uid: request.uid,
        namespace: request.namespace,
        name: request.name,
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
    },
  );

  app.all('/mutate', (req, res) => {
    res.status(405).set('allow', 'POST').json({ message: `${req.method} is not allowed on /mutate; the apiserver POSTs AdmissionReviews` });
  });

  app.use((req, res) => {
    res.status(404).json({ message: `no route ${req.method} ${req.path}; the webhook serves POST /mutate, GET /healthz, /readyz, /metrics` });
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const started = (res.locals.started as bigint | undefined) ?? process.hrtime.bigint();
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      const length = (error as { length?: number }).length;
      return answerBadRequest(res, started, 413, `request body${length ? ` (${length} bytes)` : ''} is larger than the limit of ${limit} bytes`);
    }
    if (type === 'entity.parse.failed') {
      return answerBadRequest(res, started, 400, `request body is not a JSON object: ${(error as Error).message}`);
    }
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) {
      return answerBadRequest(res, started, status, `cannot read the request body: ${(error as Error).message}`);
    }
    logger.error({ err: error, path: req.path }, 'internal error while answering a request');
    if (!res.headersSent) res.status(500).json(errorResponse('', 500, 'internal error; see the webhook logs'));
  });

  return app;
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
