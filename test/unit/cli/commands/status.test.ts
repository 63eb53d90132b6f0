import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../common/clock.js';
import { Annotations } from '../../../../common/contract/annotations.js';
import { main } from '../../../../cli/main.js';
import { statusSchema } from '../../../../feedback-pipeline/ui/overview-json.js';
import { FakeApiserver } from '../../feedback-pipeline/kubernetes/fake-apiserver.js';
import { wireDeployment } from '../../feedback-pipeline/kubernetes/kube-fixtures.js';
import { capturedContext } from '../run-cli.js';

const GUARDS = JSON.stringify([{ alert: 'CheckoutAvailabilitySLO', severity: 'page', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'page' } }]);

function named(name: string, namespace: string, annotations: Record<string, string>) {
  const deployment = wireDeployment({ image: `example.com/${name}:v1`, resourceVersion: '10', annotations });
  return { ...deployment, metadata: { ...deployment.metadata, name, namespace } };
}

describe('metricops status', () => {
  const apiserver = new FakeApiserver();
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    const port = await apiserver.start();
    dir = await mkdtemp(join(tmpdir(), 'metricops-status-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: fake, user: {token: x}}]
contexts: [{name: fake, context: {cluster: fake, user: fake}}]
current-context: fake
`);
  });
  afterEach(() => apiserver.reset());
  afterAll(async () => {
    await apiserver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (args: string[]) => {
    const { context, out, err } = capturedContext({ clock: new ManualClock('2026-11-30T12:05:00Z') });
    const code = await main(['status', '--kubeconfig', kubeconfig, ...args], context);
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  test.each([
    ['an unknown output format', ['-o', 'yaml'], /--output "yaml": use table or json/],
    ['a namespace that is not a name', ['-n', 'Shop_1'], /--namespace: must be a Kubernetes namespace name/],
    ['a Prometheus URL that is not http', ['--prometheus-url', 'prometheus:9090'], /--prometheus-url must be http:\/\/ or https:\/\//],
    ['a Prometheus timeout that is not a duration', ['--prometheus-timeout', 'soon'], /--prometheus-timeout: "soon" is not a duration/],
  ])('%s is a usage error (exit 2) naming the flag', async (_name, args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  test('lists every page once and prints the guarded Deployments as JSON that matches the documented schema', async () => {
    apiserver.setList('/apis/apps/v1/deployments', [
      { items: [named('checkout', 'shop', { [Annotations.rules]: GUARDS, [Annotations.images]: '{"app":"example.com/checkout:v1"}' })], resourceVersion: '10', continue: 'next' },
      { items: [named('plain', 'shop', {}), named('cart', 'billing', { [Annotations.slo]: 'cart-availability', [Annotations.rollback]: 'nonsense' })], resourceVersion: '10' },
    ]);
    const result = await run(['-o', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = statusSchema.parse(JSON.parse(result.stdout));
    expect(json.deployments.map((deployment) => [deployment.namespace, deployment.name, deployment.status])).toEqual([['billing', 'cart', 'unknown'], ['shop', 'checkout', 'unknown']]);
    expect(json.deployments[0]!.problems).toEqual([expect.stringMatching(/^annotation metricops\.io\/rollback: unknown mode "nonsense"/)]);
    expect(json).toMatchObject({ guarded: 2, matched: 2, prometheus: { state: 'off' }, generatedAt: '2026-11-30T12:05:00.000Z' });
    expect(apiserver.requests).toEqual(['GET /apis/apps/v1/deployments?limit=500', 'GET /apis/apps/v1/deployments?continue=next&limit=500']);
  });

  test('-n lists one namespace only, and prints a table', async () => {
    apiserver.setList('/apis/apps/v1/namespaces/shop/deployments', [{ items: [named('checkout', 'shop', { [Annotations.rules]: GUARDS })], resourceVersion: '10' }]);
    const result = await run(['-n', 'shop']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[1]).toMatch(/^shop +checkout +unknown /);
    expect(result.stdout).toContain('SLO numbers: no Prometheus');
    expect(apiserver.requests).toEqual(['GET /apis/apps/v1/namespaces/shop/deployments?limit=500']);
  });

  test('a Prometheus that is down: the list still prints, and says so', async () => {
    apiserver.setList('/apis/apps/v1/deployments', [{ items: [named('checkout', 'shop', { [Annotations.rules]: GUARDS })], resourceVersion: '10' }]);
    const result = await run(['--prometheus-url', 'http://127.0.0.1:1', '--prometheus-timeout', '2s']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^shop +checkout +unknown /m);
    expect(result.stdout).toContain('SLO numbers: Prometheus did not answer (unreachable): cannot reach Prometheus at http://127.0.0.1:1/api/v1/');
  });

  test('a refused list is invalid input (exit 1) that says what the apiserver answered and what to check', async () => {
    apiserver.failNext('/apis/apps/v1/deployments', 403);
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot list Deployments in all namespaces from http:\/\/127\.0\.0\.1:\d+: HTTP 403: injected failure \(check --kubeconfig\/--context, and that you may list deployments\.apps, or pass -n NAMESPACE\)/);
  });
});

describe('metricops feedback: the UI flags', () => {
  test.each([
    ['a UI port out of range', ['--ui-port', '0'], /--ui-port "0" must be a port number from 1 to 65535/],
    ['a Prometheus URL without the UI', ['--prometheus-url', 'http://prometheus:9090'], /--prometheus-url is for the web UI: add --ui-port <port> to serve it/],
    ['UI credentials without the UI', ['--ui-token-file', 't', '--ui-basic-auth-file', 'b'], /--ui-token-file, --ui-basic-auth-file are for the web UI/],
  ])('%s is a usage error (exit 2) naming the flag', async (_name, args, message) => {
    const { context, err } = capturedContext();
    expect(await main(['feedback', ...args], context)).toBe(2);
    expect(err.join('')).toMatch(message);
  });
});
