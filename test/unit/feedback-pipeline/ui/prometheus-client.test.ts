import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PrometheusClient, PrometheusError } from '../../../../feedback-pipeline/ui/prometheus-client.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A local HTTP server on 127.0.0.1 that answers as `handler` says (the client's handling of answers; e2e uses the real Prometheus). */
async function serve(handler: Handler): Promise<{ url: string; server: Server; requests: { url: string; body: string; authorization?: string }[] }> {
  const requests: { url: string; body: string; authorization?: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, requests };
}

const json = (res: ServerResponse, status: number, body: unknown): ServerResponse => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('the Prometheus client', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('instant and range queries: POSTed forms, samples kept as Prometheus printed them', async () => {
    const fake = await serve((req, _body, res) => {
      if (req.url === '/prom/api/v1/query') json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { sloth_id: 'a' }, value: [1700000000.5, '0.99841'] }] } });
      else json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { sloth_id: 'a' }, values: [[1700000000, '0.1'], [1700000015, 'NaN']] }] } });
    });
    servers.push(fake.server);
    const client = new PrometheusClient(`${fake.url}/prom`);
    expect(await client.query('up', new Date(1_700_000_000_500))).toEqual([{ labels: { sloth_id: 'a' }, time: 1700000000.5, value: '0.99841' }]);
    expect(await client.queryRange('up', { start: new Date(1_700_000_000_000), end: new Date(1_700_000_015_000), stepSeconds: 15 })).toEqual([
      { labels: { sloth_id: 'a' }, points: [[1700000000, '0.1'], [1700000015, 'NaN']] },
    ]);
    expect(fake.requests.map((request) => [request.url, Object.fromEntries(new URLSearchParams(request.body))])).toEqual([
      ['/prom/api/v1/query', { query: 'up', time: '1700000000.500' }],
      ['/prom/api/v1/query_range', { query: 'up', start: '1700000000.000', end: '1700000015.000', step: '15' }],
    ]);
  });

  test('alerting rules and active alerts', async () => {
    const fake = await serve((req, _body, res) => {
      if (req.url === '/api/v1/rules?type=alert') {
        json(res, 200, { status: 'success', data: { groups: [{ name: 'g', rules: [{ type: 'alerting', name: 'A', query: 'x > 1', labels: { slo: 's' }, annotations: {}, state: 'firing', health: 'ok' }, { type: 'recording', name: 'r', query: 'y' }] }] } });
      } else json(res, 200, { status: 'success', data: { alerts: [{ labels: { alertname: 'A' }, annotations: {}, state: 'firing', activeAt: '2026-11-30T12:00:00Z', value: '1' }] } });
    });
    servers.push(fake.server);
    const client = new PrometheusClient(fake.url);
    expect(await client.alertingRules()).toEqual([{ name: 'A', query: 'x > 1', labels: { slo: 's' }, annotations: {}, state: 'firing' }]);
    expect(await client.alerts()).toEqual([{ labels: { alertname: 'A' }, annotations: {}, state: 'firing', activeAt: '2026-11-30T12:00:00Z' }]);
  });

  test('user:password in the URL is sent as Basic auth and never shown', async () => {
    const fake = await serve((_req, _body, res) => json(res, 200, { status: 'success', data: { alerts: [] } }));
    servers.push(fake.server);
    const client = new PrometheusClient(fake.url.replace('http://', 'http://viewer:s%3Acret@'));
    await client.alerts();
    expect(fake.requests[0]!.authorization).toBe(`Basic ${Buffer.from('viewer:s:cret').toString('base64')}`);
    expect(client.display).toBe(fake.url);
  });

  test.each([
    ['a Prometheus that never answers: a timeout, after the timeout', (): void => undefined, 'timeout', /did not answer within 0\.3 s/],
    ['an HTML error page', (_req: IncomingMessage, _body: string, res: ServerResponse): void => void res.writeHead(502).end('<html>bad gateway</html>'), 'http-error', /answered 502 with a body that is not its API's JSON/],
    ['a refused query', (_req: IncomingMessage, _body: string, res: ServerResponse): void => void json(res, 400, { status: 'error', errorType: 'bad_data', error: 'parse error' }), 'query-error', /refused the request \(400, bad_data\): parse error/],
    ['an answer of the wrong shape', (_req: IncomingMessage, _body: string, res: ServerResponse): void => void json(res, 200, { status: 'success', data: { resultType: 'string', result: [1, 'x'] } }), 'bad-answer', /not an instant query answer/],
  ] as const)('%s', async (_name, handler, problem, message) => {
    const fake = await serve(handler);
    servers.push(fake.server);
    const started = Date.now();
    const error = await new PrometheusClient(fake.url, 300).query('up').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PrometheusError);
    expect((error as PrometheusError).problem).toBe(problem);
    expect((error as Error).message).toMatch(message);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a Prometheus that is down: unreachable, saying where', async () => {
    const fake = await serve(() => undefined);
    const { url } = fake;
    fake.server.close();
    const error = (await new PrometheusClient(url, 1000).alerts().catch((caught: unknown) => caught)) as PrometheusError;
    expect(error.problem).toBe('unreachable');
    expect(error.message).toContain(`cannot reach Prometheus at ${url}/api/v1/alerts`);
  });
});
