/**
 * The UI's HTTP surface (its own port, its own optional credentials): server-rendered pages, the overview as JSON
 * and the static assets (our stylesheet and chart script, uPlot from its npm package: no CDN). Read-only: GET and
 * HEAD only. Every page carries a strict Content-Security-Policy (scripts and styles from this origin only, no
 * inline script) and every value on it is escaped (html/html.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { InvalidInputError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { AUTH_REALM, type Authenticator } from '../intake/authenticator.js';
import { deploymentPage } from './html/deployment-page.js';
import { html } from './html/html.js';
import { ASSETS, page } from './html/layout.js';
import { overviewPage } from './html/overview-page.js';
import { sloPage } from './html/slo-page.js';
import { STYLESHEET } from './html/stylesheet.js';
import { statusJson } from './overview-json.js';
import { parseOverviewQuery, parseRangeQuery } from './page-query.js';
import type { UiReader } from './ui-reader.js';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface UiServerOptions {
  reader: UiReader;
  /** The UI's own credentials (not the alert intake's); without files, anyone may read. */
  authenticator: Authenticator;
  logger: Logger;
}

interface Asset {
  type: string;
  body: Buffer | string;
}

/** Our compiled chart script sits next to this module in dist/ (browser/charts.js); uPlot comes from its package. */
function loadAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const assets = new Map<string, Asset>([[ASSETS.stylesheet, { type: 'text/css; charset=utf-8', body: STYLESHEET }]]);
  assets.set(ASSETS.uplot, { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) });
  assets.set(ASSETS.uplotStylesheet, { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) });
  const charts = fileURLToPath(new URL('./browser/charts.js', import.meta.url));
  // Run from the TypeScript sources (unit tests) there is no compiled script: the pages still render.
  if (existsSync(charts)) assets.set(ASSETS.charts, { type: 'text/javascript; charset=utf-8', body: readFileSync(charts, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n') });
  return assets;
}

function errorPage(status: number, title: string, lines: readonly string[]): string {
  return page({ title, body: html`<h1>${title}</h1><ul class="problems">${lines.map((line) => html`<li>${line}</li>`)}</ul><p><a href="/">Back to the guarded Deployments</a></p>` });
}

export function createUiServer(options: UiServerOptions): express.Express {
  const { reader, authenticator, logger } = options;
  const assets = loadAssets();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);

  app.use((req, res, next) => {
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('the metricops UI only reads: use GET\n');
      return;
    }
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const result = await authenticator.authenticate(req.get('authorization'));
    if (result === 'ok') return next();
    logger.warn({ path: req.path, remote: req.ip, result }, 'UI request refused: missing or wrong credentials');
    res.status(401).set('WWW-Authenticate', authenticator.challenges().join(', ')).type('html').send(errorPage(401, 'Sign-in required', [`the metricops UI (realm "${AUTH_REALM}") needs credentials: a bearer token or a user and password`]));
  });

  app.get('/assets/:file', (req, res) => {
    const asset = assets.get(`/assets/${req.params.file}`);
    if (!asset) {
      res.status(404).type('text/plain').send(`no asset ${req.params.file}\n`);
      return;
    }
    res.set('Cache-Control', 'public, max-age=3600').type(asset.type).send(asset.body);
  });

  /** Runs a page, timing it (Server-Timing, and a debug log line). */
  const render = (what: string, build: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    const started = performance.now();
    res.set('Cache-Control', 'no-store');
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const ms = performance.now() - started;
      res.set('Server-Timing', `render;dur=${ms.toFixed(1)}`);
      logger.debug({ page: what, ms: Math.round(ms), status: res.statusCode }, 'UI page');
      return send(body);
    };
    await build(req, res);
  };

  app.get(
    '/',
    render('overview', async (req, res) => {
      const overview = await reader.overview(parseOverviewQuery(req.query as Record<string, unknown>));
      res.type('html').send(overviewPage(overview));
    }),
  );
  app.get(
    '/api/overview',
    render('overview-json', async (req, res) => {
      const overview = await reader.overview(parseOverviewQuery(req.query as Record<string, unknown>));
      res.json(statusJson(overview));
    }),
  );
  app.get(
    '/deployments/:namespace/:name',
    render('deployment', async (req, res) => {
      const ref = { namespace: String(req.params.namespace), name: String(req.params.name) };
      const detail = await reader.deployment(ref, parseRangeQuery(req.query as Record<string, unknown>));
      if (!detail) {
        res.status(404).type('html').send(errorPage(404, 'No such Deployment', [`the cache has no Deployment ${ref.namespace}/${ref.name}: check the namespace and the name`]));
        return;
      }
      res.type('html').send(deploymentPage(detail));
    }),
  );
  app.get(
    '/slos/:id',
    render('slo', async (req, res) => {
      const detail = await reader.slo(String(req.params.id), parseRangeQuery(req.query as Record<string, unknown>));
      res.type('html').send(sloPage(detail));
    }),
  );

  app.use((req, res) => {
    res.status(404).type('html').send(errorPage(404, 'Page not found', [`no page ${req.path}: the UI has /, /deployments/<namespace>/<name>, /slos/<name> and /api/overview`]));
  });
  // Express recognises error handlers by their four parameters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof InvalidInputError) {
      const lines = error.issues.map((issue) => `${issue.path ?? '(query)'}: ${issue.message}`);
      if (req.path.startsWith('/api/')) res.status(400).json({ error: 'invalid query', issues: error.issues.map(({ path, message }) => ({ path, message })) });
      else res.status(400).type('html').send(errorPage(400, 'Invalid query', lines));
      return;
    }
    logger.error({ path: req.path, err: (error as Error)?.message }, 'UI page failed');
    res.status(500).type('html').send(errorPage(500, 'The page failed', ['an internal error: the metricops logs say more']));
  });
  return app;
}
