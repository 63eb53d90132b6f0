/**
 * A small HTTP server on 127.0.0.1 that answers list and watch requests the way kube-apiserver does (paged lists
 * with continue tokens, chunked watch streams of JSON lines), for informer tests. Watches stay open until the test
 * writes events or closes them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continue?: string;
}

export interface Watcher {
  path: string;
  query: URLSearchParams;
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR', object: unknown): void;
  close(): void;
}

export class FakeApiserver {
  readonly requests: string[] = [];
  /** path -> pages in order (a request with ?continue=X gets the page after the one that returned X). */
  private readonly lists = new Map<string, ListPage[]>();
  private readonly failures = new Map<string, number[]>();
  private readonly watchers: Watcher[] = [];
  private readonly waiting: Array<{ path: string; resourceVersion: string; resolve: (watcher: Watcher) => void }> = [];
  private server: Server | undefined;

  setList(path: string, pages: ListPage[]): void {
    this.lists.set(path, pages);
  }

  /** The next requests to `path` (list or watch) fail with these statuses, in order. */
  failNext(path: string, ...statuses: number[]): void {
    this.failures.set(path, statuses);
  }

  /** The watch of `path` from `resourceVersion`: the one open already, or the next to come. */
  nextWatch(path: string, resourceVersion: string): Promise<Watcher> {
    const matches = (watcher: Watcher) => watcher.path === path && watcher.query.get('resourceVersion') === resourceVersion;
    const open = this.watchers.find(matches);
    if (open) {
      this.watchers.splice(this.watchers.indexOf(open), 1);
      return Promise.resolve(open);
    }
    return new Promise((resolve) => this.waiting.push({ path, resourceVersion, resolve }));
  }

  /** Ends every open watch and forgets lists, failures and requests: between tests. */
  reset(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
    this.waiting.length = 0;
    this.lists.clear();
    this.failures.clear();
    this.requests.length = 0;
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  kubeConfig(port: number): KubeConfig {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return config;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const failure = this.failures.get(url.pathname)?.shift();
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: failure, message: 'injected failure' }));
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      const watcher: Watcher = {
        path: url.pathname,
        query: url.searchParams,
        send: (type, object) => res.write(`${JSON.stringify({ type, object })}\n`),
        close: () => res.end(),
      };
      res.on('close', () => {
        const index = this.watchers.indexOf(watcher);
        if (index >= 0) this.watchers.splice(index, 1);
      });
      const waiting = this.waiting.find(
        (entry) => entry.path === url.pathname && entry.resourceVersion === url.searchParams.get('resourceVersion'),
      );
      if (waiting) {
        this.waiting.splice(this.waiting.indexOf(waiting), 1);
        waiting.resolve(watcher);
      } else {
        this.watchers.push(watcher);
      }
      return;
    }
    const pages = this.lists.get(url.pathname);
    if (!pages) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    const token = url.searchParams.get('continue');
    const index = token ? pages.findIndex((page) => page.continue === token) + 1 : 0;
    const page = pages[index] ?? { items: [], resourceVersion: '0' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: page.resourceVersion, ...(page.continue ? { continue: page.continue } : {}) }, items: page.items }),
    );
  }
}
