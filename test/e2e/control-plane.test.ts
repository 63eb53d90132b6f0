import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const namespace = uniqueNamespace('harness');

const deployment = (image: string): string => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  },
});

beforeAll(async () => {
  expect((await cluster.kubectl(['create', 'namespace', namespace])).code).toBe(0);
});

afterAll(async () => {
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('the local control plane', () => {
  test('serves the API on 127.0.0.1 over TLS that the kubeconfig trusts', async () => {
    expect(cluster.serverUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const result = await cluster.kubectl(['get', '--raw', '/readyz']);
    expect(result).toMatchObject({ code: 0, stdout: 'ok' });
  });

  test('enforces RBAC: a service account without bindings may not list Deployments', async () => {
    await waitFor(async () => (await cluster.kubectl(['get', 'serviceaccount', 'default', '-n', namespace])).code === 0, {
      what: 'the default ServiceAccount of the test namespace',
    });
    const allowed = await cluster.kubectl(['auth', 'can-i', 'list', 'deployments', '-n', namespace,
      `--as=system:serviceaccount:${namespace}:default`]);
    expect(allowed.stdout.trim()).toBe('no');
    const admin = await cluster.kubectl(['auth', 'can-i', '*', '*']);
    expect(admin.stdout.trim()).toBe('yes');
  });

  test('runs the deployment and replicaset controllers: a template change makes a new ReplicaSet and a pod', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment('example.com/web:v1') })).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment('example.com/web:v2') })).code).toBe(0);
    const images = await waitFor(async () => {
      const result = await cluster.kubectl(['get', 'replicasets', '-n', namespace, '-o', 'jsonpath={.items[*].spec.template.spec.containers[0].image}']);
      const found = result.stdout.split(' ').filter(Boolean).sort();
      return found.length === 2 ? found : undefined;
    }, { what: 'two ReplicaSets' });
    expect(images).toEqual(['example.com/web:v1', 'example.com/web:v2']);
    const pods = await waitFor(async () => {
      const result = await cluster.kubectl(['get', 'pods', '-n', namespace, '-o', 'name']);
      return result.stdout.trim() ? result.stdout.trim().split('\n') : undefined;
    }, { what: 'a pod created by the ReplicaSet controller' });
    expect(pods.length).toBeGreaterThanOrEqual(1);
  });
});
