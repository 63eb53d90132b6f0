/**
 * The hold keeper: the part of a GitOps rollback that comes after the cluster patch. The patch set the hold
 * (`metricops.io/gitops-hold` + Flux's `kustomize.toolkit.fluxcd.io/reconcile: disabled`) together with the good
 * template, so the GitOps engine cannot re-apply the bad images; the keeper then, for each held Deployment:
 *
 *   1. writes the good images back to Git (idempotent; retried with backoff, 1 s doubling to 20 s, for as long as
 *      Git is unreachable; the first failure and the late success are recorded);
 *   2. records the pushed revision in the hold annotation (the durable state: a restarted process, or another
 *      replica, resumes every hold from the annotation and never writes a second commit);
 *   3. asks Flux to fetch now (opt-in, GitRepository `reconcile.fluxcd.io/requestedAt`);
 *   4. releases the hold once the engine has the write-back revision: Flux's Kustomization reports a
 *      lastAppliedRevision that contains it; without Flux's status, once Git's branch head contains it with the good
 *      images in the manifest and `settleMs` have passed since the push;
 *   and at every step, if the bad images came back while held (an apply that read the object just before the hold
 *   landed, a person), puts the good ones back at once (recorded as `reverted`); other images mean someone deployed
 *   something new: the hold is released to them (`superseded`).
 *
 * Every write to the Deployment is a JSON Patch that tests what was read, so two keepers never both write.
 * docs/design.md "Rollbacks under a GitOps engine" is the design; this file is its code.
 */
import type { Operation } from 'fast-json-patch';
import type { V1Deployment } from '@kubernetes/client-node';
import type { Clock } from '../../common/clock.js';
import { Annotations } from '../../common/contract/annotations.js';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { commitOfFluxRevision } from '../../common/contract/flux.js';
import { parseGitOpsHold, type GitOpsHoldRecord } from '../../common/contract/gitops-hold.js';
import { templateImages } from '../../common/contract/images.js';
import type { Logger } from '../../common/logger.js';
import { hasAnyImage, hasImages, releaseHoldPatch, restoreImagesPatch, updateHoldPatch } from '../core/gitops-hold-patch.js';
import { statusOf } from '../kubernetes/retry.js';
import type { FeedbackMetrics } from '../metrics.js';
import type { DecisionRecord, DeploymentState, GitOpsStage } from '../model.js';
import type { DecisionRecorder, GitOpsHolds, GitOpsWriter, WriteBackRequest, WriteBackResult } from '../ports.js';
import type { FluxEngine, FluxObjectRef } from './flux-reconcile.js';

/** What the keeper reads: the informer cache (no API call per tick). */
export interface HeldDeployments {
  getDeployment(namespace: string, name: string): DeploymentState | undefined;
  /** Every cached Deployment that has the annotation (to resume holds after a restart). */
  deploymentsWithAnnotation(annotation: string): DeploymentState[];
}

/** What the keeper writes: fresh reads and guarded JSON Patches of one Deployment. */
export interface HoldCluster {
  read(deployment: DeploymentRef): Promise<V1Deployment>;
  /** Throws the API error (statusOf(): 422 when a test op fails, 409 on a lost race). */
  patch(deployment: DeploymentRef, ops: Operation[]): Promise<void>;
}

/** The write-back, and what the keeper asks Git before releasing. */
export interface HoldWriter extends GitOpsWriter {
  /** True when `applied` is `revision` or comes after it. */
  contains(applied: string, revision: string): Promise<boolean>;
  /** True when Git's branch head contains `revision` and the manifest there has the good images. */
  headHas(revision: string, request: Pick<WriteBackRequest, 'deployment' | 'gitPath' | 'to'>): Promise<boolean>;
}

export interface HoldKeeperSettings {
  /** How often each hold is looked at (cache reads; Flux status and Git when due). Default 500 ms. */
  tickMs: number;
  /** Without Flux's status: how long after the push the hold is released (longer than the GitRepository interval). Default 2 min. */
  settleMs: number;
  /** Write-back retries: first delay and the cap of the doubling. Default 1 s, 20 s. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** How often the cache is scanned for holds nobody keeps (an earlier run's, a stopped replica's). Default 30 s. */
  rescanMs: number;
  /** A hold younger than this is left to the process that set it by the periodic scan (not the one at start). Default 5 min. */
  adoptAfterMs: number;
}

export const DEFAULT_HOLD_KEEPER_SETTINGS: HoldKeeperSettings = {
  tickMs: 500,
  settleMs: 120_000,
  retryInitialMs: 1_000,
  retryMaxMs: 20_000,
  rescanMs: 30_000,
  adoptAfterMs: 5 * 60_000,
};

export interface HoldKeeperOptions {
  deployments: HeldDeployments;
  cluster: HoldCluster;
  writer: HoldWriter;
  /** Flux (opt-in): status of the Kustomization, reconcile requests. Without it the keeper relies on Git and settleMs. */
  flux?: FluxEngine;
  /** Where each step of a hold is recorded (Events, audit log, metrics). */
  recorders: DecisionRecorder[];
  clock: Clock;
  logger: Logger;
  metrics?: FeedbackMetrics;
  settings?: Partial<HoldKeeperSettings>;
}

type FirstWrite = WriteBackResult | { error: string };

/** One held Deployment, as this process keeps it. */
interface Held {
  ref: DeploymentRef;
  hold: GitOpsHoldRecord;
  /** The annotation's text as last read ('' before the cache has shown it): what guarded writes test. */
  text: string;
  written?: WriteBackResult;
  pushedAt?: number;
  /** The annotation names the pushed revision. */
  persisted: boolean;
  attempts: number;
  nextAttemptAt: number;
  writing?: Promise<FirstWrite>;
  /** undefined: not looked up yet; null: the Deployment is not Flux's (or Flux is off). */
  kustomization?: FluxObjectRef | null;
  reconcileRequestedFor?: string;
  nextFluxCallAt: number;
  busy: boolean;
  startedAt: number;
  /** Taken from the annotation (a restart, another replica's hold), not from this process's own rollback. */
  resumed: boolean;
  /** A first write-back failure to record on the next look (after the pipeline recorded the decision itself). */
  failureToRecord?: string;
}

export class GitOpsHoldKeeper implements GitOpsHolds {
  private readonly held = new Map<string, Held>();
  private readonly settings: HoldKeeperSettings;
  private timers: NodeJS.Timeout[] = [];
  private ticking?: Promise<void>;

  constructor(private readonly options: HoldKeeperOptions) {
    this.settings = { ...DEFAULT_HOLD_KEEPER_SETTINGS, ...options.settings };
  }

  /** Holds kept now, by Deployment. */
  get size(): number {
    return this.held.size;
  }

  /** Resumes every hold in the cache (call once the cache has synced), then looks at each hold every tickMs. */
  start(): void {
    this.rescan(true);
    this.timers.push(setInterval(() => void this.tick(), this.settings.tickMs));
    this.timers.push(setInterval(() => this.rescan(false), this.settings.rescanMs));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.ticking;
    await Promise.allSettled([...this.held.values()].map((held) => held.writing));
  }

  /**
   * Takes a hold the rollback just set: makes the first write-back attempt (returned: the record carries it) and
   * keeps the hold afterwards.
   */
  keep(deployment: DeploymentRef, hold: GitOpsHoldRecord): Promise<FirstWrite> {
    const key = namespacedName(deployment);
    let held = this.held.get(key);
    if (!held || held.hold.decision !== hold.decision) {
      held = this.track(deployment, hold, '', false);
      this.options.logger.info({ deployment: key, decision: hold.decision }, 'holding the Deployment against the GitOps engine until it has the write-back');
    }
    return this.writeBack(held);
  }

  /** One look at every hold (the timer calls it; tests call it directly). */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    const run = Promise.all([...this.held.values()].map((held) => this.step(held))).then(() => undefined);
    this.ticking = run.finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private track(ref: DeploymentRef, hold: GitOpsHoldRecord, text: string, resumed: boolean): Held {
    const now = this.now();
    const held: Held = {
      ref, hold, text, persisted: hold.writeBack !== undefined, attempts: 0, nextAttemptAt: now, nextFluxCallAt: now, busy: false, startedAt: now, resumed,
    };
    if (hold.writeBack) {
      held.written = { commit: hold.writeBack.commit, revision: hold.writeBack.revision };
      held.pushedAt = Date.parse(hold.writeBack.pushedAt);
    }
    this.held.set(namespacedName(ref), held);
    this.options.metrics?.gitopsHolds.set(this.held.size);
    return held;
  }

  private forget(held: Held): void {
    if (this.held.get(namespacedName(held.ref)) === held) this.held.delete(namespacedName(held.ref));
    this.options.metrics?.gitopsHolds.set(this.held.size);
  }

  /** Takes the holds in the cache that nobody here keeps: all of them at start, only older ones later. */
  private rescan(atStart: boolean): void {
    const now = this.now();
    for (const deployment of this.options.deployments.deploymentsWithAnnotation(Annotations.gitopsHold)) {
      const key = namespacedName(deployment);
      if (this.held.has(key)) continue;
      const text = deployment.annotations[Annotations.gitopsHold]!;
      const parsed = parseGitOpsHold(text);
      if (!parsed.ok) {
        this.options.logger.error({ deployment: key, problem: parsed.problem }, `annotation ${Annotations.gitopsHold} is invalid: the hold is not kept; fix or remove it (and ${'kustomize.toolkit.fluxcd.io/reconcile'} if metricops set it)`);
        continue;
      }
      if (!atStart && now - Date.parse(parsed.value.since) < this.settings.adoptAfterMs) continue;
      this.options.logger.info({ deployment: key, decision: parsed.value.decision, since: parsed.value.since }, 'resuming a hold found on the Deployment');
      this.track({ namespace: deployment.namespace, name: deployment.name }, parsed.value, text, true);
    }
  }

  private async step(held: Held): Promise<void> {
    if (held.busy) return;
    held.busy = true;
    try {
      await this.advance(held);
    } catch (error) {
      this.options.logger.warn({ deployment: namespacedName(held.ref), err: (error as Error).message }, 'hold: step failed; trying again');
    } finally {
      held.busy = false;
    }
  }

  private async advance(held: Held): Promise<void> {
    const { deployments, logger } = this.options;
    const key = namespacedName(held.ref);
    const deployment = deployments.getDeployment(held.ref.namespace, held.ref.name);
    const text = deployment?.annotations[Annotations.gitopsHold];
    if (!deployment || text === undefined) {
      // Right after the rollback the cache may not show the patch yet; after that, gone means released elsewhere.
      if (held.text !== '' || this.now() - held.startedAt > 30_000) {
        logger.info({ deployment: key, decision: held.hold.decision }, deployment ? 'the hold was released elsewhere' : 'the held Deployment is gone');
        this.forget(held);
      }
      return;
    }
    if (text !== held.text && !this.adopt(held, text)) return;
    if (held.failureToRecord !== undefined) {
      const error = held.failureToRecord;
      held.failureToRecord = undefined;
      await this.recordStep(held, 'write-back-failed', `GitOps write-back of ${held.hold.gitPath} failed (${error}); metricops keeps holding ${key} at the good images and retries with backoff`, { error });
    }

    const images = templateImages(deployment.template);
    if (!hasImages(images, held.hold.to.images)) {
      if (hasAnyImage(images, held.hold.from.images, held.hold.to.images)) await this.undo(held);
      else await this.release(held, 'superseded', `Deployment ${key} now runs ${describeImages(images)}, deployed while metricops held it: the hold is released to that deploy`);
      return;
    }

    if (!held.written) {
      if (this.now() >= held.nextAttemptAt) await this.writeBack(held);
      if (!held.written) return;
    }
    const written = held.written;
    if (!held.persisted) await this.persist(held, written);

    const flux = this.options.flux;
    if (flux && this.now() >= held.nextFluxCallAt) {
      try {
        if (held.kustomization === undefined) held.kustomization = flux.kustomizationOf((await this.options.cluster.read(held.ref)).metadata?.labels) ?? null;
        if (held.reconcileRequestedFor !== written.revision) {
          held.reconcileRequestedFor = written.revision;
          const source = await flux.requestReconcile(held.kustomization ?? undefined);
          if (source) logger.info({ deployment: key, gitRepository: namespacedName(source), revision: written.revision }, 'asked Flux to fetch the write-back now');
        }
        if (held.kustomization) {
          const applied = (await flux.status(held.kustomization)).lastAppliedRevision;
          if (applied && (await this.options.writer.contains(commitOfFluxRevision(applied), written.revision))) {
            await this.release(held, 'released', `Flux Kustomization ${namespacedName(held.kustomization)} applied ${applied}, which has the write-back ${short(written.revision)}: the hold on ${key} is released`, applied);
          }
          return;
        }
      } catch (error) {
        held.nextFluxCallAt = this.now() + 5_000;
        logger.warn({ deployment: key, err: (error as Error).message }, 'hold: cannot ask Flux (retrying in 5 s)');
        return;
      }
    }
    if (held.pushedAt !== undefined && this.now() - held.pushedAt >= this.settings.settleMs) {
      if (await this.options.writer.headHas(written.revision, this.request(held))) {
        await this.release(held, 'released', `Git has the write-back ${short(written.revision)} with the good images and ${Math.round(this.settings.settleMs / 1000)}s have passed since the push: the hold on ${key} is released`);
      }
    }
  }

  /** The annotation changed (another replica recorded the push, a new rollback replaced the hold): take what it says. */
  private adopt(held: Held, text: string): boolean {
    const parsed = parseGitOpsHold(text);
    if (!parsed.ok) {
      this.options.logger.error({ deployment: namespacedName(held.ref), problem: parsed.problem }, `annotation ${Annotations.gitopsHold} is invalid: the hold is not kept`);
      this.forget(held);
      return false;
    }
    if (parsed.value.decision !== held.hold.decision) {
      this.forget(held);
      this.track(held.ref, parsed.value, text, true);
      return false;
    }
    held.text = text;
    held.hold = parsed.value;
    if (parsed.value.writeBack) {
      held.persisted = true;
      if (!held.written) {
        held.written = { commit: parsed.value.writeBack.commit, revision: parsed.value.writeBack.revision };
        held.pushedAt = Date.parse(parsed.value.writeBack.pushedAt);
      }
    }
    return true;
  }

  private request(held: Held): WriteBackRequest {
    const { hold } = held;
    return {
      decision: hold.decision,
      deployment: held.ref,
      gitPath: hold.gitPath,
      alert: { name: hold.alert.name, fingerprint: hold.alert.fingerprint, startsAt: hold.alert.startsAt },
      reason: hold.reason,
      from: hold.from,
      to: hold.to,
    };
  }

  /** One write-back attempt (shared by concurrent callers); on failure the next is scheduled with backoff. */
  private writeBack(held: Held): Promise<FirstWrite> {
    if (held.written) return Promise.resolve(held.written);
    held.writing ??= this.attemptWriteBack(held).finally(() => {
      held.writing = undefined;
    });
    return held.writing;
  }

  private async attemptWriteBack(held: Held): Promise<FirstWrite> {
    const key = namespacedName(held.ref);
    held.attempts += 1;
    try {
      const written = await this.options.writer.writeBack(this.request(held));
      held.written = written;
      held.pushedAt = this.now();
      // The decision's record has the first attempt's commit; a late write-back (or one of a resumed hold) gets its own.
      if (held.attempts > 1 || held.resumed) {
        const after = held.resumed ? ' (a hold resumed from the Deployment\'s annotation)' : ` after ${held.attempts} attempts`;
        await this.recordStep(held, 'written-back', `wrote the good images of ${key} back to Git${after}: ${describeWrite(written)}`);
      }
      return written;
    } catch (error) {
      const message = (error as Error).message;
      const delay = Math.min(this.settings.retryInitialMs * 2 ** (held.attempts - 1), this.settings.retryMaxMs);
      held.nextAttemptAt = this.now() + delay;
      this.options.logger.warn({ deployment: key, attempt: held.attempts, retryInMs: delay, err: message }, 'GitOps write-back failed; the Deployment stays held, retrying');
      // Recorded once per hold, by the process that rolled back, after its decision record (the next look); a
      // resumed hold's failures are logged and counted.
      if (held.attempts === 1 && !held.resumed) held.failureToRecord = message;
      return { error: message };
    }
  }

  /** Writes the pushed revision into the hold annotation, so a restart does not wait for the push again. */
  private async persist(held: Held, written: WriteBackResult): Promise<void> {
    if (held.text === '') return; // Not in the cache yet: the next tick.
    const hold: GitOpsHoldRecord = {
      ...held.hold,
      writeBack: { revision: written.revision, commit: written.commit, pushedAt: new Date(held.pushedAt ?? this.now()).toISOString() },
    };
    try {
      await this.options.cluster.patch(held.ref, updateHoldPatch(held.text, hold));
      held.persisted = true;
    } catch (error) {
      if (!isConflict(error)) throw error;
      held.text = ''; // Someone else wrote it: read again.
    }
  }

  /** The bad images came back while held: put the good ones back (a guarded patch of the images only). */
  private async undo(held: Held): Promise<void> {
    const key = namespacedName(held.ref);
    const live = await this.options.cluster.read(held.ref);
    if (live.metadata?.annotations?.[Annotations.gitopsHold] !== held.text) return;
    const ops = restoreImagesPatch(live, held.hold.to.images);
    if (ops.length === 0) return;
    const now = live.spec?.template ? describeImages(templateImages(live.spec.template)) : '?';
    try {
      await this.options.cluster.patch(held.ref, ops);
    } catch (error) {
      if (isConflict(error)) return;
      throw error;
    }
    this.options.logger.warn({ deployment: key, was: now }, 'the bad images came back while held: put the good ones back');
    await this.recordStep(held, 'reverted', `the bad images came back on ${key} while metricops held it (${now}); metricops put ${describeImages(held.hold.to.images)} back`);
  }

  private async release(held: Held, stage: 'released' | 'superseded', message: string, applied?: string): Promise<void> {
    const live = await this.options.cluster.read(held.ref);
    const text = live.metadata?.annotations?.[Annotations.gitopsHold];
    if (text === undefined) {
      this.forget(held);
      return;
    }
    if (text !== held.text) {
      held.text = '';
      return;
    }
    try {
      await this.options.cluster.patch(held.ref, releaseHoldPatch(live, text, held.hold));
    } catch (error) {
      if (isConflict(error)) return;
      throw error;
    }
    this.forget(held);
    this.options.metrics?.gitopsHoldSeconds.observe(Math.max(0, this.now() - Date.parse(held.hold.since)) / 1000);
    this.options.logger.info({ deployment: namespacedName(held.ref), decision: held.hold.decision, applied }, message);
    await this.recordStep(held, stage, message, applied ? { applied } : {});
  }

  private async recordStep(held: Held, stage: GitOpsStage, message: string, extra: { error?: string; applied?: string } = {}): Promise<void> {
    const { hold } = held;
    const record: DecisionRecord = {
      id: hold.decision,
      time: this.options.clock.now().toISOString(),
      outcome: 'rolled-back',
      reason: message,
      alert: { name: hold.alert.name, fingerprint: hold.alert.fingerprint, labels: {}, startsAt: hold.alert.startsAt, source: hold.alert.source },
      deployment: held.ref,
      gitops: {
        stage,
        heldSince: hold.since,
        ...(held.written ? { revision: held.written.revision } : {}),
        ...(extra.applied ? { applied: extra.applied } : {}),
      },
      ...(held.written?.commit ? { gitCommit: held.written.commit } : {}),
      ...(extra.error ? { error: extra.error } : {}),
    };
    const results = await Promise.allSettled(this.options.recorders.map((recorder) => recorder.record(record)));
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        this.options.logger.error({ err: result.reason, recorder: this.options.recorders[index]?.name, id: record.id, stage }, 'a recorder failed on a hold step');
      }
    });
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }
}

/** A guarded patch whose test op failed (422) or that lost an optimistic-lock race (409): read again. */
function isConflict(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 422;
}

function short(revision: string): string {
  return revision.slice(0, 12);
}

function describeImages(images: Readonly<Record<string, string>>): string {
  return Object.entries(images).map(([container, image]) => `${container}=${image}`).join(', ') || 'no containers';
}

function describeWrite(written: WriteBackResult): string {
  return written.commit ? `commit ${short(written.commit)}` : `Git already had them at ${short(written.revision)}`;
}
