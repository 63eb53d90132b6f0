// `npm run demo` (test/e2e/demo.sh runs the compiled file): the whole metricops loop on a local control plane,
// printed as a timeline. By default GitOps: the example app is deployed by Git commits that a real Flux applies,
// and metricops writes its rollback back to Git (`npm run demo -- --kubectl`: kubectl deploys, no Git write-back).
// Uses the cluster from METRICOPS_E2E_KUBECONFIG if set (control-plane.sh start), else starts one and stops it at
// the end. METRICOPS_E2E_KEEP=1 keeps the temporary folders (logs) afterwards; --keep leaves everything running
// (the web UI on its printed URL) until Ctrl-C.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations } from '../../../common/contract/annotations.js';
import { E2E_ENV, e2eCluster } from '../harness/cluster.js';
import { startControlPlane, type Cluster, type ControlPlane } from '../harness/control-plane.js';
import { freePort } from '../harness/ports.js';
import { MetricopsLoop, NAMESPACE, DEPLOYMENT, type TimelineStep } from '../harness/metricops-loop.js';
import { sleep, waitFor } from '../harness/wait.js';

/** The demo's command line: one entry per flag, each read here and nowhere else. */
interface DemoOptions {
  deployBy: 'gitops' | 'kubectl';
  /** Leave everything running (the web UI) until Ctrl-C. */
  keep: boolean;
}

const USAGE = 'usage: npm run demo [-- --kubectl] [-- --keep]';

function demoOptions(args: readonly string[]): DemoOptions {
  const options: DemoOptions = { deployBy: 'gitops', keep: false };
  for (const arg of args) {
    if (arg === '--kubectl') options.deployBy = 'kubectl';
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(`${USAGE}\n  --kubectl  deploy with kubectl apply / kubectl set image instead of Git commits that Flux applies\n  --keep     leave everything running (the web UI) until Ctrl-C`);
      process.exit(0);
    } else {
      console.error(`unknown demo flag ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return options;
}

/** How long the GitOps demo watches the Deployment after the rollback for the bad version coming back. */
const WATCH_AFTER_ROLLBACK_MS = 20_000;

const options = demoOptions(process.argv.slice(2));
const started = Date.now();
let badDeployAt: number | undefined;
const keep = process.env.METRICOPS_E2E_KEEP === '1';
const keepRunning = options.keep;

function guards(rules: string | undefined): string {
  const alerts = JSON.parse(rules ?? '[]') as { alert: string; severity: string }[];
  return alerts.map((alert) => `${alert.alert} (${alert.severity})`).join(', ');
}

function print(step: TimelineStep): void {
  const at = step.at.getTime();
  const stamp = badDeployAt === undefined ? `setup ${((at - started) / 1000).toFixed(1).padStart(5)}s` : `+${((at - badDeployAt) / 1000).toFixed(1).padStart(5)}s`;
  console.log(`[${stamp.padStart(12)}] ${step.step}`);
}

async function main(): Promise<number> {
  console.log(options.deployBy === 'gitops'
    ? 'metricops demo: deploys by Git commit through Flux -> Prometheus -> Alertmanager -> feedback pipeline -> rollback -> write-back to Git, on a local control plane'
    : 'metricops demo: SLOs in Git -> Prometheus -> Alertmanager -> feedback pipeline -> rollback, on a local control plane (kubectl deploys)');
  console.log('(times after the bad deploy are "+N s"; pods are played by the harness\'s pod stand-in, see docs/design.md "Test harness")\n');
  let controlPlane: ControlPlane | undefined;
  let cluster: Cluster;
  if (process.env[E2E_ENV.kubeconfig]) {
    cluster = e2eCluster();
    print({ at: new Date(), step: `using the running control plane at ${cluster.serverUrl}` });
  } else {
    controlPlane = await startControlPlane();
    cluster = controlPlane;
    print({ at: new Date(), step: `local control plane up: etcd, kube-apiserver ${cluster.serverUrl}, kube-controller-manager` });
  }
  const workDir = await mkdtemp(join(tmpdir(), 'metricops-demo-'));
  const loop = new MetricopsLoop({ cluster, workDir, onStep: print, deployBy: options.deployBy });
  const gitops = options.deployBy === 'gitops';
  let code = 0;
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaned ??= (async () => {
    await loop.stop();
    await cluster.kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
    await controlPlane?.stop();
    if (!keep) await rm(workDir, { recursive: true, force: true });
  })());
  // Ctrl-C: the helpers run in their own process groups, so stop them before leaving.
  const interrupt = (): void => {
    console.error('\ninterrupted: stopping everything the demo started');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await loop.compileRules();
    await loop.startMonitoring();
    await loop.startWebhook();
    if (gitops) await loop.startGitOps();
    const uiPort = await freePort();
    await loop.startFeedback(['--ui-port', String(uiPort), '--ui-host', '127.0.0.1', '--prometheus-url', loop.prometheus!.url]);
    const uiUrl = `http://127.0.0.1:${uiPort}/`;
    print({ at: new Date(), step: `web UI: ${uiUrl}` });
    loop.startPods();
    const v1 = await loop.deploy('v1');
    print({ at: new Date(), step: `webhook stamps on v1: deployed-at ${v1.annotations[Annotations.deployedAt]}, guarded by ${guards(v1.annotations[Annotations.rules])}` });
    await loop.standIn!.waitForVersion('v1');
    loop.startLoad();
    await loop.waitForBaseline();

    console.log('\n--- the bad deploy ---');
    await loop.watchTemplate();
    badDeployAt = Date.now();
    const v2 = await loop.deploy('v2');
    print({ at: new Date(), step: `webhook stamps on v2: images ${v2.annotations[Annotations.images]}, deployed-at ${v2.annotations[Annotations.deployedAt]}` });
    await loop.waitForErrorsRecorded();
    await loop.waitForAlert('firing');
    const rolledBack = await loop.waitForTemplate('v1');
    const seconds = (Date.now() - badDeployAt) / 1000;
    if (gitops) {
      const followed = await loop.followGitOpsRollback();
      console.log(`\nwrite-back commit ${followed.writeBack.commit}:\n  ${followed.writeBack.subject}\n  ${followed.writeBack.trailers.split('\n').join('\n  ')}`);
      print({ at: new Date(), step: `watching the Deployment for ${WATCH_AFTER_ROLLBACK_MS / 1000}s: Flux reconciles every 2s` });
      await sleep(WATCH_AFTER_ROLLBACK_MS);
      print({ at: new Date(), step: `flip-backs: ${loop.flipBacks('v1', 'v2')} (template states back at v2 after the rollback, from the watch)` });
    }
    await loop.standIn!.waitForVersion('v1');

    console.log('\n--- what metricops recorded ---');
    const event = (await loop.events()).find((candidate) => candidate.reason === 'RolledBack');
    console.log(`Event on deployment/${DEPLOYMENT} in ${NAMESPACE}: ${event ? `${event.type} ${event.reason}: ${event.message}` : '(not yet)'}`);
    console.log(`annotation ${Annotations.rolledBackFrom}: ${rolledBack.annotations[Annotations.rolledBackFrom] ?? '(missing)'}`);
    const records = await waitFor(async () => {
      const found = await loop.auditRecords();
      return found.some((record) => record.outcome === 'rolled-back') ? found : undefined;
    }, { what: 'the audit record of the rollback', timeoutMs: 30_000 });
    console.log(`audit log (pushed to ${loop.auditDir}): ${records.map((record) => `${record.outcome}${record.gitops ? ` (${record.gitops.stage})` : ''}`).join(', ')}`);
    if (gitops) {
      const reasons = (await loop.events()).filter((candidate) => candidate.source === 'metricops').map((candidate) => candidate.reason);
      console.log(`Events by metricops on deployment/${DEPLOYMENT}: ${reasons.join(', ')}`);
    }
    const latency = /metricops_feedback_rollback_latency_seconds_sum(?:\{[^}]*\})? ([\d.]+)/.exec(await loop.feedbackMetrics())?.[1];
    console.log(`metric metricops_feedback_rollback_latency_seconds_sum: ${latency ?? '(missing)'}`);
    console.log(`\nrolled back in ${seconds.toFixed(1)}s`);
    console.log(`web UI: ${uiUrl} (the Deployment: ${uiUrl}deployments/${NAMESPACE}/${DEPLOYMENT})`);
    if (keepRunning) {
      console.log('--keep: everything keeps running; press Ctrl-C to stop it');
      // The harness' children do not keep Node alive on their own: a timer does, until Ctrl-C (handled above).
      await new Promise<never>(() => setInterval(() => undefined, 60_000));
    }
  } catch (error) {
    code = 1;
    console.error(`\ndemo failed: ${(error as Error).message}`);
    console.error(`logs: ${join(workDir, 'logs')}${keep ? '' : ' (removed at exit; run with METRICOPS_E2E_KEEP=1 to keep them)'}`);
  } finally {
    await cleanup();
  }
  return code;
}

process.exitCode = await main();
