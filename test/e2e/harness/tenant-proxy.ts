import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TenantProxy {
  /** Base URL on 127.0.0.1: <url>/api/v1/push goes to <target>/api/v1/push as the tenant. */
  url: string;
  /** Requests forwarded, and how many the target refused (non-2xx). */
  readonly forwarded: { total: number; refused: number; lastRefusal?: string };
  stop(): Promise<void>;
}

const FORWARDED_HEADERS = ['content-type', 'content-encoding', 'user-agent', 'x-prometheus-remote-write-version'];

/**
 * Adds `X-Scope-OrgID: <tenant>` to every request and forwards it to `target`: Debian's Prometheus 2.42 drops
 * `remote_write.headers`, so its remote write reaches a multi-tenant Cortex through this (a header-adding proxy is
 * what users put in front of Cortex too: nginx, the Cortex gateway). `delayMs` holds each request back that long,
 * as a ruler across a network would (benchmarks).
 */
export async function startTenantProxy(options: { target: string; tenant: string; delayMs?: number }): Promise<TenantProxy> {
  const forwarded: TenantProxy['forwarded'] = { total: 0, refused: 0 };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = { 'x-scope-orgid': options.tenant };
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    forwarded.total++;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    try {
      const answer = await fetch(`${options.target}${request.url ?? '/'}`, {
        method: request.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined, signal: AbortSignal.timeout(10_000),
      });
      const body = Buffer.from(await answer.arrayBuffer());
      if (!answer.ok) {
        forwarded.refused++;
        forwarded.lastRefusal = `HTTP ${answer.status}: ${body.toString('utf8').slice(0, 300)}`;
      }
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      response.end(body);
    } catch (error) {
      forwarded.refused++;
      forwarded.lastRefusal = (error as Error).message;
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`tenant proxy: ${(error as Error).message}`);
    }
  };
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
