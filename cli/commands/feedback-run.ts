/** The implementation of `metricops feedback`, loaded only when the command runs (see feedback.ts). */
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { DurationError, parseDuration } from '../../common/duration.js';
import { SLO_SEVERITIES, type SloSeverity } from '../../common/contract/alert-labels.js';
import { InvalidInputError, MetricopsError, UsageError } from '../../common/errors.js';
import { loadKubeConfig } from '../../common/kube-config.js';
import { redactUrl } from '../../common/git-repository.js';
import type { Logger } from '../../common/logger.js';
import { AlertmanagerPoller } from '../../feedback-pipeline/intake/alertmanager-poller.js';
import { Authenticator } from '../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile, CredentialFileError } from '../../feedback-pipeline/intake/credential-file.js';
import { createKubernetesAdapters } from '../../feedback-pipeline/kubernetes/adapters.js';
import { FeedbackPipeline } from '../../feedback-pipeline/pipeline.js';
import { AuditHistory } from '../../feedback-pipeline/recording/audit-history.js';
import { GitAuditLog } from '../../feedback-pipeline/recording/audit-log.js';
import { openGitTarget } from '../../feedback-pipeline/recording/git-target.js';
import { GitOpsManifestWriter } from '../../feedback-pipeline/recording/gitops-writer.js';
import { FeedbackMetrics, MetricsRecorder } from '../../feedback-pipeline/recording/metrics.js';
import { createFeedbackServer } from '../../feedback-pipeline/server.js';
import type { CliContext } from '../context.js';
import type { FeedbackFlags } from './feedback.js';

export interface FeedbackSettings {
  port: number;
  host: string;
  kubeconfig?: string;
  context?: string;
  alertmanagerUrl?: string;
  alertmanagerTokenFile?: string;
  pollSchedule: string;
  dataDir: string;
  /** Where the audit log goes: default a local repository <dataDir>/audit-log. */
  gitRepo: string;
  gitopsRepo?: string;
  tokenFile?: string;
  basicAuthFile?: string;
  severities: SloSeverity[];
  cooldownMs: number;
  dryRun: boolean;
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${flag} "${text}" must be a whole number from ${min} to ${max}`);
  return value;
}

/** Checks every flag and returns the settings; throws UsageError (exit 2) saying which flag and how to fix it. */
export function feedbackSettings(flags: FeedbackFlags): FeedbackSettings {
  const severities = flags.severities.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const unknown = severities.filter((severity) => !(SLO_SEVERITIES as readonly string[]).includes(severity));
  if (severities.length === 0 || unknown.length > 0) {
    throw new UsageError(`--severities "${flags.severities}": use a comma-separated list of ${SLO_SEVERITIES.join(', ')}`);
  }
  if (!cron.validate(flags.pollSchedule)) {
    throw new UsageError(`--poll-schedule "${flags.pollSchedule}" is not a cron expression: e.g. "*/30 * * * * *" (every 30 s, seconds first) or "* * * * *" (every minute)`);
  }
  if (flags.alertmanagerTokenFile !== undefined && flags.alertmanagerUrl === undefined) {
    throw new UsageError('--alertmanager-token-file needs --alertmanager-url (it authenticates the poll)');
  }
  if (flags.alertmanagerUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.alertmanagerUrl);
    } catch {
      throw new UsageError(`--alertmanager-url "${redactUrl(flags.alertmanagerUrl)}" is not a URL: e.g. http://alertmanager.monitoring:9093`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--alertmanager-url must be http:// or https://, not ${url.protocol}`);
  }
  const dataDir = resolve(flags.dataDir);
  return {
    port: wholeNumber('--port', flags.port, 1, 65_535),
    host: flags.host,
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.alertmanagerUrl !== undefined ? { alertmanagerUrl: flags.alertmanagerUrl } : {}),
    ...(flags.alertmanagerTokenFile !== undefined ? { alertmanagerTokenFile: flags.alertmanagerTokenFile } : {}),
    pollSchedule: flags.pollSchedule,
    dataDir,
    gitRepo: flags.gitRepo ?? join(dataDir, 'audit-log'),
    ...(flags.gitopsRepo !== undefined ? { gitopsRepo: flags.gitopsRepo } : {}),
    ...(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : {}),
    ...(flags.basicAuthFile !== undefined ? { basicAuthFile: flags.basicAuthFile } : {}),
    severities: severities as SloSeverity[],
    cooldownMs: duration('--cooldown', flags.cooldown),
    dryRun: flags.dryRun,
    maxBodyBytes: wholeNumber('--max-body-bytes', flags.maxBodyBytes, 1024, 100 * 1024 * 1024),
    shutdownTimeoutMs: duration('--shutdown-timeout', flags.shutdownTimeout),
  };
}

async function credentialFile(path: string | undefined, flag: string, logger: Logger): Promise<CredentialFile | undefined> {
  if (path === undefined) return undefined;
  const file = new CredentialFile(path, logger);
  try {
    await file.load();
  } catch (error) {
    if (error instanceof CredentialFileError) throw new InvalidInputError([{ source: path, message: `${flag}: ${error.message}` }]);
    throw error;
  }
  return file;
}

function listen(app: ReturnType<typeof createFeedbackServer>['app'], port: number, host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = app.listen(port, host, (error?: Error) =>
      error ? reject(new MetricopsError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error })) : resolvePromise(server),
    );
  });
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise('timeout'), ms);
  });
  return Promise.race([work.then(() => 'done' as const), timeout]).finally(() => clearTimeout(timer));
}

/** Runs the feedback pipeline until the stop signal: intake (webhook + poller), decisions, recording. */
export async function runFeedback(settings: FeedbackSettings, context: CliContext): Promise<void> {
  const logger = context.createLogger('feedback');
  const clock = context.clock;
  const bearer = await credentialFile(settings.tokenFile, '--token-file', logger);
  const basic = await credentialFile(settings.basicAuthFile, '--basic-auth-file', logger);
  const alertmanagerBearer = await credentialFile(settings.alertmanagerTokenFile, '--alertmanager-token-file', logger);
  const authenticator = new Authenticator({ ...(bearer ? { bearer } : {}), ...(basic ? { basic } : {}) });
  if (!authenticator.enabled) logger.warn('no --token-file or --basic-auth-file: POST /api/v1/alerts and GET /api/v1/events accept anyone');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new FeedbackMetrics(registry);

  const auditTarget = await openGitTarget(settings.gitRepo, settings.dataDir, 'audit-log-clone', logger.child({ part: 'audit-log' }));
  const auditLog = new GitAuditLog({ repo: auditTarget.repo, push: auditTarget.push, clock, logger: logger.child({ part: 'audit-log' }), metrics });
  await auditLog.start();
  const gitopsTarget = settings.gitopsRepo ? await openGitTarget(settings.gitopsRepo, settings.dataDir, 'gitops-clone', logger.child({ part: 'gitops' })) : undefined;
  const gitOpsWriter = gitopsTarget ? new GitOpsManifestWriter({ repo: gitopsTarget.repo, push: gitopsTarget.push, logger: logger.child({ part: 'gitops' }), metrics }) : undefined;

  let kubeConfig: ReturnType<typeof loadKubeConfig>;
  try {
    kubeConfig = loadKubeConfig({ ...(settings.kubeconfig ? { kubeconfig: settings.kubeconfig } : {}), ...(settings.context ? { context: settings.context } : {}) });
  } catch (error) {
    const source = settings.kubeconfig ?? 'kubeconfig ($KUBECONFIG, ~/.kube/config or in-cluster)';
    throw new InvalidInputError([{ source, message: `cannot load the Kubernetes configuration: ${(error as Error).message}; pass --kubeconfig <file> or run in a cluster` }], { cause: error });
  }
  const kubernetes = createKubernetesAdapters(kubeConfig, logger, clock);
  const pipeline = new FeedbackPipeline({
    cache: kubernetes.cache,
    executor: kubernetes.executor,
    recorders: [kubernetes.eventRecorder, auditLog, new MetricsRecorder(metrics)],
    ...(gitOpsWriter ? { gitOpsWriter } : {}),
    clock,
    logger,
    settings: { severities: settings.severities, cooldownMs: settings.cooldownMs, dryRun: settings.dryRun },
  });

  const server = createFeedbackServer({
    sink: pipeline,
    authenticator,
    history: new AuditHistory(auditLog.directory, () => auditLog.pending(), logger),
    metrics,
    clock,
    logger: logger.child({ part: 'http' }),
    bodyLimit: settings.maxBodyBytes,
    ready: () => kubernetes.cache.synced,
  });
  const http = await listen(server.app, settings.port, settings.host);
  const poller = settings.alertmanagerUrl
    ? new AlertmanagerPoller({ url: settings.alertmanagerUrl, schedule: settings.pollSchedule, sink: pipeline, clock, logger: logger.child({ part: 'poller' }), metrics, ...(alertmanagerBearer ? { bearer: alertmanagerBearer } : {}) })
    : undefined;
  poller?.start();
  void kubernetes.start().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'Kubernetes informers failed to start'));
  logger.info(
    {
      address: `${settings.host}:${settings.port}`,
      auditLog: auditTarget.display,
      gitops: gitopsTarget?.display,
      alertmanager: settings.alertmanagerUrl ? redactUrl(settings.alertmanagerUrl) : undefined,
      severities: settings.severities,
      cooldownMs: settings.cooldownMs,
      dryRun: settings.dryRun,
      auth: { bearer: bearer !== undefined, basic: basic !== undefined },
    },
    'feedback pipeline listening',
  );

  const signal = await context.stopSignal;
  logger.info({ signal }, 'stopping: no new notifications, finishing pending decisions');
  server.beginShutdown();
  await poller?.stop();
  if ((await withTimeout(pipeline.close(), settings.shutdownTimeoutMs)) === 'timeout') {
    logger.error({ timeoutMs: settings.shutdownTimeoutMs }, 'pending decisions did not finish before the shutdown timeout');
  }
  await auditLog.close();
  await kubernetes.stop();
  await new Promise<void>((resolvePromise) => {
    http.closeAllConnections();
    http.close(() => resolvePromise());
  });
  logger.info('stopped');
}
