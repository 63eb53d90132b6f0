/**
 * The HTTP surface: POST /mutate goes straight to the admission handler; express serves the rest
 * (/healthz, /readyz, /metrics, 404/405 answers).
 */
import express from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../common/logger.js';
import type { RequestListener } from './admission-handler.js';

export const MUTATE_PATH = '/mutate';

export interface WebhookAppOptions {
  logger: Logger;
  registry: Registry;
  admission: RequestListener;
}

export function createWebhookListener(options: WebhookAppOptions): RequestListener {
  const app = createProbesApp(options);
  const { admission } = options;
  return (req, res) => {
    const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
    if (req.method === 'POST' && path === MUTATE_PATH) admission(req, res);
    else app(req, res);
  };
}

function createProbesApp({ logger, registry }: WebhookAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });

  // The rules and the serving certificate are loaded before the port opens (server.ts): a webhook that answers is ready.
  app.get('/readyz', (_req, res) => {
    res.type('text/plain').send('ready\n');
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.all(['/healthz', '/readyz', '/metrics'], (req, res) => {
    res.status(405).set('allow', 'GET').json({ message: `${req.method} is not allowed on ${req.path}; use GET` });
  });

  app.all(MUTATE_PATH, (req, res) => {
    res.status(405).set('allow', 'POST').json({ message: `${req.method} is not allowed on ${MUTATE_PATH}; the apiserver POSTs AdmissionReviews` });
  });

  app.use((req, res) => {
    res.status(404).json({ message: `no route ${req.method} ${req.path}; the webhook serves POST ${MUTATE_PATH}, GET /healthz, /readyz, /metrics` });
  });

  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    logger.error({ err: error, path: req.path }, 'internal error while answering a request');
    if (!res.headersSent) res.status(500).json({ message: 'internal error; see the webhook logs' });
  });

  return app;
}
