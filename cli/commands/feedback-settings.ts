/** Checks the flags of `metricops feedback` (loaded when the command runs: node-cron validates the schedule). */
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import { SLO_SEVERITIES, type SloSeverity } from '../../common/contract/alert-labels.js';
import { UsageError } from '../../common/errors.js';
import { redactUrl } from '../../common/git-repository.js';
import type { FluxSourceSetting } from '../../feedback-pipeline/actuators/flux-reconcile.js';
import type { FeedbackOptions, LeaderElectionOptions } from '../../feedback-pipeline/main.js';
import { leaseTimingProblem } from '../../feedback-pipeline/kubernetes/leader-election.js';
import { clusterFlag, durationFlag, portFlag, wholeNumberFlag } from '../flags.js';
import type { FeedbackFlags } from './feedback.js';
import { checkHttpUrl, prometheusSettings } from './http-url.js';

/** Every flag checked; throws UsageError (exit 2) saying which flag and how to fix it. */
export function feedbackOptions(flags: FeedbackFlags): Omit<FeedbackOptions, 'logger' | 'clock'> {
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
  if (flags.alertmanagerUrl !== undefined) checkHttpUrl('--alertmanager-url', flags.alertmanagerUrl, 'http://alertmanager.monitoring:9093');
  if (flags.fluxReconcile !== undefined && flags.gitopsRepo === undefined) {
    throw new UsageError('--flux-reconcile needs --gitops-repo (Flux is asked to fetch the write-back)');
  }
  const flux = flags.fluxReconcile === undefined ? undefined : fluxSource(flags.fluxReconcile);
  const dataDir = resolve(flags.dataDir);
  const options: Omit<FeedbackOptions, 'logger' | 'clock'> = {
    listen: { port: portFlag('--port', flags.port), host: flags.host },
    kubernetes: {
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      ...(flags.namespaces !== undefined ? { namespaces: namespacesFlag(flags.namespaces) } : {}),
    },
    intake: {
      ...(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : {}),
      ...(flags.basicAuthFile !== undefined ? { basicAuthFile: flags.basicAuthFile } : {}),
      maxBodyBytes: wholeNumberFlag('--max-body-bytes', flags.maxBodyBytes, 1024, 100 * 1024 * 1024),
    },
    ...(flags.alertmanagerUrl !== undefined
      ? {
          alertmanager: {
            url: flags.alertmanagerUrl,
            pollSchedule: flags.pollSchedule,
            ...(flags.alertmanagerTokenFile !== undefined ? { tokenFile: flags.alertmanagerTokenFile } : {}),
          },
        }
      : {}),
    git: {
      dataDir,
      auditRepo: flags.gitRepo ?? join(dataDir, 'audit-log'),
      ...(flags.gitopsRepo !== undefined ? { gitopsRepo: flags.gitopsRepo } : {}),
      hold: { ...(flux ? { flux } : {}), settleMs: durationFlag('--gitops-settle', flags.gitopsSettle) },
    },
    decisions: {
      severities: severities as SloSeverity[], cooldownMs: durationFlag('--cooldown', flags.cooldown), dryRun: flags.dryRun,
      ...(flags.cluster !== undefined ? { cluster: clusterFlag('--cluster', flags.cluster) } : {}),
    },
    shutdownTimeoutMs: durationFlag('--shutdown-timeout', flags.shutdownTimeout, 'timer'),
    ...(flags.leaderElect ? { leaderElection: leaderElection(flags) } : {}),
  };
  const ui = uiOptions(flags);
  return ui ? { ...options, ui } : options;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** --namespaces a,b: DNS labels, at least one. */
function namespacesFlag(text: string): string[] {
  const namespaces = [...new Set(text.split(',').map((part) => part.trim()).filter((part) => part !== ''))];
  const bad = namespaces.filter((namespace) => !DNS_LABEL.test(namespace));
  if (namespaces.length === 0 || bad.length > 0) {
    throw new UsageError(`--namespaces "${text}": use a comma-separated list of namespace names (DNS labels), e.g. shop,payments${bad.length > 0 ? `; not a namespace name: ${bad.join(', ')}` : ''}`);
  }
  return namespaces;
}

function leaderElection(flags: FeedbackFlags): LeaderElectionOptions {
  const timings = {
    leaseDurationMs: durationFlag('--leader-elect-lease-duration', flags.leaderElectLeaseDuration, 'timer'),
    renewDeadlineMs: durationFlag('--leader-elect-renew-deadline', flags.leaderElectRenewDeadline, 'timer'),
    retryPeriodMs: durationFlag('--leader-elect-retry-period', flags.leaderElectRetryPeriod, 'timer'),
  };
  const problem = leaseTimingProblem(timings);
  if (problem) {
    throw new UsageError(`--leader-elect-lease-duration ${flags.leaderElectLeaseDuration}, --leader-elect-renew-deadline ${flags.leaderElectRenewDeadline}, --leader-elect-retry-period ${flags.leaderElectRetryPeriod}: ${problem} (defaults 15s, 10s, 2s)`);
  }
  if (!DNS_SUBDOMAIN.test(flags.leaderElectResourceName)) {
    throw new UsageError(`--leader-elect-resource-name "${flags.leaderElectResourceName}" is not a valid Lease name: lower-case letters, digits, '-' and '.'`);
  }
  const namespace = flags.leaderElectResourceNamespace;
  if (namespace !== undefined && !DNS_LABEL.test(namespace)) {
    throw new UsageError(`--leader-elect-resource-namespace "${namespace}" is not a namespace name (a DNS label, e.g. metricops)`);
  }
  if (flags.advertiseUrl !== undefined) {
    checkHttpUrl('--advertise-url', flags.advertiseUrl, 'http://10.0.0.12:9095');
    if (!flags.advertiseUrl.startsWith('http://')) throw new UsageError(`--advertise-url must be http:// (the feedback pipeline serves plain HTTP), not ${flags.advertiseUrl}`);
  }
  const offset = process.env[CLOCK_OFFSET_ENV];
  return {
    name: flags.leaderElectResourceName,
    ...(namespace !== undefined ? { namespace } : {}),
    ...timings,
    ...(flags.advertiseUrl !== undefined ? { advertiseUrl: flags.advertiseUrl } : {}),
    ...(offset ? { clockOffsetMs: clockOffset(offset) } : {}),
  };
}

/** Tests only (clock skew between replicas): the wall clock this replica writes into the Lease is off by this many ms. */
export const CLOCK_OFFSET_ENV = 'METRICOPS_TEST_LEASE_CLOCK_OFFSET_MS';

function clockOffset(text: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) throw new UsageError(`$${CLOCK_OFFSET_ENV} "${text}" must be a whole number of milliseconds`);
  return value;
}

/** `auto`, or the GitRepository as NAMESPACE/NAME (DNS labels / subdomain names). */
function fluxSource(text: string): FluxSourceSetting {
  if (text === 'auto') return 'auto';
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text);
  if (!match) throw new UsageError(`--flux-reconcile "${text}": use auto, or the GitRepository as NAMESPACE/NAME, e.g. flux-system/flux-system`);
  return { namespace: match[1]!, name: match[3]! };
}

/** The UI's flags: on with --ui-port; its credential files and the Prometheus it reads need it. */
function uiOptions(flags: FeedbackFlags): FeedbackOptions['ui'] {
  const prometheus = prometheusSettings(flags);
  if (flags.uiPort === undefined) {
    const orphan = [
      flags.uiTokenFile !== undefined && '--ui-token-file',
      flags.uiBasicAuthFile !== undefined && '--ui-basic-auth-file',
      prometheus !== undefined && '--prometheus-url',
    ].filter((flag): flag is string => typeof flag === 'string');
    if (orphan.length > 0) throw new UsageError(`${orphan.join(', ')} ${orphan.length === 1 ? 'is' : 'are'} for the web UI: add --ui-port <port> to serve it`);
    return undefined;
  }
  return {
    listen: { port: portFlag('--ui-port', flags.uiPort), host: flags.uiHost ?? flags.host },
    ...(flags.uiTokenFile !== undefined ? { tokenFile: flags.uiTokenFile } : {}),
    ...(flags.uiBasicAuthFile !== undefined ? { basicAuthFile: flags.uiBasicAuthFile } : {}),
    ...(prometheus ? { prometheus } : {}),
  };
}
