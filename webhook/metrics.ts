import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AdmissionResult } from './admit.js';

/** The webhook's Prometheus metrics, registered on the registry passed in (no global registry). */
export class WebhookMetrics {
  readonly requests: Counter<'result'>;
  readonly duration: Histogram<'result'>;
  readonly failOpen: Counter;
  readonly rulesAlerts: Gauge;
  readonly rulesFiles: Gauge;
  readonly rulesIssues: Gauge;
  readonly rulesReloads: Counter<'result'>;
  readonly certificateReloads: Counter<'result'>;
  readonly certificateNotAfter: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'metricops_webhook_requests_total',
      help: 'Admission requests answered, by result: patched, unchanged, skipped (not a Deployment CREATE/UPDATE), fail_open, bad_request.',
      labelNames: ['result'],
      registers,
    });
    this.duration = new Histogram({
      name: 'metricops_webhook_request_duration_seconds',
      help: 'Time to answer an admission request, from body parsed to response written.',
      labelNames: ['result'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.failOpen = new Counter({
      name: 'metricops_webhook_fail_open_total',
      help: 'Deployment admissions allowed without a stamp because stamping failed.',
      registers,
    });
    this.rulesAlerts = new Gauge({ name: 'metricops_webhook_rules_alerts', help: 'Guarding alerts in the loaded rules index.', registers });
    this.rulesFiles = new Gauge({ name: 'metricops_webhook_rules_files', help: 'Rule files read from the rules directory.', registers });
    this.rulesIssues = new Gauge({ name: 'metricops_webhook_rules_issues', help: 'Problems found in the rule files at the last load.', registers });
    this.rulesReloads = new Counter({
      name: 'metricops_webhook_rules_reloads_total',
      help: 'Rules directory loads by result: loaded, unchanged, failed (previous index kept).',
      labelNames: ['result'],
      registers,
    });
    this.certificateReloads = new Counter({
      name: 'metricops_webhook_certificate_reloads_total',
      help: 'Serving certificate loads by result: loaded, unchanged, failed (previous pair kept).',
      labelNames: ['result'],
      registers,
    });
    this.certificateNotAfter = new Gauge({
      name: 'metricops_webhook_certificate_not_after_seconds',
      help: 'Expiry (Unix seconds) of the serving certificate in use.',
      registers,
    });
  }

  observe(result: AdmissionResult, seconds: number): void {
    this.requests.inc({ result });
    this.duration.observe({ result }, seconds);
    if (result === 'fail_open') this.failOpen.inc();
  }
}
