import type { Command } from 'commander';
import { SLO_SEVERITIES } from '../../common/contract/alert-labels.js';
import type { CliContext } from '../context.js';
import { addKubeconfigOptions, addListenOptions, addPrometheusOptions } from '../flags.js';

/** The flags as commander hands them over (strings); feedback-settings.ts checks them. */
export interface FeedbackFlags {
  port: string;
  host: string;
  kubeconfig?: string;
  context?: string;
  alertmanagerUrl?: string;
  alertmanagerTokenFile?: string;
  pollSchedule: string;
  dataDir: string;
  gitRepo?: string;
  gitopsRepo?: string;
  fluxReconcile?: string;
  gitopsSettle: string;
  tokenFile?: string;
  basicAuthFile?: string;
  severities: string;
  cluster?: string;
  cooldown: string;
  dryRun: boolean;
  maxBodyBytes: string;
  shutdownTimeout: string;
  uiPort?: string;
  uiHost?: string;
  uiTokenFile?: string;
  uiBasicAuthFile?: string;
  prometheusUrl?: string;
  prometheusTimeout: string;
}

/**
 * The poll schedule shown as the --poll-schedule default: DEFAULT_POLL_SCHEDULE of
 * feedback-pipeline/intake/alertmanager-poller.ts, written out here so that registering the command loads none of
 * the pipeline (a test keeps the two equal).
 */
export const POLL_SCHEDULE_DEFAULT = '*/30 * * * * *';

export function registerFeedbackCommand(program: Command, context: CliContext): void {
  const command = program
    .command('feedback')
    .description('receive Alertmanager notifications, roll back bad rollouts and record every decision (HTTP: POST /api/v1/alerts, GET /api/v1/events, /healthz, /readyz, /metrics; with --ui-port, the web UI)');
  addListenOptions(command, { port: '9095', what: 'HTTP' });
  addPrometheusOptions(command);
  addKubeconfigOptions(command)
    .option('--alertmanager-url <url>', 'also poll this Alertmanager (GET /api/v2/alerts) so a lost webhook still leads to a decision; user:password@ in the URL is sent as Basic auth')
    .option('--alertmanager-token-file <file>', 'bearer token for the poll (first line; re-read when it changes), for an Alertmanager behind an authenticating proxy')
    .option('--poll-schedule <cron>', 'node-cron schedule of the poll (six fields: seconds first)', POLL_SCHEDULE_DEFAULT)
    .option('--data-dir <dir>', 'where the local audit repository and Git clones live', 'metricops-data')
    .option('--git-repo <url|path>', 'audit log repository: a URL, user@host:path or path ending in .git is cloned and pushed to; another path is a local repository (default <data-dir>/audit-log)')
    .option('--gitops-repo <url|path>', 'GitOps repository for write-back of metricops.io/git-path manifests (same URL/path rules); off when absent')
    .option('--flux-reconcile <auto|namespace/name>', 'after a write-back, ask Flux to fetch this GitRepository now (auto: the source of the Kustomization that applies the Deployment) and release the hold once the Kustomization applied the write-back; needs the Flux RBAC (manifests/components/flux)')
    .option('--gitops-settle <duration>', 'without Flux\'s status: release the hold this long after Git has the write-back (longer than the GitOps engine\'s fetch interval)', '2m')
    .option('--token-file <file>', 'bearer tokens accepted on /api/v1/* (one per line; re-read when it changes)')
    .option('--basic-auth-file <file>', 'user:password lines accepted as Basic auth on /api/v1/* (re-read when it changes)')
    .option('--severities <list>', `slo_severity values that roll back (comma-separated: ${SLO_SEVERITIES.join(', ')})`, 'page')
    .option('--cluster <name>', 'act only on alerts labelled cluster=<name> (one Alertmanager for many clusters); other clusters\' alerts are dropped, unlabelled ones recorded as skipped')
    .option('--cooldown <duration>', 'no second rollback of the same Deployment within this time', '10m')
    .option('--dry-run', 'decide and record, but never patch a Deployment', false)
    .option('--max-body-bytes <bytes>', 'largest notification body; larger ones get 413', String(1024 * 1024))
    .option('--shutdown-timeout <duration>', 'how long to finish pending decisions after SIGTERM', '30s')
    .option('--ui-port <port>', 'serve the read-only web UI (guarded Deployments, error budgets, rollouts and rollbacks) on this port; off without it')
    .option('--ui-host <address>', 'address the UI listens on (default: --host)')
    .option('--ui-token-file <file>', 'bearer tokens accepted by the UI (one per line; re-read when it changes); not the alert intake\'s')
    .option('--ui-basic-auth-file <file>', 'user:password lines accepted by the UI as Basic auth (browsers ask for them)')
    .action(async (flags: FeedbackFlags) => {
      // The flags are checked first; the pipeline (Kubernetes client, Express, Git, metrics) takes about a second to
      // load, so only when it runs. One import after the other: jest's ESM loader trips on concurrent ones.
      const { feedbackOptions } = await import('./feedback-settings.js');
      const options = feedbackOptions(flags);
      const { startFeedbackPipeline } = await import('../../feedback-pipeline/main.js');
      const logger = context.createLogger('feedback');
      const running = await startFeedbackPipeline({ ...options, logger, clock: context.clock });
      const signal = await context.stopSignal;
      logger.info({ signal }, 'stopping: no new notifications, finishing pending decisions');
      await running.close();
    });
}
