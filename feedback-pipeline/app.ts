import express, { type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../common/clock.js';
import { InvalidInputError, type InputIssue } from '../common/errors.js';
import { bodyProblem, jsonBodyParser, jsonContentTypeProblem } from '../common/http-body.js';
import type { Logger } from '../common/logger.js';
import type { AlertSink, DecisionHistory } from './ports.js';
import type { Authenticator } from './intake/authenticator.js';
import { parseHistoryQuery } from './history/history-query.js';
import { alertsFromWebhook, parseWebhookPayload } from './intake/webhook-payload.js';
import type { FeedbackMetrics, NotificationResult } from './metrics.js';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** An Alertmanager v4 payload is 4 levels deep; this leaves room for fields it may add, and no more. */
export const MAX_BODY_DEPTH = 32;

export interface FeedbackServerOptions {
  sink: AlertSink;
  authenticator: Authenticator;
  history: DecisionHistory;
  metrics: FeedbackMetrics;
  clock: Clock;
  logger: Logger;
  /** Largest accepted notification body, in bytes (after decompression). */
  bodyLimit?: number;
  /** Whether the pipeline is ready (Kubernetes cache synced...): /readyz answers 503 until it is. */
  ready?: () => boolean;
}

export interface FeedbackServer {
  app: express.Express;
  /** From now on notifications answer 503 (Alertmanager retries, another replica or the next start takes them). */
  beginShutdown(): void;
}

function issuesBody(error: string, issues: readonly InputIssue[]) {
  return { error, issues: issues.map(({ path, message }) => ({ ...(path !== undefined ? { path } : {}), message })) };
}

/**
 * The feedback pipeline's HTTP surface: POST /api/v1/alerts (Alertmanager webhook v4), GET /api/v1/events
 * (decision history), /healthz, /readyz, /metrics. /api/v1/* needs the configured credentials.
 */
export function createFeedbackServer(options: FeedbackServerOptions): FeedbackServer {
  const { sink, authenticator, history, metrics, clock, logger } = options;
  let shuttingDown = false;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const count = (result: NotificationResult) => metrics.notifications.inc({ source: 'webhook', result });

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const result = await authenticator.authenticate(req.get('authorization'));
    if (result === 'ok') return next();
    if (req.path === '/alerts') count('unauthorized');
    logger.warn({ path: req.path, remote: req.ip, result }, 'request refused: missing or wrong credentials');
    res.set('WWW-Authenticate', authenticator.challenges().join(', '));
    res.status(401).json({ error: result === 'missing' ? 'credentials required: send Authorization: Bearer <token> or Basic' : 'credentials not accepted' });
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = !shuttingDown && (options.ready?.() ?? true);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : shuttingDown ? 'shutting down' : 'not ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const api = express.Router();
  api.use(authenticate);
  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    const problem = jsonContentTypeProblem(req.get('content-type'));
    if (!problem) return next();
    req.resume();
    count(problem.kind);
    res.status(problem.status).json({ error: `${problem.message} (Alertmanager sends application/json)` });
  };
  const parseJson = jsonBodyParser({ limitBytes: options.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES, maxDepth: MAX_BODY_DEPTH });
  api.post('/alerts', requireJson, parseJson, (req, res) => {
    if (shuttingDown) {
      count('unavailable');
      res.status(503).set('Retry-After', '5').json({ error: 'shutting down: Alertmanager will retry' });
      return;
    }
    const payload = parseWebhookPayload(req.body);
    const alerts = alertsFromWebhook(payload, clock.now());
    const firing = alerts.filter((alert) => alert.status === 'firing').length;
    if (sink.maxBatch !== undefined && firing > sink.maxBatch) {
      // Never taken, however often Alertmanager retries: a 4xx, so it does not.
      count('too-large');
      logger.warn({ groupKey: payload.groupKey, firing, maxBatch: sink.maxBatch }, 'notification refused: more firing alerts than the pipeline takes at once');
      res.status(413).json({
        error: `the notification has ${firing} firing alerts, more than the pipeline takes at once (${sink.maxBatch}): set max_alerts on this receiver in Alertmanager (the poller, --alertmanager-url, picks up the rest)`,
      });
      return;
    }
    try {
      sink.submit(alerts);
    } catch (error) {
      count('unavailable');
      logger.warn({ groupKey: payload.groupKey, alerts: alerts.length, err: (error as Error).message }, 'notification not accepted');
      res.status(503).set('Retry-After', '5').json({ error: `not accepted, retry later: ${(error as Error).message}` });
      return;
    }
    count('accepted');
    metrics.alertsReceived.inc({ source: 'webhook' }, alerts.length);
    if (payload.truncatedAlerts > 0) {
      logger.warn({ groupKey: payload.groupKey, truncated: payload.truncatedAlerts }, 'Alertmanager truncated this notification (max_alerts): the poller (--alertmanager-url) picks up the rest');
    }
    logger.info({ receiver: payload.receiver, groupKey: payload.groupKey, status: payload.status, alerts: alerts.length, truncated: payload.truncatedAlerts }, 'notification accepted');
    res.status(202).json({ accepted: alerts.length });
  });
  api.get('/events', async (req, res) => {
    const query = parseHistoryQuery(req.query as Record<string, unknown>);
    res.json({ events: await history.query(query) });
  });
  const notAllowed = (allow: string) => (req: Request, res: Response) => {
    res.status(405).set('Allow', allow).json({ error: `${req.method} is not allowed on ${req.originalUrl.split('?', 1)[0]}: use ${allow}` });
  };
  api.all('/alerts', notAllowed('POST'));
  api.all('/events', notAllowed('GET'));
  app.use('/api/v1', api);
  app.all(['/healthz', '/readyz', '/metrics'], notAllowed('GET'));

  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}: use POST /api/v1/alerts, GET /api/v1/events, /healthz, /readyz, /metrics` });
  });
  // Express recognises error handlers by their four parameters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const isAlerts = req.path === '/api/v1/alerts';
    const problem = bodyProblem(error, req);
    if (problem) {
      if (isAlerts) count(problem.kind);
      logger.warn({ path: req.path, status: problem.status, reason: problem.message }, 'request body refused');
      const hint = problem.kind === 'too-large' ? `; lower Alertmanager's max_alerts for this receiver or raise --max-body-bytes` : '';
      res.status(problem.status).json({ error: `${problem.message}${hint}` });
      return;
    }
    if (error instanceof InvalidInputError) {
      if (isAlerts) count('invalid');
      const what = isAlerts ? 'invalid Alertmanager webhook payload (version 4 expected)' : 'invalid query';
      logger.warn({ path: req.path, fields: error.issues.slice(0, 10).map((issue) => issue.path ?? '(body)') }, what);
      res.status(400).json(issuesBody(`${what}: ${error.message}`, error.issues));
      return;
    }
    if (isAlerts) count('failed');
    logger.error({ path: req.path, err: (error as Error)?.message }, 'request failed');
    res.status(500).json({ error: 'internal error' });
  });

  return {
    app,
    beginShutdown: () => {
      shuttingDown = true;
    },
  };
}
