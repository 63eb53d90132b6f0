/**
 * Starts the webhook in-process: loads the serving certificate and the rules, serves HTTPS, and reloads both when
 * their files change. `metricops webhook` and the tests call this; stop it with close().
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Registry } from 'prom-client';
import type { Clock } from '../common/clock.js';
import { formatIssue } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { createAdmissionHandler } from './admission-handler.js';
import { createWebhookListener } from './app.js';
import { readCertificatePair, type CertificatePair } from './certificate-store.js';
import { WebhookMetrics } from './metrics.js';
import { loadRulesDirectory, type RulesLoad } from './rules-directory.js';
import { watchDirectories, type DirectoryWatch } from './watch-directories.js';

export interface WebhookServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  rulesDir: string;
  logger: Logger;
  clock: Clock;
  registry: Registry;
  bodyLimitBytes?: number;
  /** Re-check the files this often even without a file event (default 30 s). */
  pollMs?: number;
  /** Wait this long after a file event before reloading (default 100 ms). */
  debounceMs?: number;
  /** On close, how long requests in flight may take before their connections are cut (default 5 s). */
  drainMs?: number;
}

export interface WebhookServer {
  port: number;
  /** Re-read the rules directory now; resolves to what happened. */
  reloadRules(): Promise<'loaded' | 'unchanged' | 'failed'>;
  /** Re-read the certificate files now; resolves to what happened. */
  reloadCertificates(): Promise<'loaded' | 'unchanged' | 'failed'>;
  close(): Promise<void>;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { logger, clock, registry } = options;
  const metrics = new WebhookMetrics(registry);
  let pair: CertificatePair = await readCertificatePair(options.tlsCertFile, options.tlsKeyFile);
  let rules: RulesLoad = await loadRulesDirectory(options.rulesDir, clock);
  recordCertificate(pair, 'loaded');
  recordRules(rules, 'loaded');

  function recordCertificate(loaded: CertificatePair, result: string): void {
    metrics.certificateReloads.inc({ result });
    metrics.certificateNotAfter.set(loaded.notAfter.getTime() / 1000);
    logger.info({ cert: options.tlsCertFile, notAfter: loaded.notAfter.toISOString(), subjectAltNames: loaded.subjectAltNames }, 'serving certificate loaded');
  }

  function recordRules(load: RulesLoad, result: string): void {
    metrics.rulesReloads.inc({ result });
    metrics.rulesAlerts.set(load.index.alerts);
    metrics.rulesFiles.set(load.index.files);
    metrics.rulesIssues.set(load.issues.length);
    for (const issue of load.issues) logger.warn({ issue: formatIssue(issue) }, 'problem in a rule file; the rest was loaded');
    logger.info({ dir: load.index.source, files: load.index.files, alerts: load.index.alerts, slos: load.index.bySlo.size, issues: load.issues.length }, 'rules loaded');
  }

  const admission = createAdmissionHandler({
    rules: () => rules.index,
    clock,
    logger,
    metrics,
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
  const listener = createWebhookListener({ logger, registry, admission });
  const server: Server = createServer({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' }, listener);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('tlsClientError', (error) => logger.debug({ err: error }, 'TLS handshake failed'));

  async function reloadCertificates(): Promise<'loaded' | 'unchanged' | 'failed'> {
    try {
      const next = await readCertificatePair(options.tlsCertFile, options.tlsKeyFile);
      if (next.fingerprint === pair.fingerprint) return 'unchanged';
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
      pair = next;
      recordCertificate(next, 'loaded');
      return 'loaded';
    } catch (error) {
      metrics.certificateReloads.inc({ result: 'failed' });
      logger.error({ err: error }, 'new serving certificate not usable; still serving the previous one');
      return 'failed';
    }
  }

  async function reloadRules(): Promise<'loaded' | 'unchanged' | 'failed'> {
    try {
      const next = await loadRulesDirectory(options.rulesDir, clock);
      if (next.fingerprint === rules.fingerprint) return 'unchanged';
      rules = next;
      recordRules(next, 'loaded');
      return 'loaded';
    } catch (error) {
      metrics.rulesReloads.inc({ result: 'failed' });
      logger.error({ err: error }, 'cannot reload the rules directory; still using the previous rules');
      return 'failed';
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const watchOptions = {
    debounceMs: options.debounceMs ?? 100,
    pollMs: options.pollMs ?? 30_000,
    onError: (error: unknown) => logger.warn({ err: error }, 'file watch problem; relying on the periodic re-check'),
  };
  const watches: DirectoryWatch[] = [
    watchDirectories([dirname(options.tlsCertFile), dirname(options.tlsKeyFile)], async () => void (await reloadCertificates()), watchOptions),
    watchDirectories([options.rulesDir], async () => void (await reloadRules()), watchOptions),
  ];
  logger.info({ port, host: options.host ?? '0.0.0.0', rules: options.rulesDir }, 'webhook serving HTTPS');

  return {
    port,
    reloadRules,
    reloadCertificates,
    async close() {
      for (const watch of watches) watch.close();
      // Stop accepting, let requests in flight finish (idle keep-alive connections close at once), then cut the rest.
      await new Promise<void>((resolve) => {
        const cutoff = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 5_000);
        server.close(() => {
          clearTimeout(cutoff);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
