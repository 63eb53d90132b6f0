// GitOps rollbacks when things go wrong, under a real Flux (2 s intervals) with Git over smart HTTP: the GitOps
// repository and the audit repositories live on the harness Git server. Two `metricops feedback` processes (a, b)
// share the GitOps repository; each has its own audit repository. The checkout Deployment is deployed by commit
// (the real webhook stamps it); alerts are posted as Alertmanager would post them.
// 1. Duplicate notifications to both processes: one rollback, one write-back commit.
// 2. A person pushes an unrelated commit while metricops' push is on its way: both survive (rebase, never force).
// 3. The Git server is down from before the rollback until 2 minutes later, and the process holding the Deployment
//    restarts in between: the bad version never comes back, the user sees the hold and the failing write-back, and
//    the end state is the good version in the cluster and in Git, the hold released, no audit record lost. A fresh
//    process (no clone yet) started during the outage starts and gets ready.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Annotations } from '../../common/contract/annotations.js';
import { FluxKeys } from '../../common/contract/flux.js';
import { parseGitOpsHold } from '../../common/contract/gitops-hold.js';
import type { DecisionRecord } from '../../feedback-pipeline/model.js';
import { EventReasons } from '../../feedback-pipeline/recorders/event-recorder.js';
import { chainedSteps } from './chained-steps.js';
import { e2eCluster } from './harness/cluster.js';
import { pageNotification, startFeedback, type FeedbackProcess } from './harness/feedback-fixtures.js';
import { git } from './harness/git.js';
import { GitOpsRepository } from './harness/gitops-repository.js';
import { DEPLOYMENT, GITOPS, IMAGE, loopForTest, NAMESPACE, type MetricopsLoop } from './harness/metricops-loop.js';
import { sleep, waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const OUTAGE_MS = 120_000;
let loop: MetricopsLoop;
const feedback: Record<'a' | 'b', FeedbackProcess | undefined> = { a: undefined, b: undefined };
const auditRepos: Record<'a' | 'b', GitOpsRepository | undefined> = { a: undefined, b: undefined };

let end: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ loop, end } = await loopForTest(cluster, 'gitops-faults', 'gitops'));
});

afterAll(async () => {
  await Promise.all([feedback.a?.stop(), feedback.b?.stop()]);
  await end?.();
});

const step = chainedSteps();

function startProcess(name: 'a' | 'b'): Promise<FeedbackProcess> {
  return startFeedback({
    name, kubeconfigPath: cluster.kubeconfigPath, dir: join(loop.options.workDir, 'feedback'),
    gitRepo: auditRepos[name]!.url, gitopsRepo: loop.gitopsRepository!.url,
    // A short cooldown: each scenario rolls the same Deployment back again.
    extraArgs: ['--flux-reconcile', 'auto', '--cooldown', '1s'],
  });
}

/** A page alert for checkout that started now (after the rollout), as Alertmanager posts it. */
function notification(): object {
  return pageNotification({ namespace: NAMESPACE, deployment: DEPLOYMENT, startsAt: new Date(Date.now() + 1_000) });
}

async function decisions(): Promise<DecisionRecord[]> {
  const lists = await Promise.all([feedback.a!.decisions(NAMESPACE, DEPLOYMENT), feedback.b!.decisions(NAMESPACE, DEPLOYMENT)]);
  return lists.flat();
}

async function writeBackCommits(): Promise<string[]> {
  await git(loop.gitopsDir, ['fetch', '--quiet', 'origin']);
  return (await git(loop.gitopsDir, ['log', '--format=%H', '--fixed-strings', '--grep=Metricops-Decision: ', 'origin/main'])).split('\n').filter(Boolean);
}

/** Every audit record pushed to an audit repository on the Git server. */
async function pushedAuditRecords(name: 'a' | 'b'): Promise<DecisionRecord[]> {
  const repo = auditRepos[name]!;
  await git(repo.dir, ['pull', '--quiet', '--rebase', 'origin', 'main']);
  const files = (await git(repo.dir, ['ls-files', 'audit'])).split('\n').filter(Boolean);
  const records: DecisionRecord[] = [];
  for (const file of files) records.push(...(await readFile(join(repo.dir, file), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as DecisionRecord));
  return records;
}

async function deployBad(version: string): Promise<void> {
  await sleep(1_100); // deployed-at has second precision.
  await loop.deploy(version);
}

describe('GitOps rollbacks when things go wrong', () => {
  step('setup: Flux deploys v1 by commit; two feedback processes with audit repositories on the Git server', async () => {
    await loop.compileRules();
    await loop.startWebhook();
    await loop.startGitOps();
    for (const name of ['a', 'b'] as const) {
      auditRepos[name] = await GitOpsRepository.create(loop.gitServer!, `audit-${name}`, join(loop.options.workDir, 'audit-clones'));
      await auditRepos[name]!.commit('start the audit log', { 'README.md': `audit log of feedback ${name}\n` });
    }
    [feedback.a, feedback.b] = await Promise.all([startProcess('a'), startProcess('b')]);
    await loop.deploy('v1');
    await loop.watchTemplate();
  });

  step('duplicate notifications to two feedback processes: one rollback, one write-back commit', async () => {
    await deployBad('v2');
    const body = notification();
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? feedback.a! : feedback.b!).notify(body)));
    expect(statuses).toEqual(Array(10).fill(202));
    const followed = await loop.followGitOpsRollback(60_000);
    expect(await writeBackCommits()).toEqual([followed.writeBack.commit]);
    const all = await waitFor(async () => {
      const found = await decisions();
      return found.filter((record) => !record.gitops || record.gitops.stage === 'holding').length >= 2 ? found : undefined;
    }, { what: 'a decision from each process' });
    const rollbacks = all.filter((record) => record.outcome === 'rolled-back' && record.gitops?.stage === 'holding');
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]!.gitCommit).toBe(followed.writeBack.commit);
    // The other process found it done: already-rolled-back, or (its cache quicker) a skip because the alert started
    // before the rollback or within the cooldown.
    const others = all.filter((record) => !record.gitops);
    expect(others).toHaveLength(1);
    expect(others[0]!.outcome === 'already-rolled-back' || ['started-before-rollout', 'cooldown'].includes(others[0]!.skip ?? '')).toBe(true);
    expect((await loop.readDeployment()).image).toBe(`${IMAGE}:v1`);
    expect(loop.flipBacks('v1', 'v2')).toBe(0);
  });

  step('a person pushes an unrelated commit while metricops\' write-back push is on its way: both survive, nothing forced', async () => {
    await deployBad('v3');
    const before = await writeBackCommits();
    const gate = loop.gitServer!.holdNextPush(GITOPS.repository);
    expect(await feedback.a!.notify(notification())).toBe(202);
    await gate.arrived; // metricops committed and is pushing: the person's push overtakes it.
    const person = await loop.gitopsRepository!.commit('docs: how to reach the checkout team', { 'docs/checkout.md': 'checkout: #team-checkout\n' });
    gate.release();
    const followed = await loop.followGitOpsRollback(60_000);
    expect((await writeBackCommits()).filter((hash) => !before.includes(hash))).toEqual([followed.writeBack.commit]);
    // The person's commit is in the history below the write-back (rebased onto, not overwritten).
    await git(loop.gitopsDir, ['merge-base', '--is-ancestor', person, followed.writeBack.commit]);
    expect(await git(loop.gitopsDir, ['show', `origin/main:docs/checkout.md`])).toBe('checkout: #team-checkout\n');
    expect(await git(loop.gitopsDir, ['show', `origin/main:${GITOPS.manifestPath}`])).toContain(`image: ${IMAGE}:v1`);
    expect((await git(loop.gitopsDir, ['log', '-1', '--format=%s', `${followed.writeBack.commit}~1`])).trim()).toBe('docs: how to reach the checkout team');
    expect((await loop.readDeployment()).image).toBe(`${IMAGE}:v1`);
    expect(loop.flipBacks('v1', 'v3')).toBe(0);
  });

  step('the Git server is down for 2 minutes from before the rollback, and the holding process restarts meanwhile', async () => {
    await deployBad('v4');
    const auditBefore = (await pushedAuditRecords('a')).length;
    await loop.gitServer!.stop();
    const downAt = Date.now();
    expect(await feedback.a!.notify(notification())).toBe(202);
    await loop.waitForTemplate('v1');

    // What the user sees while Git is down (docs/design.md "Rollbacks under a GitOps engine", "When Git is down").
    const held = await loop.readDeployment();
    const hold = parseGitOpsHold(held.annotations[Annotations.gitopsHold] ?? '');
    expect(hold.ok && hold.value.writeBack).toBe(undefined);
    expect(hold.ok && hold.value.to.images).toEqual({ checkout: `${IMAGE}:v1` });
    expect(held.annotations[FluxKeys.reconcile]).toBe('disabled');
    const warning = await waitFor(async () => (await loop.events()).find((event) => event.reason === EventReasons.writeBackFailed), { what: 'a WriteBackFailed Event' });
    expect(warning.type).toBe('Warning');
    expect(warning.message).toMatch(/keeps holding shop\/checkout at the good images and retries/);
    const metrics = await (await fetch(`${feedback.a!.url}/metrics`)).text();
    expect(metrics).toMatch(/metricops_feedback_gitops_holds 1/);
    expect(metrics).toMatch(/metricops_feedback_git_failures_total\{recorder="gitops"\} [1-9]/);
    expect(metrics).toMatch(/metricops_feedback_gitops_steps_total\{stage="write-back-failed"\} 1/);
    const record = (await feedback.a!.decisions(NAMESPACE, DEPLOYMENT)).find((candidate) => candidate.gitops?.stage === 'holding' && candidate.error);
    expect(record?.error).toMatch(/GitOps write-back of deploy\/checkout.yaml failed: .*the Deployment stays held and the write-back is retried/);

    // The holding process restarts while Git is down: it resumes the hold from the annotation.
    await sleep(30_000);
    await feedback.a!.stop();
    feedback.a = await startProcess('a');
    await waitFor(async () => (/metricops_feedback_gitops_holds 1/.test(await (await fetch(`${feedback.a!.url}/metrics`)).text()) ? true : undefined), {
      what: 'the restarted process to keep the hold',
    });
    // A fresh pod (no clone yet, as on another node) that starts while Git is down: it starts and gets ready; its
    // remotes are cloned when first needed. It watches another namespace only, to stay out of this hold.
    const fresh = await startFeedback({
      name: 'fresh', kubeconfigPath: cluster.kubeconfigPath, dir: join(loop.options.workDir, 'feedback'),
      gitRepo: auditRepos.a!.url, gitopsRepo: loop.gitopsRepository!.url, extraArgs: ['--namespaces', 'kube-public'],
    });
    try {
      const log = await readFile(join(loop.options.workDir, 'feedback', 'fresh.log'), 'utf8');
      expect(log).toContain('cannot clone the audit log repository now: rollbacks go on');
      expect(log).toContain('cannot clone the GitOps repository now: rollbacks go on');
    } finally {
      await fresh.stop();
    }
    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
    // Held all along: v4 never came back, although Flux kept applying its last fetched revision (v4's commit).
    expect(loop.flipBacks('v1', 'v4')).toBe(0);
    expect((await loop.readDeployment()).annotations[Annotations.gitopsHold]).toBeDefined();

    await loop.gitServer!.start();
    const followed = await loop.followGitOpsRollback(120_000);
    expect(followed.writeBack.subject).toMatch(/^revert checkout to v1: /);
    expect((await loop.readDeployment()).image).toBe(`${IMAGE}:v1`);
    expect(await git(loop.gitopsDir, ['show', `origin/main:${GITOPS.manifestPath}`])).toContain(`image: ${IMAGE}:v1`);
    expect(loop.flipBacks('v1', 'v4')).toBe(0);

    // No audit record lost: the decision and each step of the hold reached the audit repository on the Git server.
    const records = await waitFor(async () => {
      const pushed = await pushedAuditRecords('a');
      return pushed.some((candidate) => candidate.gitops?.stage === 'released' && candidate.id === record?.id) ? pushed : undefined;
    }, { what: 'the audit records of the outage pushed', timeoutMs: 120_000, intervalMs: 2_000 });
    const stages = records.slice(auditBefore).filter((candidate) => candidate.id === record?.id).map((candidate) => candidate.gitops?.stage);
    expect(stages).toEqual(['holding', 'write-back-failed', 'written-back', 'released']);
    const events = (await loop.events()).map((event) => event.reason);
    expect(events).toEqual(expect.arrayContaining([EventReasons.writeBackFailed, EventReasons.writtenBack, EventReasons.released]));
  }, OUTAGE_MS + 240_000);
});
