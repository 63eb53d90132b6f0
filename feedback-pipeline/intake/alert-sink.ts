import type { Alert } from '../model.js';

/**
 * Where intake hands alerts: the FeedbackPipeline. submit must not block; it throws when it cannot take
 * the alerts (queue full, shutting down), which intake turns into a 503 so Alertmanager retries.
 */
export interface AlertSink {
  submit(alerts: Alert[]): void;
}
