import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../../../common/logger.js';
import { RulerClient, RulerRequestError, type RulerEndpoint } from '../../../../slo-compiler/ruler/ruler-client.js';
import { freePort } from '../../../e2e/harness/ports.js';
import { FakeRuler } from './fake-ruler.js';

const settings = { timeoutMs: 2_000, attempts: 2, backoffMs: 1, maxBackoffMs: 1 };
const client = (endpoint: RulerEndpoint, overrides: Partial<typeof settings> = {}) =>
  new RulerClient(endpoint, { ...settings, ...overrides }, { logger: silentLogger(), sleep: async () => undefined });

async function failure(promise: Promise<unknown>): Promise<RulerRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RulerRequestError) return error;
    throw error;
  }
  throw new Error('expected a RulerRequestError');
}

describe('RulerClient', () => {
  let ruler: FakeRuler;
  beforeEach(async () => {
    ruler = await FakeRuler.start();
  });
  afterEach(async () => {
    await ruler.stop();
  });

  test('sends the tenant and the credential on every request, YAML bodies, and escapes names in the path', async () => {
    const rules = client({ rulesUrl: `${ruler.url}/api/v1/rules`, tenant: 'team-a', authorization: 'Bearer s3cret' });
    await rules.setGroup('slo rules', 'name: g\nrules:\n- record: r\n  expr: up\n');
    expect(await rules.listGroups('slo rules')).toEqual([{ name: 'g', rules: [{ record: 'r', expr: 'up' }] }]);
    await rules.deleteGroup('slo rules', 'g/1');
    expect(ruler.requests.map((request) => [request.method, request.path, request.headers['x-scope-orgid'], request.headers.authorization]))
      .toEqual([
        ['POST', '/api/v1/rules/slo%20rules', 'team-a', 'Bearer s3cret'],
        ['GET', '/api/v1/rules/slo%20rules', 'team-a', 'Bearer s3cret'],
        ['DELETE', '/api/v1/rules/slo%20rules/g%2F1', 'team-a', 'Bearer s3cret'],
      ]);
    expect(ruler.requests[0]!.headers['content-type']).toBe('application/yaml');
    expect(rules.requests).toBe(3);
    expect(rules.writes).toBe(2);
  });

  test('without a tenant no X-Scope-OrgID is sent', async () => {
    await client({ rulesUrl: `${ruler.url}/api/v1/rules` }).listGroups('metricops');
    expect(ruler.requests[0]!.headers['x-scope-orgid']).toBeUndefined();
  });

  test('an empty namespace (404 "no rule groups found") is an empty list', async () => {
    expect(await client({ rulesUrl: `${ruler.url}/api/v1/rules` }).listGroups('metricops')).toEqual([]);
  });

  test("another 404 means the URL is not a ruler's rules API, and the error says how to fix it", async () => {
    const error = await failure(client({ rulesUrl: `${ruler.url}/prometheus/api/v1/rules` }).listGroups('metricops'));
    expect(error.kind).toBe('unexpected');
    expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/prometheus\/api\/v1\/rules\/metricops: HTTP 404: 404 page not found: this is not a ruler's rules API\. Give --ruler-url/);
  });
});

describe('RulerClient against misbehaving servers', () => {
  let server: Server;
  let url: string;
  let answer: (attempt: number) => { status: number; body: string; type?: string } | 'hang';
  let attempts: number;
  beforeEach(async () => {
    attempts = 0;
    server = createServer((request, response) => {
      request.resume();
      const planned = answer(++attempts);
      if (planned === 'hang') return;
      response.writeHead(planned.status, { 'content-type': planned.type ?? 'text/plain' });
      response.end(planned.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/rules`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a 5xx is retried and the retry that succeeds counts', async () => {
    answer = (attempt) => (attempt === 1 ? { status: 500, body: 'failed to store' } : { status: 202, body: '{"status":"success"}' });
    const rules = client({ rulesUrl: url });
    await rules.setGroup('metricops', 'name: g\n');
    expect(rules.requests).toBe(2);
  });

  test('a 4xx is not retried; a Prometheus-style JSON error is reduced to its message', async () => {
    answer = () => ({ status: 400, body: '{"status":"error","errorType":"bad_data","error":"group \\"g\\", rule 0: could not parse expression"}', type: 'application/json' });
    const error = await failure(client({ rulesUrl: url }).setGroup('metricops', 'name: g\n'));
    expect(error).toMatchObject({ kind: 'rejected', status: 400, answer: 'HTTP 400: group "g", rule 0: could not parse expression' });
    expect(attempts).toBe(1);
  });

  test('no answer within the timeout is unavailable after every attempt', async () => {
    answer = () => 'hang';
    const error = await failure(client({ rulesUrl: url }, { timeoutMs: 100 }).listGroups('metricops'));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toBe(`GET ${url}/metricops: no answer within 0.1s (after 2 attempts)`);
  });

  test('an answer that is not YAML, or not a map of namespaces, is unexpected and quoted', async () => {
    answer = () => ({ status: 200, body: 'groups: [unclosed' });
    expect((await failure(client({ rulesUrl: url }).listGroups('metricops'))).message).toMatch(/the answer is not YAML .*: groups: \[unclosed$/);
    answer = () => ({ status: 200, body: '- a\n- b\n' });
    expect((await failure(client({ rulesUrl: url }).listGroups('metricops'))).message).toMatch(/not a map of namespaces to rule groups/);
  });

  test('a 403 is unauthorized and says which flags to check', async () => {
    answer = () => ({ status: 403, body: 'forbidden' });
    const error = await failure(client({ rulesUrl: url }).deleteGroup('metricops', 'g'));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain('HTTP 403: forbidden (the ruler refused metricops\' identity: check --ruler-tenant');
  });
});

test('a ruler nobody listens on is unavailable: "no connection (ECONNREFUSED)"', async () => {
  const url = `http://127.0.0.1:${await freePort()}/api/v1/rules`;
  const error = await failure(client({ rulesUrl: url }).listGroups('metricops'));
  expect(error).toMatchObject({ kind: 'unavailable', message: `GET ${url}/metricops: no connection (ECONNREFUSED) (after 2 attempts)` });
});
