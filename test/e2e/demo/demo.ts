// `npm run demo` (test/e2e/demo.sh runs the compiled file): the whole metricops loop on a local control plane,
// printed as a timeline. Uses the cluster from METRICOPS_E2E_KUBECONFIG if set (control-plane.sh start), else
// starts one and stops it at the end. METRICOPS_E2E_KEEP=1 keeps the temporary folders (logs) afterwards; --keep
// leaves everything running (the web UI on its printed URL) until Ctrl-C.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations } from '../../../common/contract/annotations.js';
import { E2E_ENV, e2eCluster } from '../harness/cluster.js';
import { startControlPlane, type Cluster, type ControlPlane } from '../harness/control-plane.js';
import { freePort } from '../harness/ports.js';
import { waitFor } from '../harness/wait.js';
import { MetricopsLoop, NAMESPACE, DEPLOYMENT, type TimelineStep } from '../harness/metricops-loop.js';

const started = Date.now();
let badDeployAt: number | undefined;
const keep = process.env.METRICOPS_E2E_KEEP === '1';
const keepRunning = process.argv.includes('--keep');

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
  console.log('metricops demo: SLOs in Git -> Prometheus -> Alertmanager -> feedback pipeline -> rollback, on a local control plane');
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
  const loop = new MetricopsLoop({ cluster, workDir, onStep: print });
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
    badDeployAt = Date.now();
    const v2 = await loop.deploy('v2');
    print({ at: new Date(), step: `webhook stamps on v2: images ${v2.annotations[Annotations.images]}, deployed-at ${v2.annotations[Annotations.deployedAt]}` });
    await loop.waitForErrorsRecorded();
    await loop.waitForAlert('firing');
    const rolledBack = await loop.waitForTemplate('v1');
    const seconds = (Date.now() - badDeployAt) / 1000;
    await loop.standIn!.waitForVersion('v1');

    console.log('\n--- what metricops recorded ---');
    const event = (await loop.events()).find((candidate) => candidate.reason === 'RolledBack');
    console.log(`Event on deployment/${DEPLOYMENT} in ${NAMESPACE}: ${event ? `${event.type} ${event.reason}: ${event.message}` : '(not yet)'}`);
    console.log(`annotation ${Annotations.rolledBackFrom}: ${rolledBack.annotations[Annotations.rolledBackFrom] ?? '(missing)'}`);
    const records = await waitFor(async () => {
      const found = await loop.auditRecords();
      return found.some((record) => record.outcome === 'rolled-back') ? found : undefined;
    }, { what: 'the audit record of the rollback', timeoutMs: 30_000 });
    console.log(`audit log (pushed to ${loop.auditDir}): ${records.map((record) => record.outcome).join(', ')}`);
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
