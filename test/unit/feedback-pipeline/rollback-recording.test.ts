import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../common/clock.js';
import { Annotations } from '../../../common/contract/annotations.js';
import { GitRepository } from '../../../common/git-repository.js';
import { silentLogger } from '../../../common/logger.js';
import type { DeploymentCache, RollbackExecutor, RollbackRequest } from '../../../feedback-pipeline/ports.js';
import { AlertmanagerPoller } from '../../../feedback-pipeline/intake/alertmanager-poller.js';
import { Authenticator } from '../../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile } from '../../../common/credential-file.js';
import type { DecisionRecord } from '../../../feedback-pipeline/model.js';
import { FeedbackPipeline } from '../../../feedback-pipeline/pipeline.js';
import { AuditHistory } from '../../../feedback-pipeline/history/audit-history.js';
import { GitAuditLog } from '../../../feedback-pipeline/recorders/audit-log.js';
import { openGitTarget, openedRepository } from '../../../feedback-pipeline/git-target.js';
import { GitOpsManifestWriter } from '../../../feedback-pipeline/actuators/gitops-write-back.js';
import { FeedbackMetrics } from '../../../feedback-pipeline/metrics.js';
import { MetricsRecorder } from '../../../feedback-pipeline/recorders/metrics-recorder.js';
import { createFeedbackServer } from '../../../feedback-pipeline/app.js';
import { deploymentState, simpleHistory } from './core/fixtures.js';
import { listen, waitFor } from './intake/fixtures.js';
import { RealAlertmanager } from './intake/real-alertmanager.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

const MANIFEST = `# shop/checkout, synced by Argo CD
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: shop/checkout:v2   # bumped by CI
`;

function bareRemote(path: string): string {
  execFileSync('git', ['init', '--bare', '--initial-branch=main', path]);
  return path;
}

describe('from a real Alertmanager notification to every record', () => {
  let root: string;
  let alertmanager: RealAlertmanager | undefined;
  let server: { url: string; close: () => Promise<void> } | undefined;
  afterEach(async () => {
    await alertmanager?.stop();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  test('a rollback is in the audit remote, written back to the GitOps remote, shown by /api/v1/events and counted; the poll copy is a duplicate', async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-flow-'));
    const logger = silentLogger();
    const clock = new ManualClock('2026-11-21T10:06:02Z');
    await writeFile(join(root, 'token'), 'flow-token\n');

    const gitopsRemote = bareRemote(join(root, 'gitops.git'));
    const seed = await GitRepository.open(join(root, 'seed'), logger);
    await mkdir(join(seed.dir, 'apps'));
    await writeFile(join(seed.dir, 'apps', 'checkout.yaml'), MANIFEST);
    await seed.commit(['apps'], 'seed');
    git(seed.dir, 'remote', 'add', 'origin', gitopsRemote);
    await seed.pushWithRebase();
    const auditRemote = bareRemote(join(root, 'audit.git'));

    const dataDir = join(root, 'data');
    const audit = await openGitTarget(auditRemote, dataDir, 'audit-log-clone', logger);
    const gitops = await openGitTarget(gitopsRemote, dataDir, 'gitops-clone', logger);
    expect([audit.push, gitops.push]).toEqual([true, true]);
    const metrics = new FeedbackMetrics(new Registry());
    const auditLog = new GitAuditLog({ repo: openedRepository(audit.repo), push: true, clock, logger, metrics, batchDelayMs: 60_000 });

    const deployment = deploymentState({
      annotations: { ...deploymentState().annotations, [Annotations.gitPath]: 'apps/checkout.yaml' },
    });
    const cache: DeploymentCache = {
      waitForSync: async () => undefined,
      getDeployment: (namespace, name) => (namespace === 'shop' && name === 'checkout' ? deployment : undefined),
      deploymentsGuardedBy: () => [],
      replicaSetsOf: () => simpleHistory(),
    };
    const requests: RollbackRequest[] = [];
    const executor: RollbackExecutor = {
      rollback: async (request) => {
        requests.push(request);
        return {
          outcome: 'rolled-back',
          from: { revision: 2, replicaSet: 'checkout-v2', images: { app: 'shop/checkout:v2' } },
          to: { revision: 1, replicaSet: 'checkout-v1', images: { app: 'shop/checkout:v1' } },
          patchedAt: new Date('2026-11-21T10:06:03Z'),
          markedBad: true,
        };
      },
    };
    const pipeline = new FeedbackPipeline({
      cache,
      executor,
      recorders: [auditLog, new MetricsRecorder(metrics)],
      gitOpsWriter: new GitOpsManifestWriter({ repo: openedRepository(gitops.repo), push: true, logger, metrics }),
      clock,
      logger,
    });
    const { app } = createFeedbackServer({
      sink: pipeline,
      authenticator: new Authenticator({ bearer: new CredentialFile(join(root, 'token'), logger) }),
      history: new AuditHistory(audit.repo.dir, () => auditLog.pending(), logger),
      metrics,
      clock,
      logger,
    });
    server = await listen(app);
    alertmanager = await RealAlertmanager.start(`route:
  receiver: metricops
  group_wait: 1s
receivers:
  - name: metricops
    webhook_configs:
      - url: ${server.url}/api/v1/alerts
        http_config:
          authorization:
            credentials_file: ${join(root, 'token')}
`);
    await alertmanager.postAlerts([
      { labels: { alertname: 'CheckoutBurn', slo: 'checkout-availability', slo_severity: 'page', namespace: 'shop', deployment: 'checkout' }, startsAt: '2026-11-21T10:05:00Z' },
    ]);

    await waitFor('the rollback', () => (requests.length > 0 ? true : undefined));
    await pipeline.drain();
    // The poller sees the same alert occurrence: the pipeline takes it as a duplicate.
    const poller = new AlertmanagerPoller({ url: alertmanager.url, sink: pipeline, clock, logger, metrics });
    expect(await poller.pollOnce()).toEqual({ outcome: 'submitted', alerts: 1, invalid: 0, deferred: 0 });
    await pipeline.drain();
    await auditLog.flush();
    expect(requests).toHaveLength(1);

    const auditCheck = await GitRepository.clone(auditRemote, join(root, 'audit-check'), logger);
    const lines = (await readFile(join(auditCheck.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as DecisionRecord;
    expect(record).toMatchObject({
      outcome: 'rolled-back',
      deployment: { namespace: 'shop', name: 'checkout' },
      alert: { name: 'CheckoutBurn', source: 'webhook', startsAt: '2026-11-21T10:05:00.000Z' },
      to: { revision: 1, images: { app: 'shop/checkout:v1' } },
    });
    expect(record.gitCommit).toMatch(/^[0-9a-f]{40}$/);

    const gitopsCheck = await GitRepository.clone(gitopsRemote, join(root, 'gitops-check'), logger);
    expect(await readFile(join(gitopsCheck.dir, 'apps', 'checkout.yaml'), 'utf8')).toBe(MANIFEST.replace('shop/checkout:v2', 'shop/checkout:v1'));
    expect(git(gitopsCheck.dir, 'rev-parse', 'HEAD')).toBe(record.gitCommit);

    const events = await fetch(`${server.url}/api/v1/events?namespace=shop&deployment=checkout`, { headers: { authorization: 'Bearer flow-token' } });
    expect(((await events.json()) as { events: DecisionRecord[] }).events).toEqual([record]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('metricops_feedback_decisions_total{outcome="rolled-back"} 1');
    expect(text).toContain('metricops_feedback_rollback_latency_seconds_count 1');
    expect(text).toContain('metricops_feedback_audit_backlog 0');
    await auditLog.close();
  }, 60_000);
});
