import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../../common/clock.js';
import { formatIssue, MetricopsError } from '../../common/errors.js';
import { redactUrl } from '../../common/git-repository.js';
import { splitUrlCredentials } from '../../common/url-credentials.js';
import type { Logger } from '../../common/logger.js';
import type { FeedbackMetrics } from '../metrics.js';
import type { AlertSink } from '../ports.js';
import type { CredentialFile } from '../../common/credential-file.js';
import type { Alert } from '../model.js';
import { alertsFromApi, parseGettableAlerts, type ParsedGettableAlerts } from './api-alerts.js';

export class PollError extends MetricopsError {}

/** Every 30 seconds (node-cron's six-field form, seconds first). */
export const DEFAULT_POLL_SCHEDULE = '*/30 * * * * *';

export const ALERTS_QUERY = 'api/v2/alerts?active=true&silenced=false&inhibited=false';

export interface PollerOptions {
  /** Alertmanager's base URL, e.g. http://alertmanager:9093 (credentials in it become a Basic header). */
  url: string;
  schedule?: string;
  timeoutMs?: number;
  sink: AlertSink;
  clock: Clock;
  logger: Logger;
  metrics?: FeedbackMetrics;
  /** Sent as `Authorization: Bearer <first line>` (Alertmanager behind an authenticating proxy); re-read when it changes. */
  bearer?: CredentialFile;
}

export type PollResult = { outcome: 'submitted'; alerts: number; invalid: number; deferred: number } | { outcome: 'skipped' } | { outcome: 'failed'; error: string };

/** Alerts handed to the pipeline per submit(): a large answer goes in parts, so a busy pipeline still takes some. */
export const POLL_SUBMIT_CHUNK = 500;

/** Splits user:password out of a URL: fetch refuses URLs with credentials, and logs must not see them. */
export function alertsEndpoint(baseUrl: string): { url: string; authorization?: string } {
  const { url: base, authorization } = splitUrlCredentials(baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const url = new URL(ALERTS_QUERY, base).toString();
  return authorization ? { url, authorization } : { url };
}

/**
 * Reads Alertmanager's active alerts on a schedule and submits them (source 'poll'), so a lost webhook still
 * leads to a decision. A failed poll is logged and counted, never thrown; a poll still running skips the next.
 */
export class AlertmanagerPoller {
  private task: ScheduledTask | undefined;
  private running = false;
  private readonly endpoint: { url: string; authorization?: string };
  private readonly safeUrl: string;

  constructor(private readonly options: PollerOptions) {
    this.endpoint = alertsEndpoint(options.url);
    this.safeUrl = redactUrl(this.endpoint.url);
  }

  start(): void {
    const schedule = this.options.schedule ?? DEFAULT_POLL_SCHEDULE;
    this.task = cron.schedule(schedule, () => this.pollOnce(), { name: 'alertmanager-poll', noOverlap: true });
    this.options.logger.info({ url: this.safeUrl, schedule }, 'polling Alertmanager');
  }

  async stop(): Promise<void> {
    if (this.task) await this.task.destroy();
    this.task = undefined;
  }

  async pollOnce(): Promise<PollResult> {
    const { logger, metrics } = this.options;
    if (this.running) {
      metrics?.notifications.inc({ source: 'poll', result: 'skipped' });
      logger.debug('previous Alertmanager poll still running, skipped this one');
      return { outcome: 'skipped' };
    }
    this.running = true;
    try {
      const { alerts, invalid } = await this.fetchAlerts();
      if (invalid.length > 0) {
        metrics?.pollInvalidAlerts.inc(invalid.length);
        logger.warn(
          { url: this.safeUrl, invalid: invalid.length, entries: invalid.slice(0, 10).map(({ index, fingerprint, issues }) => ({ index, fingerprint, issues: issues.map(formatIssue) })) },
          'Alertmanager answered alerts that are not valid: left out, the others are taken',
        );
      }
      const submitted = this.submitInChunks(alerts);
      metrics?.notifications.inc({ source: 'poll', result: 'accepted' });
      metrics?.alertsReceived.inc({ source: 'poll' }, submitted);
      logger.debug({ alerts: alerts.length, submitted, invalid: invalid.length }, 'polled Alertmanager');
      return { outcome: 'submitted', alerts: submitted, invalid: invalid.length, deferred: alerts.length - submitted };
    } catch (error) {
      const message = redactUrl(error instanceof Error ? error.message : String(error));
      metrics?.pollFailures.inc();
      metrics?.notifications.inc({ source: 'poll', result: 'failed' });
      logger.warn({ url: this.safeUrl, err: message }, 'Alertmanager poll failed');
      return { outcome: 'failed', error: message };
    } finally {
      this.running = false;
    }
  }

  /**
   * Submits in parts of POLL_SUBMIT_CHUNK; the first part the pipeline refuses (busy) ends this poll's submitting:
   * the rest are still active in Alertmanager, so the next poll brings them again (the pipeline drops duplicates).
   */
  private submitInChunks(alerts: Alert[]): number {
    let submitted = 0;
    for (let start = 0; start < alerts.length; start += POLL_SUBMIT_CHUNK) {
      const chunk = alerts.slice(start, start + POLL_SUBMIT_CHUNK);
      try {
        this.options.sink.submit(chunk);
      } catch (error) {
        if (submitted === 0) throw error;
        this.options.logger.warn({ submitted, deferred: alerts.length - submitted, err: (error as Error).message }, 'the pipeline took part of the poll; the next poll brings the rest');
        break;
      }
      submitted += chunk.length;
    }
    return submitted;
  }

  private async fetchAlerts(): Promise<{ alerts: Alert[]; invalid: ParsedGettableAlerts['invalid'] }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.endpoint.authorization) headers.authorization = this.endpoint.authorization;
    if (this.options.bearer) headers.authorization = `Bearer ${(await this.options.bearer.current())[0]}`;
    let response: Response;
    try {
      response = await fetch(this.endpoint.url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      throw new PollError(`cannot reach ${this.safeUrl}: ${cause?.message ?? (error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new PollError(`${this.safeUrl} answered ${response.status}: ${text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PollError(`${this.safeUrl} answered with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    const parsed = parseGettableAlerts(body, this.safeUrl);
    return { alerts: alertsFromApi(parsed.alerts, this.options.clock.now()), invalid: parsed.invalid };
  }
}
