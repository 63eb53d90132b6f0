import express, { type Express } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';

export interface CheckoutAppOptions {
  /** Version this process plays, e.g. "v1"; exported as the `version` label of every metric. */
  version: string;
  /** Share of requests answered with HTTP 500, from 0 to 1. */
  errorRatio: number;
}

export interface CheckoutApp {
  app: Express;
  registry: Registry;
}

/** Default error share per version: v1 is healthy, every other version fails half of its requests. */
export function defaultErrorRatio(version: string): number {
  return version === 'v1' ? 0 : 0.5;
}

/**
 * Decides, without randomness, whether request number `n` (1-based) fails: over any run of requests exactly
 * `errorRatio` of them fail, so short test runs see the configured share.
 */
export function failsRequest(n: number, errorRatio: number): boolean {
  return Math.floor(n * errorRatio) > Math.floor((n - 1) * errorRatio);
}

/** The example service: GET/POST /checkout, GET /metrics (Prometheus), GET /healthz. */
export function createCheckoutApp(options: CheckoutAppOptions): CheckoutApp {
  const registry = new Registry();
  registry.setDefaultLabels({ version: options.version });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served by the checkout example, by status code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to serve a checkout request.',
    labelNames: ['code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });

  // Export both codes from the start, at zero: an error series that only appears with the first error makes
  // error-ratio queries (errors / total) return nothing, instead of 0, while the service is healthy.
  for (const code of ['200', '500']) {
    requests.inc({ code }, 0);
    duration.zero({ code });
  }
  let served = 0;
  const app = express();
  app.all('/checkout', (_req, res) => {
    const stop = duration.startTimer();
    served += 1;
    const code = failsRequest(served, options.errorRatio) ? 500 : 200;
    res.status(code).json(code === 200 ? { ok: true, version: options.version } : { ok: false, version: options.version, error: 'checkout failed' });
    requests.inc({ code: String(code) });
    stop({ code: String(code) });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, version: options.version });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { app, registry };
}
