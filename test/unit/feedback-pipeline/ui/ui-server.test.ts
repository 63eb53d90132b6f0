import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { Authenticator } from '../../../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile } from '../../../../common/credential-file.js';
import type { DeploymentState } from '../../../../feedback-pipeline/model.js';
import { createUiServer } from '../../../../feedback-pipeline/ui/ui-server.js';
import { UiReader } from '../../../../feedback-pipeline/ui/ui-reader.js';
import { listen } from '../intake/fixtures.js';
import { guarded, summary } from './fixtures.js';

const deployments = [guarded('checkout'), summary('plain')];
const state = (name: string): DeploymentState | undefined => {
  const found = deployments.find((deployment) => deployment.name === name);
  return found ? { ...found, annotations: { ...found.annotations }, uid: 'u1', resourceVersion: '1', template: { spec: { containers: [{ name: 'checkout', image: 'example.com/checkout:v1' }] } } } : undefined;
};

describe('the UI server', () => {
  let dir: string;
  let url: string;
  let close: () => Promise<void>;

  async function start(authenticator: Authenticator): Promise<void> {
    const reader = new UiReader({
      deployments: { listDeployments: () => deployments },
      cache: { getDeployment: (_namespace, name) => state(name), replicaSetsOf: () => [] },
      history: { query: async () => [] },
      clock: new ManualClock(new Date('2026-11-30T12:05:00Z')),
    });
    ({ url, close } = await listen(createUiServer({ reader, authenticator, logger: silentLogger() })));
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-ui-'));
  });
  afterEach(async () => {
    await close?.();
    await rm(dir, { recursive: true, force: true });
  });

  test('pages answer with a strict Content-Security-Policy, never cached; without Prometheus they say so', async () => {
    await start(new Authenticator({}));
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('server-timing')).toMatch(/^render;dur=\d/);
    const page = await response.text();
    expect(page).toContain('No Prometheus configured');
    expect(page).toContain('href="/deployments/shop/checkout"');
    expect(page).not.toContain('shop/plain');
  });

  test.each([
    ['the overview as JSON', '/api/overview?namespace=shop', 200, /"kind":"Status"/],
    ['a Deployment', '/deployments/shop/checkout?range=1h', 200, /<h1>Deployment <span class="namespace">shop<\/span>\/<span class="name">checkout<\/span><\/h1>/],
    ['an SLO, without Prometheus', '/slos/checkout-availability', 200, /No Prometheus configured/],
    ['a Deployment the cache does not have', '/deployments/shop/nothing', 404, /the cache has no Deployment shop\/nothing/],
    ['a bad filter, named on the page', '/?namespace=Not_A_Name', 400, /namespace: must be a Kubernetes namespace name/],
    ['a bad filter, named in the JSON', '/api/overview?per_page=0', 400, /"path":"per_page","message":"must be at least 1"/],
    ['a bad range', '/slos/x?range=forever', 400, /range: must be one of/],
    ['an unknown page', '/nothing', 404, /no page \/nothing/],
    ['uPlot, from its npm package', '/assets/uPlot.iife.min.js', 200, /uPlot/],
    ['our stylesheet', '/assets/metricops.css', 200, /\.status-rolled-back/],
  ])('%s', async (_name, path, status, body) => {
    await start(new Authenticator({}));
    const response = await fetch(`${url}${path}`);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(body);
  });

  test('it only reads: other methods get 405', async () => {
    await start(new Authenticator({}));
    const response = await fetch(`${url}/`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  test('with its own credentials: 401 and a Basic challenge without them, the page with them; /healthz stays open', async () => {
    await writeFile(join(dir, 'basic'), 'viewer:secret\n');
    const basic = new CredentialFile(join(dir, 'basic'), silentLogger());
    await basic.load();
    await start(new Authenticator({ basic }));
    const refused = await fetch(`${url}/`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="metricops", charset="UTF-8"');
    expect((await fetch(`${url}/assets/metricops.css`)).status).toBe(401);
    expect((await fetch(`${url}/`, { headers: { authorization: `Basic ${Buffer.from('viewer:wrong').toString('base64')}` } })).status).toBe(401);
    expect((await fetch(`${url}/`, { headers: { authorization: `Basic ${Buffer.from('viewer:secret').toString('base64')}` } })).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
