/**
 * The feedback pipeline's Kubernetes API client: plain HTTPS with one keep-alive connection pool (so a rollback's
 * patch reuses a warm TLS connection instead of a new handshake), JSON in and out, and typed errors. It reads and
 * writes plain JSON objects, never client-node's generated models: list pages and watch events are slimmed by the
 * caller as they arrive (kubernetes/cached-objects.ts). Transient failures are retried by the callers
 * (kubernetes/retry.ts), which read KubeApiError.status and Node's error codes.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConnection } from '../../common/kube-connection.js';
import { MetricopsError } from '../../common/errors.js';
import { ListItemScanner, type ListPageMetadata } from './list-items.js';
import { resourcePath, type Resource } from './resources.js';

/** The apiserver answered with an error status (its Status object's reason and message, when it sent one). */
export class KubeApiError extends MetricopsError {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    readonly apiMessage: string | undefined,
    readonly request: string,
  ) {
    super(`${request}: HTTP ${status}${reason ? ` ${reason}` : ''}${apiMessage ? `: ${apiMessage}` : ''}`);
  }
}

/** A request took longer than its timeout (retried as transient, like a connection reset). */
export class KubeTimeoutError extends MetricopsError {
  readonly code = 'ETIMEDOUT';
}

export type Query = Record<string, string | number | boolean | undefined>;
export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface CallOptions {
  signal?: AbortSignal;
  /** Default: the client's timeoutMs. */
  timeoutMs?: number;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, any>;
}

export interface KubeApiSettings {
  /** Per request (not for watches). Default 30 s. */
  timeoutMs?: number;
  /** Keep-alive connections kept open to the apiserver. Default 16. */
  maxSockets?: number;
}

export class KubeApi {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(
    private readonly connection: KubeConnection,
    settings: KubeApiSettings = {},
  ) {
    this.base = new URL(connection.server);
    this.timeoutMs = settings.timeoutMs ?? 30_000;
    const pool = { keepAlive: true, maxSockets: settings.maxSockets ?? 16, scheduling: 'lifo' as const };
    if (this.base.protocol === 'http:') {
      this.transport = http;
      this.agent = new http.Agent(pool);
    } else {
      this.transport = https;
      const { ca, cert, key, rejectUnauthorized, servername } = connection.tls;
      this.agent = new https.Agent({ ...pool, rejectUnauthorized, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(servername ? { servername } : {}) });
    }
  }

  get<T>(resource: Resource, namespace: string, name: string, options?: CallOptions): Promise<T> {
    return this.json('GET', resourcePath(resource, namespace, name), undefined, undefined, options);
  }

  /** One page or a whole collection (no namespace: all namespaces). */
  list<T>(resource: Resource, namespace: string | undefined, query: Query = {}, options?: CallOptions): Promise<T> {
    return this.json('GET', withQuery(resourcePath(resource, namespace), query), undefined, undefined, options);
  }

  /**
   * One page of a collection, its items handed to onItem one by one as they are parsed (kubernetes/list-items.ts),
   * never all alive at once; returns the page's metadata (resourceVersion, continue).
   */
  async listItems(resource: Resource, namespace: string | undefined, query: Query, onItem: (item: unknown) => void, options: CallOptions = {}): Promise<ListPageMetadata> {
    const path = withQuery(resourcePath(resource, namespace), query);
    const response = await this.send('GET', path, undefined, undefined, options);
    if (response.statusCode === undefined || response.statusCode >= 300) throw await this.errorOf(response, `GET ${path}`);
    const scanner = new ListItemScanner(onItem);
    await new Promise<void>((resolve, reject) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        try {
          scanner.write(chunk);
        } catch (error) {
          response.destroy();
          reject(error);
        }
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    return scanner.end();
  }

  create<T>(resource: Resource, namespace: string, body: unknown, query: Query = {}, options?: CallOptions): Promise<T> {
    return this.json('POST', withQuery(resourcePath(resource, namespace), query), body, 'application/json', options);
  }

  update<T>(resource: Resource, namespace: string, name: string, body: unknown, query: Query = {}, options?: CallOptions): Promise<T> {
    return this.json('PUT', withQuery(resourcePath(resource, namespace, name), query), body, 'application/json', options);
  }

  patch<T>(resource: Resource, namespace: string, name: string, body: unknown, type: PatchType, query: Query = {}, options?: CallOptions): Promise<T> {
    return this.json('PATCH', withQuery(resourcePath(resource, namespace, name), query), body, PATCH_CONTENT_TYPES[type], options);
  }

  /**
   * Watches a collection: calls onEvent for each event line as it arrives; resolves when the apiserver ends the
   * watch (timeoutSeconds) or the signal aborts it, rejects on a failure (KubeApiError for an error status).
   */
  async watch(resource: Resource, namespace: string | undefined, query: Query, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const path = withQuery(resourcePath(resource, namespace), { ...query, watch: true });
    const response = await this.send('GET', path, undefined, undefined, { signal, timeoutMs: 0 });
    if (response.statusCode !== 200) throw await this.errorOf(response, `GET ${path}`);
    await new Promise<void>((resolve, reject) => {
      let rest = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        rest += chunk;
        let newline = rest.indexOf('\n');
        while (newline >= 0) {
          const line = rest.slice(0, newline).trim();
          rest = rest.slice(newline + 1);
          if (line !== '') {
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (error) {
              response.destroy();
              reject(error);
              return;
            }
          }
          newline = rest.indexOf('\n');
        }
      });
      response.on('end', () => resolve());
      response.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
      response.on('close', () => (signal.aborted || response.complete ? resolve() : reject(Object.assign(new Error('watch connection closed'), { code: 'ECONNRESET' }))));
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async json<T>(method: string, path: string, body: unknown, contentType: string | undefined, options: CallOptions = {}): Promise<T> {
    const response = await this.send(method, path, body, contentType, options);
    if (response.statusCode === undefined || response.statusCode >= 300) throw await this.errorOf(response, `${method} ${path}`);
    const text = await readBody(response);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(method: string, path: string, body: unknown, contentType: string | undefined, options: CallOptions): Promise<IncomingMessage> {
    options.signal?.throwIfAborted();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json', ...(await this.connection.authHeaders()) };
    if (payload) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = payload.length;
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = this.transport.request(
        { protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port, path: `${this.base.pathname.replace(/\/$/, '')}${path}`, method, headers, agent: this.agent, ...(options.signal ? { signal: options.signal } : {}) },
        (response) => {
          if (timeoutMs > 0) request.setTimeout(0);
          resolve(response);
        },
      );
      if (timeoutMs > 0) {
        request.setTimeout(timeoutMs, () => request.destroy(new KubeTimeoutError(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      }
      request.on('error', reject);
      request.end(payload);
    });
  }

  private async errorOf(response: IncomingMessage, request: string): Promise<KubeApiError> {
    const text = await readBody(response).catch(() => '');
    let status: { reason?: unknown; message?: unknown } = {};
    try {
      status = JSON.parse(text) as typeof status;
    } catch {
      status = { message: text.slice(0, 200) || undefined };
    }
    return new KubeApiError(
      response.statusCode ?? 0,
      typeof status.reason === 'string' ? status.reason : undefined,
      typeof status.message === 'string' ? status.message : undefined,
      request.replace(/\?.*$/, ''),
    );
  }
}

function withQuery(path: string, query: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}
