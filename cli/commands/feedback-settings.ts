/** Checks the flags of `metricops feedback` (loaded when the command runs: node-cron validates the schedule). */
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import { SLO_SEVERITIES, type SloSeverity } from '../../common/contract/alert-labels.js';
import { UsageError } from '../../common/errors.js';
import type { FluxSourceSetting } from '../../feedback-pipeline/actuators/flux-reconcile.js';
import type { FeedbackOptions } from '../../feedback-pipeline/main.js';
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
  };
  const ui = uiOptions(flags);
  return ui ? { ...options, ui } : options;
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
