/**
 * A ruler configuration API on 127.0.0.1 that answers as Cortex's does (pkg/ruler/api.go): YAML in and out,
 * 202 on writes, 404 "no rule groups found" for an empty namespace, durations given back in Go's form (90s ->
 * 1m30s), one store per X-Scope-OrgID. Tests make it refuse groups, fail or require a tenant. The e2e tests run
 * the real Cortex (test/e2e/ruler.test.ts); this one lets unit tests reach every branch quickly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsYaml from 'js-yaml';
import { formatDuration, parseDuration } from '../../../../common/duration.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Group = { name: string; rules: Array<Record<string, unknown>>; [key: string]: unknown };

export class FakeRuler {
  readonly requests: RecordedRequest[] = [];
  /** tenant -> namespace -> group name -> group. */
  readonly store = new Map<string, Map<string, Map<string, Group>>>();
  /** Group name -> the answer to a POST of it (e.g. 400 and Cortex's limit message). */
  readonly refusals = new Map<string, { status: number; text: string }>();
  /** Answer 503 to every request from this one on (1-based), or close the connection with `'reset'`. */
  failFrom?: { request: number; how: 503 | 'reset' };
  /** Without X-Scope-OrgID: 401 "no org id" (Cortex with auth_enabled: true). Otherwise tenant "fake". */
  requireTenant = false;
  private server?: Server;
  url = '';

  static async start(): Promise<FakeRuler> {
    const ruler = new FakeRuler();
    ruler.server = createServer((request, response) => void ruler.handle(request, response));
    await new Promise<void>((resolve) => ruler.server!.listen(0, '127.0.0.1', resolve));
    ruler.url = `http://127.0.0.1:${(ruler.server!.address() as AddressInfo).port}`;
    return ruler;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  groups(namespace: string, tenant = 'fake'): Map<string, Group> {
    let namespaces = this.store.get(tenant);
    if (!namespaces) this.store.set(tenant, (namespaces = new Map()));
    let groups = namespaces.get(namespace);
    if (!groups) namespaces.set(namespace, (groups = new Map()));
    return groups;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    this.requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
    if (this.failFrom && this.requests.length >= this.failFrom.request) {
      if (this.failFrom.how === 'reset') {
        request.socket.destroy();
        return;
      }
      return this.answer(response, 503, 'upstream unavailable');
    }
    const tenant = request.headers['x-scope-orgid'];
    if (this.requireTenant && typeof tenant !== 'string') return this.answer(response, 401, 'no org id');
    const match = /^\/api\/v1\/rules\/([^/]+)(?:\/([^/]+))?$/.exec(request.url ?? '');
    if (!match) return this.answer(response, 404, '404 page not found');
    const namespace = decodeURIComponent(match[1]!);
    const groups = this.groups(namespace, typeof tenant === 'string' ? tenant : 'fake');
    if (request.method === 'GET' && match[2] === undefined) {
      if (groups.size === 0) return this.answer(response, 404, 'no rule groups found');
      return this.answer(response, 200, jsYaml.dump({ [namespace]: [...groups.values()].map(asCortexReturnsIt) }), 'application/yaml');
    }
    if (request.method === 'POST' && match[2] === undefined) {
      const group = jsYaml.load(body) as Group;
      const refusal = this.refusals.get(group.name);
      if (refusal) return this.answer(response, refusal.status, refusal.text);
      groups.set(group.name, group);
      return this.answer(response, 202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
    }
    if (request.method === 'DELETE' && match[2] !== undefined) {
      groups.delete(decodeURIComponent(match[2]));
      return this.answer(response, 202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
    }
    return this.answer(response, 405, 'method not allowed');
  }

  private answer(response: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
    response.writeHead(status, { 'content-type': type });
    response.end(status >= 400 && type.startsWith('text/plain') ? `${text}\n` : text);
  }
}

/** Go's rulefmt round trip: `for` as model.Duration (90s -> 1m30s), empty maps left out. */
function asCortexReturnsIt(group: Group): Group {
  return {
    ...group,
    rules: group.rules.map((rule) => {
      const copy: Record<string, unknown> = { ...rule };
      if (typeof copy.for === 'string') copy.for = formatDuration(parseDuration(copy.for));
      for (const key of ['labels', 'annotations']) {
        if (copy[key] && Object.keys(copy[key] as object).length === 0) delete copy[key];
      }
      return copy;
    }),
  };
}
