/**
 * A notification with thousands of alerts through the real intake, pipeline and audit log, committed and pushed to a
 * bare remote with real Git: every record reaches the remote and the backlog returns to 0 (issue 10: a 2,000-alert
 * notification used to stop the audit log for good, its commit message over Linux's 128 KiB argument limit).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../../../common/clock.js';
import { GitRepository } from '../../../common/git-repository.js';
import { silentLogger } from '../../../common/logger.js';
import { createFeedbackServer } from '../../../feedback-pipeline/app.js';
import { Authenticator } from '../../../feedback-pipeline/intake/authenticator.js';
import { FeedbackMetrics } from '../../../feedback-pipeline/metrics.js';
import type { DeploymentCache, RollbackExecutor } from '../../../feedback-pipeline/ports.js';
import { FeedbackPipeline } from '../../../feedback-pipeline/pipeline.js';
import { GitAuditLog, MAX_COMMIT_BODY_BYTES } from '../../../feedback-pipeline/recorders/audit-log.js';
import { openedRepository } from '../../../feedback-pipeline/git-target.js';
import { MetricsRecorder } from '../../../feedback-pipeline/recorders/metrics-recorder.js';
import { listen, waitFor, webhookAlert, webhookPayload } from './intake/fixtures.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim();

/** A cluster with no Deployments: every alert is decided `no-matching-deployment` (valid, irrelevant). */
const emptyCache: DeploymentCache = {
  waitForSync: async () => undefined,
  getDeployment: () => undefined,
  deploymentsGuardedBy: () => [],
  replicaSetsOf: () => [],
};
const noExecutor: RollbackExecutor = {
  rollback: async () => {
    throw new Error('no rollback expected');
  },
};

describe('a notification with thousands of alerts', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-large-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test.each([2_000, 20_000])('%i alerts: every decision is committed and pushed to the bare remote, and the backlog returns to 0', async (count) => {
    const started = Date.now();
    const remote = join(root, 'audit.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const metrics = new FeedbackMetrics(new Registry());
    const auditLog = new GitAuditLog({ repo: openedRepository(repo), push: true, clock: systemClock, logger: silentLogger(), metrics, batchDelayMs: 200 });
    await auditLog.start();
    const pipeline = new FeedbackPipeline({
      cache: emptyCache,
      executor: noExecutor,
      recorders: [auditLog, new MetricsRecorder(metrics)],
      clock: systemClock,
      logger: silentLogger(),
      settings: { maxPending: 50_000 },
    });
    const { app } = createFeedbackServer({
      sink: pipeline,
      authenticator: new Authenticator({}),
      history: { query: async () => [] },
      metrics,
      clock: systemClock,
      logger: silentLogger(),
      bodyLimit: 64 * 1024 * 1024,
    });
    const server = await listen(app);
    try {
      const alerts = Array.from({ length: count }, (_, index) =>
        webhookAlert({ fingerprint: `f${index.toString(16).padStart(15, '0')}`, labels: { alertname: `Irrelevant${index}`, team: 'nobody' } }),
      );
      const response = await fetch(`${server.url}/api/v1/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(webhookPayload({ alerts })),
      });
      expect(response.status).toBe(202);
      await pipeline.drain();
      await waitFor('the backlog to reach 0', () => (auditLog.backlog === 0 ? true : undefined), 60_000);
      expect((await metrics.registry.getSingleMetricAsString('metricops_feedback_audit_backlog')).trim()).toMatch(/ 0$/);
      expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_git_failures_total')).not.toContain('recorder="audit-log"');

      // On the remote: one line per decision, each alert once.
      const day = new Date().toISOString().slice(0, 10);
      const lines = git(remote, 'show', `main:audit/${day}.jsonl`).split('\n');
      expect(lines).toHaveLength(count);
      expect(new Set(lines.map((line) => (JSON.parse(line) as { alert: { fingerprint: string } }).alert.fingerprint)).size).toBe(count);
      // Every commit message stays bounded; a large batch names the rest by count.
      const bodies = git(remote, 'log', '--format=%B%x00', 'main').split('\0').filter((body) => body.trim() !== '');
      for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThan(MAX_COMMIT_BODY_BYTES + 1024);
      if (count >= 20_000) expect(bodies.some((body) => /\.\.\. and \d+ more decisions/.test(body))).toBe(true);
    } finally {
      await server.close();
      await pipeline.close();
      await auditLog.close();
    }
    // Bounded, not a benchmark: the whole run, on a loaded 2-core machine.
    expect(Date.now() - started).toBeLessThan(110_000);
  }, 120_000);
});
