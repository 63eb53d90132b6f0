import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeApi, KubeApiError, KubeTimeoutError } from '../../../../feedback-pipeline/kubernetes/api-client.js';
import { Deployments, Leases } from '../../../../feedback-pipeline/kubernetes/resources.js';

describe('KubeApi (plain HTTP against a stand-in apiserver)', () => {
  let server: Server;
  let api: KubeApi;
  const connections: unknown[] = [];
  const requests: Array<{ method?: string; url?: string; type?: string; authorization?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, type: req.headers['content-type'], authorization: req.headers.authorization, body });
        if (req.url?.includes('/slow')) return; // never answers
        if (req.url?.includes('/missing')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'leases "missing" not found', code: 404 }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      });
    });
    server.on('connection', (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = new KubeApi({ server: `http://127.0.0.1:${port}`, tls: { rejectUnauthorized: true }, authHeaders: async () => ({ authorization: 'Bearer t' }), source: 'test' }, { timeoutMs: 200 });
  });
  afterAll(async () => {
    api.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('one kept-alive connection for consecutive calls; paths, query, content types and auth as the apiserver expects', async () => {
    const before = connections.length;
    await api.patch(Deployments, 'shop', 'checkout', [{ op: 'test', path: '/metadata/resourceVersion', value: '1' }], 'json', { fieldManager: 'metricops' });
    await api.patch(Deployments, 'shop', 'checkout', { metadata: {} }, 'merge');
    await api.get(Leases, 'metricops', 'metricops-feedback');
    expect(connections.length - before).toBe(1);
    expect(requests.slice(-3).map(({ method, url, type, authorization }) => ({ method, url, type, authorization }))).toEqual([
      { method: 'PATCH', url: '/apis/apps/v1/namespaces/shop/deployments/checkout?fieldManager=metricops', type: 'application/json-patch+json', authorization: 'Bearer t' },
      { method: 'PATCH', url: '/apis/apps/v1/namespaces/shop/deployments/checkout', type: 'application/merge-patch+json', authorization: 'Bearer t' },
      { method: 'GET', url: '/apis/coordination.k8s.io/v1/namespaces/metricops/leases/metricops-feedback', type: undefined, authorization: 'Bearer t' },
    ]);
  });

  test('an error status becomes a KubeApiError with the Status object\'s reason and message', async () => {
    const failure = await api.get(Leases, 'metricops', 'missing').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KubeApiError);
    expect(failure).toMatchObject({ status: 404, reason: 'NotFound', apiMessage: 'leases "missing" not found' });
  });

  test('no answer within the timeout: KubeTimeoutError (code ETIMEDOUT, retried as transient)', async () => {
    const failure = await api.get(Leases, 'metricops', 'slow').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KubeTimeoutError);
    expect((failure as KubeTimeoutError).code).toBe('ETIMEDOUT');
  });
});
