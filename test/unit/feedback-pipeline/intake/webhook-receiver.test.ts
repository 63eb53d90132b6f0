import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { Authenticator } from '../../../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile } from '../../../../common/credential-file.js';
import { FeedbackMetrics } from '../../../../feedback-pipeline/metrics.js';
import { createFeedbackServer } from '../../../../feedback-pipeline/app.js';
import { listen, RecordingSink, waitFor } from './fixtures.js';
import { RealAlertmanager } from './real-alertmanager.js';

/** Alertmanager 0.25 sends its webhooks with `authorization.credentials_file`, grouped per alert, after 1 s. */
function config(receiverUrl: string, goodToken: string, badToken: string): string {
  return `route:
  receiver: metricops
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['team="intruder"']
      receiver: wrong-token
receivers:
  - name: metricops
    webhook_configs:
      - url: ${receiverUrl}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: ${goodToken}
  - name: wrong-token
    webhook_configs:
      - url: ${receiverUrl}
        http_config:
          authorization:
            credentials_file: ${badToken}
`;
}

describe('the receiver with a real Alertmanager 0.25 sending webhooks', () => {
  let dir: string;
  let alertmanager: RealAlertmanager | undefined;
  let server: { url: string; close: () => Promise<void> } | undefined;
  afterEach(async () => {
    await alertmanager?.stop();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('firing and resolved notifications with the right bearer token reach the pipeline; a wrong token is refused', async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-receiver-'));
    await writeFile(join(dir, 'token'), 'the-shared-token\n');
    await writeFile(join(dir, 'bad-token'), 'not-the-token\n');
    const sink = new RecordingSink();
    const metrics = new FeedbackMetrics(new Registry());
    const logger = silentLogger();
    const { app } = createFeedbackServer({
      sink,
      authenticator: new Authenticator({ bearer: new CredentialFile(join(dir, 'token'), logger) }),
      history: { query: async () => [] },
      metrics,
      clock: systemClock,
      logger,
    });
    server = await listen(app);
    alertmanager = await RealAlertmanager.start(config(`${server.url}/api/v1/alerts`, join(dir, 'token'), join(dir, 'bad-token')));

    const startsAt = new Date(Date.now() - 30_000).toISOString();
    const labels = { alertname: 'CheckoutBurn', slo: 'checkout-availability', slo_severity: 'page', namespace: 'shop', deployment: 'checkout' };
    await alertmanager.postAlerts([
      { labels, annotations: { summary: 'checkout burns its budget' }, startsAt, generatorURL: 'http://prometheus/graph' },
      { labels: { alertname: 'Intruder', team: 'intruder' }, startsAt },
    ]);
    const firing = await waitFor('the firing notification', () => sink.alerts.find((alert) => alert.status === 'firing'));
    expect(firing).toMatchObject({ source: 'webhook', labels, annotations: { summary: 'checkout burns its budget' }, startsAt: new Date(startsAt), generatorURL: 'http://prometheus/graph' });
    expect(firing.endsAt).toBeUndefined();
    expect(firing.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    await waitFor('the wrong token to be refused', async () =>
      (await metrics.registry.getSingleMetricAsString('metricops_feedback_notifications_total')).includes('result="unauthorized"') ? true : undefined,
    );
    expect(sink.alerts.some((alert) => alert.labels.alertname === 'Intruder')).toBe(false);

    // Resolving the alert sends a resolved notification (send_resolved: true).
    await alertmanager.postAlerts([{ labels, startsAt, endsAt: new Date().toISOString() }]);
    const resolved = await waitFor('the resolved notification', () => sink.alerts.find((alert) => alert.status === 'resolved'));
    expect(resolved.fingerprint).toBe(firing.fingerprint);
    expect(resolved.endsAt).toBeInstanceOf(Date);
  }, 60_000);
});
