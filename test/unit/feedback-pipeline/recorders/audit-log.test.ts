import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../../common/clock.js';
import { GitRepository } from '../../../../common/git-repository.js';
import { silentLogger } from '../../../../common/logger.js';
import type { DecisionRecord } from '../../../../feedback-pipeline/model.js';
import { AuditHistory } from '../../../../feedback-pipeline/history/audit-history.js';
import { commitMessage, GitAuditLog, MAX_COMMIT_BODY_BYTES } from '../../../../feedback-pipeline/recorders/audit-log.js';
import { DeferredClone, openedRepository } from '../../../../feedback-pipeline/git-target.js';
import { FeedbackMetrics } from '../../../../feedback-pipeline/metrics.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

function decision(id: string, time: string, name = 'checkout'): DecisionRecord {
  return {
    id,
    time,
    outcome: 'rolled-back',
    reason: 'SLO burn after rollout',
    alert: { name: 'CheckoutBurn', fingerprint: `fp-${id}`, labels: { namespace: 'shop', deployment: name }, startsAt: time, source: 'webhook' },
    deployment: { namespace: 'shop', name },
    from: { revision: 3, replicaSet: `${name}-3`, images: { app: 'shop/checkout:bad' } },
    to: { revision: 2, replicaSet: `${name}-2`, images: { app: 'shop/checkout:good' } },
    latencyMs: 420,
  };
}

describe('GitAuditLog', () => {
  let root: string;
  const clock = new ManualClock('2026-11-21T14:00:00Z');
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-audit-'));
  });
  afterEach(async () => {
    await chmod(join(root), 0o755).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  test('records are appended as JSON lines per UTC day and committed in one batch', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    const metrics = new FeedbackMetrics(new Registry());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger(), metrics, batchDelayMs: 60_000 });
    const records = [decision('a', '2026-11-20T23:59:59.000Z'), decision('b', '2026-11-21T00:00:01.000Z'), decision('c', '2026-11-21T08:00:00.000Z')];
    for (const record of records) await log.record(record);
    expect(log.backlog).toBe(3);
    await log.flush();
    expect(log.backlog).toBe(0);
    expect((await metrics.registry.getSingleMetricAsString('metricops_feedback_audit_backlog')).trim()).toMatch(/ 0$/);
    const day20 = (await readFile(join(repo.dir, 'audit', '2026-11-20.jsonl'), 'utf8')).trimEnd().split('\n');
    const day21 = (await readFile(join(repo.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(day20.map((line) => JSON.parse(line))).toEqual([records[0]]);
    expect(day21.map((line) => JSON.parse(line))).toEqual([records[1], records[2]]);
    const one = 'rolled-back shop/checkout (CheckoutBurn)';
    expect((await repo.log()).map((entry) => entry.message)).toEqual([`audit: 3 decisions: ${one}, ${one}, ${one}`]);
    expect(git(repo.dir, 'log', '-1', '--format=%b')).toBe(`${one} [a]\n${one} [b]\n${one} [c]`);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
  });

  test('150 records arriving while batches are being committed all end up in Git exactly once', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger(), batchDelayMs: 5 });
    for (let index = 0; index < 150; index += 1) {
      await log.record(decision(`r${index}`, '2026-11-21T10:00:00.000Z'));
      if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await log.close();
    expect(log.backlog).toBe(0);
    const ids = (await readFile(join(repo.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => (JSON.parse(line) as DecisionRecord).id);
    expect(ids).toEqual(Array.from({ length: 150 }, (_, index) => `r${index}`));
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
    expect((await repo.log(200)).length).toBeGreaterThan(1);
  }, 30_000);

  test('the history reads committed and still-queued records, newest first', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger(), batchDelayMs: 60_000 });
    await log.record(decision('a', '2026-11-20T10:00:00.000Z'));
    await log.record(decision('b', '2026-11-21T10:00:00.000Z', 'cart'));
    await log.flush();
    await log.record(decision('c', '2026-11-21T11:00:00.000Z'));
    const history = new AuditHistory(repo.dir, () => log.pending(), silentLogger());
    expect((await history.query({ limit: 10 })).map((record) => record.id)).toEqual(['c', 'b', 'a']);
    expect((await history.query({ deployment: 'checkout', limit: 10 })).map((record) => record.id)).toEqual(['c', 'a']);
    await log.close();
    expect((await history.query({ limit: 10 })).map((record) => record.id)).toEqual(['c', 'b', 'a']);
  });

  test('a record that cannot be written stays queued and is written by the retry, once', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    const metrics = new FeedbackMetrics(new Registry());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger(), metrics, batchDelayMs: 60_000, retryDelayMs: 60_000 });
    // A file where the audit folder should be makes every append fail.
    await writeFile(join(repo.dir, 'audit'), 'in the way\n');
    await log.record(decision('a', '2026-11-21T10:00:00.000Z'));
    await expect(log.flush()).rejects.toThrow();
    expect(log.backlog).toBe(1);
    expect(log.pending().map((record) => record.id)).toEqual(['a']);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_git_failures_total')).toContain('recorder="audit-log"} 1');
    await rm(join(repo.dir, 'audit'));
    await log.flush();
    expect(log.backlog).toBe(0);
    expect((await readFile(join(repo.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(1);
    await log.close();
  });

  test('records are pushed to a bare remote that another writer pushes to concurrently: rebased, never forced', async () => {
    const remote = join(root, 'remote.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const seed = await GitRepository.open(join(root, 'seed'), silentLogger());
    await writeFile(join(seed.dir, 'README.md'), 'audit log\n');
    await seed.commit(['README.md'], 'seed');
    git(seed.dir, 'remote', 'add', 'origin', remote);
    await seed.pushWithRebase();

    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: true, clock, logger: silentLogger(), batchDelayMs: 60_000 });
    const other = await GitRepository.clone(remote, join(root, 'other'), silentLogger());
    const pushedBefore: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      await writeFile(join(other.dir, `other-${round}.txt`), `${round}\n`);
      await other.commit([`other-${round}.txt`], `other ${round}`);
      await other.pushWithRebase();
      pushedBefore.push(git(remote, 'rev-parse', 'main'));
      await log.record(decision(`r${round}`, `2026-11-21T1${round}:00:00.000Z`));
      await Promise.all([log.flush(), (async () => {
        await writeFile(join(other.dir, `race-${round}.txt`), `${round}\n`);
        await other.commit([`race-${round}.txt`], `race ${round}`);
        await other.pushWithRebase();
      })()]);
    }
    expect(log.backlog).toBe(0);
    const check = await GitRepository.clone(remote, join(root, 'check'), silentLogger());
    const lines = (await readFile(join(check.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as DecisionRecord).id)).toEqual(['r0', 'r1', 'r2']);
    // Nothing the other writer pushed was lost: every tip it saw is an ancestor of the final history.
    for (const hash of pushedBefore) expect(() => git(check.dir, 'merge-base', '--is-ancestor', hash, 'HEAD')).not.toThrow();
    for (let round = 0; round < 3; round += 1) {
      expect(await readFile(join(check.dir, `race-${round}.txt`), 'utf8')).toBe(`${round}\n`);
    }
    await log.close();
  }, 60_000);

  test('a remote that could not be cloned at start: records wait in memory (backlog, pending), then the first flush after it answers clones, commits and pushes them', async () => {
    const remote = join(root, 'late.git');
    const source = new DeferredClone(remote, join(root, 'clone'), silentLogger());
    const metrics = new FeedbackMetrics(new Registry());
    const log = new GitAuditLog({ repo: source, push: true, clock, logger: silentLogger(), metrics, batchDelayMs: 60_000, retryDelayMs: 60_000 });
    await log.start();
    await log.record(decision('early', '2026-11-21T13:59:00.000Z'));
    await expect(log.flush()).rejects.toThrow(/cannot clone/);
    expect(log.backlog).toBe(1);
    expect(log.pending().map((record) => record.id)).toEqual(['early']);
    // Nothing was written into the folder the clone needs empty.
    await expect(readFile(join(root, 'clone', 'audit', '2026-11-21.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);

    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const seed = await GitRepository.open(join(root, 'seed'), silentLogger());
    await writeFile(join(seed.dir, 'README.md'), 'audit log\n');
    await seed.commit(['README.md'], 'seed');
    git(seed.dir, 'remote', 'add', 'origin', remote);
    await seed.pushWithRebase();
    await log.record(decision('later', '2026-11-21T14:00:00.000Z'));
    await log.flush();
    expect(log.backlog).toBe(0);
    const check = await GitRepository.clone(remote, join(root, 'check'), silentLogger());
    const lines = (await readFile(join(check.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as DecisionRecord).id)).toEqual(['early', 'later']);
    expect(await readFile(join(check.dir, 'README.md'), 'utf8')).toBe('audit log\n');
    await log.close();
  }, 60_000);

  test('a push that fails while the remote is away keeps the record counted in the backlog and pushes it later', async () => {
    const remote = join(root, 'remote.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const metrics = new FeedbackMetrics(new Registry());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: true, clock, logger: silentLogger(), metrics, batchDelayMs: 60_000, retryDelayMs: 60_000 });
    await rename(remote, `${remote}.away`);
    await log.record(decision('a', '2026-11-21T10:00:00.000Z'));
    await expect(log.flush()).rejects.toThrow(/push to origin/);
    expect(log.backlog).toBe(1);
    expect((await metrics.registry.getSingleMetricAsString('metricops_feedback_audit_backlog')).trim()).toMatch(/ 1$/);
    await log.record(decision('b', '2026-11-21T11:00:00.000Z'));
    await rename(`${remote}.away`, remote);
    await log.flush();
    expect(log.backlog).toBe(0);
    const check = await GitRepository.clone(remote, join(root, 'check'), silentLogger());
    const ids = (await readFile(join(check.dir, 'audit', '2026-11-21.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => (JSON.parse(line) as DecisionRecord).id);
    expect(ids).toEqual(['a', 'b']);
    await log.close();
  }, 30_000);

  test('starting on a clone of an empty remote leaves no backlog and pushes the first record', async () => {
    const remote = join(root, 'empty.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const repo = await GitRepository.clone(remote, join(root, 'clone'), silentLogger());
    const metrics = new FeedbackMetrics(new Registry());
    const log = new GitAuditLog({ repo: openedRepository(repo), push: true, clock, logger: silentLogger(), metrics, batchDelayMs: 60_000 });
    await log.start();
    expect(log.backlog).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_git_failures_total')).not.toContain('recorder="audit-log"');
    await log.record(decision('a', '2026-11-21T10:00:00.000Z'));
    await log.flush();
    expect(git(remote, 'log', '--format=%s', 'main')).toBe('audit: rolled-back shop/checkout (CheckoutBurn)');
    await log.close();
  }, 30_000);

  test('lines an earlier run wrote but did not commit are committed at start', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    const first = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger(), batchDelayMs: 60_000 });
    await first.record(decision('a', '2026-11-21T10:00:00.000Z'));
    await first.flush();
    await writeFile(join(repo.dir, 'audit', '2026-11-21.jsonl'), JSON.stringify(decision('b', '2026-11-21T11:00:00.000Z')) + '\n', { flag: 'a' });
    const second = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger() });
    await second.start();
    expect((await repo.log()).map((entry) => entry.message)).toEqual(['audit: record decisions left by an earlier run', 'audit: rolled-back shop/checkout (CheckoutBurn)']);
    await second.close();
  }, 20_000);

  test('a commit that fails is retried with a one-line message, not unchanged, and the failures are counted until it lands', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    const messages: string[] = [];
    let refuse = 1;
    // The repository refuses the first commit whatever it is (as git did for a message over the argument limit).
    const flaky = Object.create(repo) as GitRepository;
    flaky.commit = async (paths: string[], message: string) => {
      messages.push(message);
      if (refuse-- > 0) throw new Error('spawn E2BIG');
      return repo.commit(paths, message);
    };
    const metrics = new FeedbackMetrics(new Registry());
    const log = new GitAuditLog({ repo: openedRepository(flaky), push: false, clock, logger: silentLogger(), metrics, batchDelayMs: 60_000, retryDelayMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd']) await log.record(decision(id, '2026-11-21T10:00:00.000Z'));
    await expect(log.flush()).rejects.toThrow('E2BIG');
    expect(log.backlog).toBe(4);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_audit_consecutive_failures')).toMatch(/ 1$/m);
    await log.flush();
    expect(log.backlog).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('metricops_feedback_audit_consecutive_failures')).toMatch(/ 0$/m);
    expect(messages[0]).toMatch(/^audit: 4 decisions: .*\n\n/);
    expect(messages[1]).toBe('audit: 4 decisions (see the audit/*.jsonl changes)');
    expect(git(repo.dir, 'log', '-1', '--format=%s')).toBe('audit: 4 decisions (see the audit/*.jsonl changes)');
    // Later batches get the full message again.
    await log.record(decision('e', '2026-11-21T11:00:00.000Z'));
    await log.flush();
    expect(git(repo.dir, 'log', '-1', '--format=%s')).toBe('audit: rolled-back shop/checkout (CheckoutBurn)');
    await log.close();
  });

  test('a stale index.lock left by an earlier run is removed at start, so the log commits', async () => {
    const repo = await GitRepository.open(join(root, 'audit-repo'), silentLogger());
    await writeFile(join(repo.dir, '.git', 'index.lock'), '');
    const log = new GitAuditLog({ repo: openedRepository(repo), push: false, clock, logger: silentLogger(), batchDelayMs: 60_000 });
    await log.start();
    await log.record(decision('a', '2026-11-21T10:00:00.000Z'));
    await log.flush();
    expect(log.backlog).toBe(0);
    await log.close();
  });
});

describe('commitMessage', () => {
  test('lists decisions up to the body bound, then counts the rest', () => {
    const records = Array.from({ length: 5_000 }, (_, index) => decision(`id${index}`, '2026-11-21T10:00:00.000Z'));
    const message = commitMessage(records);
    const [subject, , ...body] = message.split('\n');
    expect(subject).toBe('audit: 5000 decisions: rolled-back shop/checkout (CheckoutBurn), rolled-back shop/checkout (CheckoutBurn), rolled-back shop/checkout (CheckoutBurn), ...');
    expect(Buffer.byteLength(body.join('\n'))).toBeLessThanOrEqual(MAX_COMMIT_BODY_BYTES + 200);
    expect(body[0]).toBe('rolled-back shop/checkout (CheckoutBurn) [id0]');
    expect(body.at(-1)).toMatch(new RegExp(`^\\.\\.\\. and ${5_000 - (body.length - 1)} more decisions: every decision of this commit is a line of its audit/\\*\\.jsonl changes$`));
  });

  test('names from alert labels stay on one short line', () => {
    const record = decision('x', '2026-11-21T10:00:00.000Z');
    record.alert.name = `Injected\n\nfake: trailer\r${'A'.repeat(500)}`;
    const [subject, blank, body] = commitMessage([record]).split('\n');
    expect(subject).toMatch(/^audit: rolled-back shop\/checkout \(Injected fake: trailer A+\.\.\.\)$/);
    expect(subject!.length).toBeLessThan(200);
    expect([blank, body]).toEqual(['', 'decision x']);
  });
});
