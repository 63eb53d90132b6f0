/**
 * One list-then-watch loop (client-go's reflector) over plain HTTPS: lists a collection page by page (`limit`),
 * slimming each page as it arrives so only the slim objects outlive it, replaces the store with the list, then watches
 * from the list's resourceVersion (bookmarks on), resumes each ended watch from the last resourceVersion seen,
 * relists on 410 Gone, and restarts after errors with a doubling backoff. The store and its change events belong to
 * the caller (the informer cache), so one cache can hold several reflectors (one per namespace).
 */
import type { Logger } from '../../common/logger.js';
import { KubeApiError, type KubeApi, type WatchEvent } from './api-client.js';
import type { Resource } from './resources.js';
import { describeApiError } from './retry.js';

export interface SlimObject {
  metadata: { namespace: string; name: string; resourceVersion: string };
}

/** What a reflector tells its store. */
export interface ReflectorSink<T extends SlimObject> {
  /** The full list: everything in it is current, everything else of this reflector's scope is gone. */
  replace(items: T[]): void;
  upsert(item: T): void;
  remove(item: T): void;
}

export interface ReflectorSettings {
  pageSize: number;
  watchTimeoutSeconds: number;
  restartDelayMs: number;
  maxRestartDelayMs: number;
}

class Gone extends Error {}

export class Reflector<T extends SlimObject> {
  private controller = new AbortController();
  private running: Promise<void> | undefined;
  private listedOnce = false;
  private readonly listed: Promise<void>;
  private markListed!: () => void;

  constructor(
    private readonly api: KubeApi,
    private readonly resource: Resource,
    /** undefined: all namespaces. */
    private readonly namespace: string | undefined,
    private readonly slim: (object: any) => T,
    private readonly sink: ReflectorSink<T>,
    private readonly settings: ReflectorSettings,
    private readonly logger: Logger,
  ) {
    this.listed = new Promise((resolve) => (this.markListed = resolve));
  }

  /** Resolves once the first list is in the store. */
  waitForList(): Promise<void> {
    return this.listed;
  }

  get synced(): boolean {
    return this.listedOnce;
  }

  /** Starts the loop; resolves after the first list (or the first failure of it: the loop goes on retrying). */
  start(): Promise<void> {
    this.controller = new AbortController();
    const firstAttempt = new Promise<void>((resolve) => {
      this.running = this.run(this.controller.signal, resolve);
    });
    return firstAttempt;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private get what(): string {
    return `${this.resource.plural}${this.namespace === undefined ? '' : ` in ${this.namespace}`}`;
  }

  private async run(signal: AbortSignal, attempted: () => void): Promise<void> {
    let delay = this.settings.restartDelayMs;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.list(signal);
          attempted();
          delay = this.settings.restartDelayMs;
        }
        resourceVersion = await this.watch(resourceVersion, signal);
        delay = this.settings.restartDelayMs;
      } catch (error) {
        attempted();
        if (signal.aborted) return;
        if (error instanceof Gone) {
          this.logger.info({ resource: this.what }, `the watch of ${this.what} expired (410 Gone): listing again`);
          resourceVersion = undefined;
          continue;
        }
        this.logger.warn({ error: describeApiError(error), resource: this.what, retryInMs: delay }, `watching ${this.what} failed; restarting`);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.settings.maxRestartDelayMs);
      }
    }
  }

  /** Lists every page (slimmed as it arrives) and replaces the store; returns the list's resourceVersion. */
  private async list(signal: AbortSignal): Promise<string> {
    const items: T[] = [];
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.api.listItems(this.resource, this.namespace, { limit: this.settings.pageSize, continue: next }, (item) => items.push(this.slim(item)), { signal, timeoutMs: 60_000 });
      resourceVersion = page.resourceVersion ?? resourceVersion;
      next = page.continue || undefined;
    } while (next);
    this.sink.replace(items);
    if (!this.listedOnce) {
      this.listedOnce = true;
      this.markListed();
    }
    return resourceVersion;
  }

  /** One watch until the apiserver ends it; returns the last resourceVersion seen. */
  private async watch(from: string, signal: AbortSignal): Promise<string> {
    let resourceVersion = from;
    let gone = false;
    await this.api.watch(
      this.resource,
      this.namespace,
      { resourceVersion: from, timeoutSeconds: this.settings.watchTimeoutSeconds, allowWatchBookmarks: true },
      (event: WatchEvent) => {
        if (event.type === 'ERROR') {
          const status = event.object as { code?: number; message?: string };
          if (status.code === 410) gone = true;
          else throw new KubeApiError(status.code ?? 0, undefined, status.message, `watch ${this.what}`);
          return;
        }
        const version = (event.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
        if (version) resourceVersion = version;
        if (event.type === 'BOOKMARK') return;
        const item = this.slim(event.object);
        if (event.type === 'DELETED') this.sink.remove(item);
        else this.sink.upsert(item);
      },
      signal,
    ).catch((error: unknown) => {
      if (error instanceof KubeApiError && error.status === 410) gone = true;
      else throw error;
    });
    if (gone) throw new Gone();
    return resourceVersion;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
