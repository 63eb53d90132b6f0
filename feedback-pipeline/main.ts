/**
 * The feedback pipeline's wiring, as webhook/server.ts is the webhook's: `metricops feedback` and the tests call
 * startFeedbackPipeline() and stop it with close(). Everything outside comes in through options (logger, clock);
 * everything inside is built here: intake (HTTP receiver, Alertmanager poller), the Kubernetes cache, the actuators
 * (cluster rollback, GitOps write-back), the recorders (Events, audit log, metrics) and the pipeline between them.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../common/clock.js';
import type { SloSeverity } from '../common/contract/alert-labels.js';
import { InvalidInputError, MetricopsError } from '../common/errors.js';
import { redactUrl } from '../common/git-repository.js';
import type { KubeConfigSource } from '../common/kube-config.js';
import { loadKubeConnection, type KubeConnection } from '../common/kube-connection.js';
import type { Logger } from '../common/logger.js';
import type { FluxSourceSetting } from './actuators/flux-reconcile.js';
import { createFeedbackServer } from './app.js';
import { openDeferredGitTarget } from './git-target.js';
import { AuditHistory } from './history/audit-history.js';
import { AlertmanagerPoller } from './intake/alertmanager-poller.js';
import { Authenticator } from './intake/authenticator.js';
import { CredentialFile, CredentialFileError, type CredentialFormat } from '../common/credential-file.js';
import { createKubernetesAdapters } from './kubernetes/adapters.js';
import { DEFAULT_LEASE_TIMINGS } from './kubernetes/leader-election.js';
import { FeedbackMetrics } from './metrics.js';
import { FeedbackPipeline } from './pipeline.js';
import { GitAuditLog } from './recorders/audit-log.js';
import { MetricsRecorder } from './recorders/metrics-recorder.js';

export interface LeaderElectionOptions {
  /** The Lease's namespace. Default: $POD_NAMESPACE, the in-cluster or kubeconfig namespace, then "default". */
  namespace?: string;
  /** The Lease's name. */
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Where followers forward notifications to this replica while it leads. Default: http://<host or $POD_IP>:<port>. */
  advertiseUrl?: string;
  /** Tests only: this replica's wall clock, as written into the Lease, is off by this much. */
  clockOffsetMs?: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionOptions = { name: 'metricops-feedback', ...DEFAULT_LEASE_TIMINGS };

export interface FeedbackOptions {
  listen: { port: number; host: string };
  kubernetes: KubeConfigSource & {
    /** Watch (and act on) only these namespaces; absent: all. */
    namespaces?: string[];
  };
  /** Leader election on a Lease, so that of N replicas one acts; absent: this replica always acts. */
  leaderElection?: LeaderElectionOptions;
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
  /** Called once the informers' first lists are in (the CLI compacts the heap then: cli/heap.ts). */
  onSynced?: () => void;
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
  const auditTarget = await openDeferredGitTarget(options.git.auditRepo, dataDir, 'audit-log-clone', 'audit log repository', logger.child({ part: 'audit-log' }));
  const auditLog = new GitAuditLog({ repo: auditTarget.source, push: auditTarget.push, clock, logger: logger.child({ part: 'audit-log' }), metrics });
  await auditLog.start();

  // Act: the GitOps write-back (the cluster rollback comes with the Kubernetes adapters).
  const gitopsTarget = options.git.gitopsRepo ? await openDeferredGitTarget(options.git.gitopsRepo, dataDir, 'gitops-clone', 'GitOps repository', logger.child({ part: 'gitops' })) : undefined;
  // Loaded only when configured: its YAML parser is ~8 MB of a process that aims at 100 MB.
  const GitOpsManifestWriter = gitopsTarget ? (await import('./actuators/gitops-write-back.js')).GitOpsManifestWriter : undefined;
  const gitOpsWriter = gitopsTarget && GitOpsManifestWriter ? new GitOpsManifestWriter({ repo: gitopsTarget.source, push: gitopsTarget.push, logger: logger.child({ part: 'gitops' }), metrics }) : undefined;

  const connection = await kubeConnectionFrom(options.kubernetes);
  const election = options.leaderElection;
  const identity = `${process.env.POD_NAME || hostname()}_${randomBytes(4).toString('hex')}`;
  const kubernetes = createKubernetesAdapters(connection, logger, clock, {
    events: { metrics },
    cache: { ...(options.kubernetes.namespaces ? { namespaces: options.kubernetes.namespaces } : {}) },
    ...(election
      ? {
          election: {
            namespace: election.namespace ?? (process.env.POD_NAMESPACE || connection.namespace || 'default'),
            name: election.name,
            identity,
            leaseDurationMs: election.leaseDurationMs,
            renewDeadlineMs: election.renewDeadlineMs,
            retryPeriodMs: election.retryPeriodMs,
            clock: { monotonicMs: () => performance.now(), now: () => new Date(clock.now().getTime() + (election.clockOffsetMs ?? 0)) },
            hooks: {
              onStartedLeading: () => {
                metrics.leader.set({ identity }, 1);
                pipeline.resume();
                // The poll at once: alerts another replica took and could not act on are still firing there.
                polling(true);
              },
              onStoppedLeading: () => {
                metrics.leader.set({ identity }, 0);
                polling(false);
              },
              onNewLeader: (leader) => {
                metrics.leaderTransitions.inc();
                logger.info({ leader: leader ?? null, identity }, leader === identity ? 'this replica leads' : leader ? `the leader is ${leader}` : 'no leader');
              },
            },
          },
        }
      : {}),
  });
  const elector = kubernetes.elector;
  // The poller and the GitOps holds follow the terms, one change after the other (a stop still running when the next
  // term starts).
  let pollerChange: Promise<unknown> = Promise.resolve();
  const polling = (on: boolean): void => {
    pollerChange = pollerChange.then(async () => {
      if (!on) {
        await gitOpsHolds?.stop();
        return poller?.stop();
      }
      await kubernetes.cache.waitForSync();
      if (closing || !elector?.isLeader) return;
      gitOpsHolds?.start();
      poller?.start();
      await poller?.pollOnce();
    }).catch((error: unknown) => logger.error({ err: (error as Error).message }, 'starting or stopping the Alertmanager poller and the GitOps holds failed'));
  };
  if (elector) metrics.leader.set({ identity }, 0);
  const recorders = [kubernetes.eventRecorder, auditLog, new MetricsRecorder(metrics)];
  // The GitOps hold (with --gitops-repo): its cluster side and Flux still go through client-node, loaded only then.
  const { hold } = options.git;
  const holdLogger = logger.child({ part: 'gitops-hold' });
  const gitOpsHolds = gitOpsWriter ? await gitOpsHoldKeeper() : undefined;
  async function gitOpsHoldKeeper() {
    // One after the other: they share modules, and jest's ESM loader fails on concurrent imports of shared modules
    // ("request for './config.js' is not in cache"), as compile's do.
    const { loadKubeConfig } = await import('../common/kube-config.js');
    const { KubernetesHoldCluster } = await import('./actuators/gitops-hold-cluster.js');
    const { GitOpsHoldKeeper } = await import('./actuators/gitops-hold-keeper.js');
    const { FluxReconciler } = await import('./actuators/flux-reconcile.js');
    const kubeConfig = loadKubeConfig(options.kubernetes);
    return new GitOpsHoldKeeper({
      deployments: kubernetes.cache,
      cluster: new KubernetesHoldCluster(kubeConfig, holdLogger),
      writer: gitOpsWriter!,
      ...(hold?.flux ? { flux: new FluxReconciler(kubeConfig, hold.flux, clock, holdLogger) } : {}),
      recorders,
      clock,
      logger: holdLogger,
      metrics,
      settings: hold?.settleMs !== undefined ? { settleMs: hold.settleMs } : {},
    });
  }
  const pipeline = new FeedbackPipeline({
    cache: kubernetes.cache,
    executor: kubernetes.executor,
    ...(elector ? { leadership: elector } : {}),
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
    ...(elector
      ? {
          readiness: () => ({ role: elector.isLeader ? 'leader' : 'follower', identity, leader: elector.leader()?.identity ?? null }),
          forward: {
            identity,
            logger: logger.child({ part: 'forward' }),
            leaderUrl: () => {
              const leader = elector.isLeader ? undefined : elector.leader();
              return leader && leader.identity !== identity ? leader.url : undefined;
            },
          },
        }
      : {}),
  });
  const { host } = options.listen;
  const http = await listen(server.app, options.listen.port, host);
  const port = (http.address() as { port: number }).port;
  elector?.advertise(election?.advertiseUrl ?? advertiseUrl(host, port));
  // The UI: a reader of the informer cache, the audit history and Prometheus, on its own port.
  // Loaded only when it is on (memory: the feedback pipeline aims at 100 MB with 10,000 Deployments).
  const ui = options.ui ? await Promise.all([import('./ui/ui-server.js'), import('./ui/ui-reader.js'), import('./ui/prometheus-client.js')]) : undefined;
  const prometheus = options.ui?.prometheus && ui ? new ui[2].PrometheusClient(options.ui.prometheus.url, options.ui.prometheus.timeoutMs) : undefined;
  const uiHttp = options.ui && ui
    ? await listen(
        ui[0].createUiServer({
          reader: new ui[1].UiReader({ deployments: kubernetes.cache, cache: kubernetes.cache, history, ...(prometheus ? { prometheus } : {}), clock }),
          authenticator: uiAuthenticator,
          logger: logger.child({ part: 'ui' }),
        }),
        options.ui.listen.port,
        options.ui.listen.host,
      )
    : undefined;
  const uiPort = uiHttp ? (uiHttp.address() as { port: number }).port : undefined;
  const poller: AlertmanagerPoller | undefined = options.alertmanager
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
  // With leader election the poller runs on the leader only (started and stopped with its term).
  if (!elector) poller?.start();
  if (options.onSynced) void kubernetes.cache.waitForSync().then(options.onSynced);
  void kubernetes.start().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'Kubernetes informers failed to start'));
  let closing = false;
  // The holds are kept by the one replica that acts: at once without leader election, else with each term.
  if (!elector) void kubernetes.cache.waitForSync().then(() => closing || gitOpsHolds?.start());
  logger.info(
    {
      address: `${host}:${port}`,
      auditLog: auditTarget.display,
      gitops: gitopsTarget?.display,
      flux: hold?.flux,
      alertmanager: options.alertmanager ? redactUrl(options.alertmanager.url) : undefined,
      ...options.decisions,
      auth: { bearer: bearer !== undefined, basic: basic !== undefined },
      kubernetes: connection.source,
      namespaces: options.kubernetes.namespaces ?? 'all',
      leaderElection: elector ? { identity, lease: election } : 'off',
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
      await pollerChange;
      await poller?.stop();
      if ((await withTimeout(pipeline.close(), options.shutdownTimeoutMs)) === 'timeout') {
        logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'pending decisions did not finish before the shutdown timeout');
      }
      // Hand the Lease over as soon as nothing more will be decided here, before the audit log's last push.
      await elector?.stop();
      // Holds stay on the Deployments (their durable state): the next start (or the next leader) resumes them.
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

/** Where followers reach this replica: the address it listens on, else the pod's IP ($POD_IP), else its host name. */
function advertiseUrl(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const address = wildcard ? process.env.POD_IP || hostname() : host;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

async function kubeConnectionFrom(source: KubeConfigSource): Promise<KubeConnection> {
  try {
    return await loadKubeConnection(source);
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
