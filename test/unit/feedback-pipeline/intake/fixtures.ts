import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { createFeedbackServer } from '../../../../feedback-pipeline/app.js';
import { Authenticator } from '../../../../feedback-pipeline/intake/authenticator.js';
import { FeedbackMetrics } from '../../../../feedback-pipeline/metrics.js';
import type { Alert } from '../../../../feedback-pipeline/model.js';
import type { AlertSink } from '../../../../feedback-pipeline/ports.js';

/** A pipeline stand-in that records what intake submits; `refuse` makes submit throw like a full queue. */
export class RecordingSink {
  readonly submitted: Alert[][] = [];
  refuse: string | undefined;

  submit(alerts: Alert[]): void {
    if (this.refuse) throw new Error(this.refuse);
    this.submitted.push(alerts);
  }

  get alerts(): Alert[] {
    return this.submitted.flat();
  }
}

export function webhookAlert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'CheckoutErrorBudgetBurn', slo: 'checkout-availability', slo_severity: 'page', namespace: 'shop', deployment: 'checkout' },
    annotations: { summary: 'checkout burns its error budget' },
    startsAt: '2026-11-21T14:30:00.123456789Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    fingerprint: 'c0ffee0123456789',
    ...overrides,
  };
}

/** A complete Alertmanager webhook payload, version 4. */
export function webhookPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="CheckoutErrorBudgetBurn"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'metricops',
    groupLabels: { alertname: 'CheckoutErrorBudgetBurn' },
    commonLabels: { alertname: 'CheckoutErrorBudgetBurn' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [webhookAlert()],
    ...overrides,
  };
}

export async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The feedback server with no credentials to check and no history, for intake tests: its app and metrics. */
export function openFeedbackServer(sink: AlertSink, options: { bodyLimit?: number } = {}): { app: Express; metrics: FeedbackMetrics } {
  const metrics = new FeedbackMetrics(new Registry());
  const { app } = createFeedbackServer({
    sink,
    authenticator: new Authenticator({}),
    history: { query: async () => [] },
    metrics,
    clock: new ManualClock('2026-11-21T14:31:00Z'),
    logger: silentLogger(),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
  });
  return { app, metrics };
}
