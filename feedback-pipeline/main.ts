/**
 * The feedback pipeline's wiring, as webhook/server.ts is the webhook's: `metricops feedback` and the tests call
 * startFeedbackPipeline() and stop it with close(). Everything outside comes in through options (logger, clock);
 * everything inside is built here: intake (HTTP receiver, Alertmanager poller), the Kubernetes cache, the actuators
 * (cluster rollback, GitOps write-back), the recorders (Events, audit log, metrics) and the pipeline between them.
 */
import type { Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../common/clock.js';
import type { SloSeverity } from '../common/contract/alert-labels.js';
import { InvalidInputError, MetricopsError } from '../common/errors.js';
import { redactUrl } from '../common/git-repository.js';
import { loadKubeConfig, type KubeConfigSource } from '../common/kube-config.js';
import type { Logger } from '../common/logger.js';
import { FluxReconciler, type FluxSourceSetting } from './actuators/flux-reconcile.js';
import { KubernetesHoldCluster } from './actuators/gitops-hold-cluster.js';
import { GitOpsHoldKeeper } from './actuators/gitops-hold-keeper.js';
import { GitOpsManifestWriter } from './actuators/gitops-write-back.js';
import { createFeedbackServer } from './app.js';
import { openGitTarget } from './git-target.js';
import { AuditHistory } from './history/audit-history.js';
import { AlertmanagerPoller } from './intake/alertmanager-poller.js';
import { Authenticator } from './intake/authenticator.js';
import { CredentialFile, CredentialFileError, type CredentialFormat } from './intake/credential-file.js';
import { createKubernetesAdapters } from './kubernetes/adapters.js';
import { FeedbackMetrics } from './metrics.js';
import { FeedbackPipeline } from './pipeline.js';
import { GitAuditLog } from './recorders/audit-log.js';
import { MetricsRecorder } from './recorders/metrics-recorder.js';
import { PrometheusClient } from './ui/prometheus-client.js';
import { UiReader } from './ui/ui-reader.js';
import { createUiServer } from './ui/ui-server.js';

export interface FeedbackOptions {
  listen: { port: number; host: string };
  kubernetes: KubeConfigSource;
  intake: {
    /** Bearer tokens accepted on /api/v1/* (one per line). Without it and basicAuthFile, anyone is accepted. */
    tokenFile?: string;
    basicAuthFile?: string;
    maxBodyBytes: number;
  };
  /** Also poll this Alertmanager, so a lost notification still leads to a decision. */
  alertmanager?: { url: string; pollSchedule: string; tokenFile?: string };
  git: {
    /** Where clones (and the default audit repository) live. */
    dataDir: string;
    /** The audit log's repository: a remote (cloned, pushed) or a local path. */
    auditRepo: string;
    /** The GitOps repository the write-back commits to; off without it. */
    gitopsRepo?: string;
    /** With gitopsRepo, the hold against the GitOps engine (docs/design.md "Rollbacks under a GitOps engine"). */
    hold?: {
      /** Ask Flux to fetch after the write-back and release on its Kustomization status (needs the Flux RBAC). */
      flux?: FluxSourceSetting;
      /** Without Flux's status: release this long after the push. */
      settleMs?: number;
    };
  };
  decisions: { severities: SloSeverity[]; cooldownMs: number; dryRun: boolean; cluster?: string };
  /** The read-only web UI on its own port, with its own optional credentials; off without it. */
  ui?: {
    listen: { port: number; host: string };
    tokenFile?: string;
    basicAuthFile?: string;
    /** Where the SLO numbers come from; without it the pages say so. */
    prometheus?: { url: string; timeoutMs: number };
  };
  /** After close() starts, how long pending decisions may take. */
  shutdownTimeoutMs: number;
  logger: Logger;
  clock: Clock;
}

export interface RunningFeedback {
  port: number;
  /** The UI's port, when it is on. */
  uiPort?: number;
  /** New notifications get 503, the poller stops, pending decisions finish (bounded), the audit log commits, then everything stops. */
  close(): Promise<void>;
}

export async function startFeedbackPipeline(options: FeedbackOptions): Promise<RunningFeedback> {
  const { logger, clock } = options;

  // Intake: who may post notifications, and the poll's credentials.
  const bearer = await credentialFile(options.intake.tokenFile, '--token-file', logger);
  const basic = await credentialFile(options.intake.basicAuthFile, '--basic-auth-file', logger, 'user:password');
  const alertmanagerBearer = await credentialFile(options.alertmanager?.tokenFile, '--alertmanager-token-file', logger);
  const authenticator = new Authenticator({ ...(bearer ? { bearer } : {}), ...(basic ? { basic } : {}) });
  if (!authenticator.enabled) logger.warn('no --token-file or --basic-auth-file: POST /api/v1/alerts and GET /api/v1/events accept anyone');
  const uiBearer = await credentialFile(options.ui?.tokenFile, '--ui-token-file', logger);
  const uiBasic = await credentialFile(options.ui?.basicAuthFile, '--ui-basic-auth-file', logger);
  const uiAuthenticator = new Authenticator({ ...(uiBearer ? { bearer: uiBearer } : {}), ...(uiBasic ? { basic: uiBasic } : {}) });
  if (options.ui && !uiAuthenticator.enabled) logger.warn('no --ui-token-file or --ui-basic-auth-file: the UI shows every guarded Deployment to anyone who reaches its port');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new FeedbackMetrics(registry);

  // Record: the audit log (the recorders' Git side) starts first, so what an earlier run left is committed.
  const { dataDir } = options.git;
  const auditTarget = await openGitTarget(options.git.auditRepo, dataDir, 'audit-log-clone', logger.child({ part: 'audit-log' }));
  const auditLog = new GitAuditLog({ repo: auditTarget.repo, push: auditTarget.push, clock, logger: logger.child({ part: 'audit-log' }), metrics });
  await auditLog.start();

  // Act: the GitOps write-back (the cluster rollback comes with the Kubernetes adapters).
  const gitopsTarget = options.git.gitopsRepo ? await openGitTarget(options.git.gitopsRepo, dataDir, 'gitops-clone', logger.child({ part: 'gitops' })) : undefined;
  const gitOpsWriter = gitopsTarget ? new GitOpsManifestWriter({ repo: gitopsTarget.repo, push: gitopsTarget.push, logger: logger.child({ part: 'gitops' }), metrics }) : undefined;

  const kubeConfig = kubeConfigFrom(options.kubernetes);
  const kubernetes = createKubernetesAdapters(kubeConfig, logger, clock, { events: { metrics } });
  const recorders = [kubernetes.eventRecorder, auditLog, new MetricsRecorder(metrics)];
  const { hold } = options.git;
  const holdLogger = logger.child({ part: 'gitops-hold' });
  const gitOpsHolds = gitOpsWriter
    ? new GitOpsHoldKeeper({
        deployments: kubernetes.cache,
        cluster: new KubernetesHoldCluster(kubeConfig, holdLogger),
        writer: gitOpsWriter,
        ...(hold?.flux ? { flux: new FluxReconciler(kubeConfig, hold.flux, clock, holdLogger) } : {}),
        recorders,
        clock,
        logger: holdLogger,
        metrics,
        settings: hold?.settleMs !== undefined ? { settleMs: hold.settleMs } : {},
      })
    : undefined;
  const pipeline = new FeedbackPipeline({
    cache: kubernetes.cache,
    executor: kubernetes.executor,
    recorders,
    ...(gitOpsWriter ? { gitOpsWriter } : {}),
    ...(gitOpsHolds ? { gitOpsHolds } : {}),
    clock,
    logger,
    settings: options.decisions,
  });

  const history = new AuditHistory(auditLog.directory, () => auditLog.pending(), logger);
  const server = createFeedbackServer({
    sink: pipeline,
    authenticator,
    history,
    metrics,
    clock,
    logger: logger.child({ part: 'http' }),
    bodyLimit: options.intake.maxBodyBytes,
    ready: () => kubernetes.cache.synced,
  });
  const { host } = options.listen;
  const http = await listen(server.app, options.listen.port, host);
  const port = (http.address() as { port: number }).port;
  // The UI: a reader of the informer cache, the audit history and Prometheus, on its own port.
  const prometheus = options.ui?.prometheus ? new PrometheusClient(options.ui.prometheus.url, options.ui.prometheus.timeoutMs) : undefined;
  const uiHttp = options.ui
    ? await listen(
        createUiServer({
          reader: new UiReader({ deployments: kubernetes.cache, cache: kubernetes.cache, history, ...(prometheus ? { prometheus } : {}), clock }),
          authenticator: uiAuthenticator,
          logger: logger.child({ part: 'ui' }),
        }),
        options.ui.listen.port,
        options.ui.listen.host,
      )
    : undefined;
  const uiPort = uiHttp ? (uiHttp.address() as { port: number }).port : undefined;
  const poller = options.alertmanager
    ? new AlertmanagerPoller({
        url: options.alertmanager.url,
        schedule: options.alertmanager.pollSchedule,
        sink: pipeline,
        clock,
        logger: logger.child({ part: 'poller' }),
        metrics,
        ...(alertmanagerBearer ? { bearer: alertmanagerBearer } : {}),
      })
    : undefined;
  poller?.start();
  void kubernetes.start().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'Kubernetes informers failed to start'));
  let closing = false;
  void kubernetes.cache.waitForSync().then(() => closing || gitOpsHolds?.start());
  logger.info(
    {
      address: `${host}:${port}`,
      auditLog: auditTarget.display,
      gitops: gitopsTarget?.display,
      flux: hold?.flux,
      alertmanager: options.alertmanager ? redactUrl(options.alertmanager.url) : undefined,
      ...options.decisions,
      auth: { bearer: bearer !== undefined, basic: basic !== undefined },
      ui: options.ui ? { address: `${options.ui.listen.host}:${uiPort}`, prometheus: prometheus?.display, auth: uiAuthenticator.enabled } : undefined,
    },
    'feedback pipeline listening',
  );

  return {
    port,
    ...(uiPort !== undefined ? { uiPort } : {}),
    async close() {
      server.beginShutdown();
      closing = true;
      await poller?.stop();
      if ((await withTimeout(pipeline.close(), options.shutdownTimeoutMs)) === 'timeout') {
        logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'pending decisions did not finish before the shutdown timeout');
      }
      // Holds stay on the Deployments (their durable state): the next start resumes them.
      await gitOpsHolds?.stop();
      await auditLog.close();
      await kubernetes.stop();
      for (const server of uiHttp ? [http, uiHttp] : [http]) {
        await new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
      }
      logger.info('stopped');
    },
  };
}

function kubeConfigFrom(source: KubeConfigSource): ReturnType<typeof loadKubeConfig> {
  try {
    return loadKubeConfig(source);
  } catch (error) {
    const where = source.kubeconfig ?? 'kubeconfig ($KUBECONFIG, ~/.kube/config or in-cluster)';
    throw new InvalidInputError([{ source: where, message: `cannot load the Kubernetes configuration: ${(error as Error).message}; pass --kubeconfig <file> or run in a cluster` }], { cause: error });
  }
}

async function credentialFile(path: string | undefined, flag: string, logger: Logger, format: CredentialFormat = 'token'): Promise<CredentialFile | undefined> {
  if (path === undefined) return undefined;
  const file = new CredentialFile(path, logger, format);
  try {
    await file.load();
  } catch (error) {
    if (error instanceof CredentialFileError) throw new InvalidInputError([{ source: path, message: `${flag}: ${error.message}` }]);
    throw error;
  }
  return file;
}

function listen(app: ReturnType<typeof createFeedbackServer>['app'], port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) =>
      error ? reject(new MetricopsError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error })) : resolve(server),
    );
  });
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work.then(() => 'done' as const), timeout]).finally(() => clearTimeout(timer));
}
