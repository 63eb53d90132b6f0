import { Annotations } from '../../../../common/contract/annotations.js';
import { silentLogger } from '../../../../common/logger.js';
import { cacheDeployment } from '../../../../feedback-pipeline/kubernetes/cached-objects.js';
import { InformerCache } from '../../../../feedback-pipeline/kubernetes/informer-cache.js';
import { FakeApiserver } from './fake-apiserver.js';
import { testApi, wireDeployment, wireReplicaSet } from './kube-fixtures.js';

const rules = (alert: string) => JSON.stringify([{ alert, severity: 'page', labels: {} }]);

function cartDeployment() {
  const cart = wireDeployment({ image: 'shop/cart:v1', resourceVersion: '900', annotations: { [Annotations.rules]: rules('CartErrors') } });
  cart.metadata!.name = 'cart';
  cart.metadata!.uid = 'uid-cart';
  return cart;
}

/** Waits (bounded) until the condition holds: watch events arrive asynchronously. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('InformerCache', () => {
  const apiserver = new FakeApiserver();
  let port = 0;
  let cache: InformerCache | undefined;

  beforeAll(async () => {
    port = await apiserver.start();
  });
  afterEach(async () => {
    await cache?.stop();
    apiserver.reset();
  });
  afterAll(async () => {
    await apiserver.stop();
  });

  test('lists every page, becomes synced, slims objects, indexes rules, follows watch events', async () => {
    const checkout = wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000', annotations: { [Annotations.rules]: rules('CheckoutLatency') } });
    apiserver.setList('/apis/apps/v1/deployments', [
      { items: [checkout], resourceVersion: '5000', continue: 'page2' },
      { items: [cartDeployment()], resourceVersion: '5000' },
    ]);
    apiserver.setList('/apis/apps/v1/replicasets', [
      {
        resourceVersion: '5001',
        items: [
          wireReplicaSet({ revision: 1, image: 'shop/checkout:v1', hash: 'aaa' }),
          wireReplicaSet({
            revision: 2, image: 'shop/checkout:v2', hash: 'bbb',
            annotations: { [Annotations.badRevision]: '{"reason":"x"}', [Annotations.deployedAt]: '2026-11-21T10:00:00Z', 'example.com/other': 'dropped' },
          }),
          wireReplicaSet({ revision: 1, image: 'shop/cart:v1', hash: 'ccc', owner: 'uid-cart' }),
        ],
      },
    ]);
    const deploymentWatch = apiserver.nextWatch('/apis/apps/v1/deployments', '5000');

    cache = new InformerCache(testApi(apiserver.kubeConfig(port)), silentLogger(), { pageSize: 1 });
    expect(cache.synced).toBe(false);
    await cache.start();
    await cache.waitForSync();

    expect(apiserver.requests).toEqual(
      expect.arrayContaining(['GET /apis/apps/v1/deployments?limit=1', 'GET /apis/apps/v1/deployments?limit=1&continue=page2']),
    );
    expect(cache.size()).toEqual({ deployments: 2, replicaSets: 3 });
    expect(cache.getDeployment('shop', 'checkout')).toEqual({
      namespace: 'shop',
      name: 'checkout',
      uid: 'uid-checkout',
      resourceVersion: '1000',
      paused: false,
      annotations: {
        'deployment.kubernetes.io/revision': '2',
        [Annotations.deployedAt]: '2026-11-21T10:00:00Z',
        [Annotations.rules]: rules('CheckoutLatency'),
      },
      template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'shop/checkout:v2' }] } },
    });
    const history = cache.replicaSetsOf({ namespace: 'shop', uid: 'uid-checkout' });
    expect(history.map((replicaSet) => [replicaSet.name, replicaSet.revision, Annotations.badRevision in replicaSet.annotations])).toEqual([
      ['checkout-aaa', 1, false],
      ['checkout-bbb', 2, true],
    ]);
    expect(history[0]!.template.metadata?.labels).toEqual({ app: 'checkout' });
    // The rollout's stamp stays (the UI's timeline marks it); annotations nothing reads do not.
    expect(history[1]!.annotations).toEqual({
      'deployment.kubernetes.io/revision': '2',
      [Annotations.badRevision]: '{"reason":"x"}',
      [Annotations.deployedAt]: '2026-11-21T10:00:00Z',
    });
    expect(cache.deploymentsGuardedBy('CheckoutLatency').map((d) => d.name)).toEqual(['checkout']);
    expect(cache.deploymentsGuardedBy('CartErrors').map((d) => d.name)).toEqual(['cart']);

    const watch = await deploymentWatch;
    expect(apiserver.requests).toContain('GET /apis/apps/v1/deployments?resourceVersion=5000&timeoutSeconds=300&allowWatchBookmarks=true&watch=true');
    const rolledOut = wireDeployment({ image: 'shop/checkout:v3', resourceVersion: '1001', annotations: { [Annotations.rules]: rules('CheckoutErrors') } });
    watch.send('MODIFIED', rolledOut);
    watch.send('DELETED', cartDeployment());
    await eventually(() => cache!.getDeployment('shop', 'cart') === undefined, 'cart is deleted');

    expect(cache.getDeployment('shop', 'checkout')?.template.spec?.containers[0]?.image).toBe('shop/checkout:v3');
    expect(cache.deploymentsGuardedBy('CheckoutLatency')).toEqual([]);
    expect(cache.deploymentsGuardedBy('CheckoutErrors').map((d) => d.name)).toEqual(['checkout']);
    expect(cache.deploymentsGuardedBy('CartErrors')).toEqual([]);
  });

  test('a failed list is retried with backoff until it succeeds, and only then is the cache synced', async () => {
    apiserver.setList('/apis/apps/v1/deployments', [{ items: [], resourceVersion: '10' }]);
    apiserver.setList('/apis/apps/v1/replicasets', [{ items: [], resourceVersion: '11' }]);
    apiserver.failNext('/apis/apps/v1/deployments', 503, 500);

    cache = new InformerCache(testApi(apiserver.kubeConfig(port)), silentLogger(), { restartDelayMs: 10 });
    await cache.start();
    expect(cache.synced).toBe(false);
    await cache.waitForSync();
    expect(cache.synced).toBe(true);
    expect(cache.size()).toEqual({ deployments: 0, replicaSets: 0 });
  });

  test('a watch closed by the apiserver is resumed from the last resourceVersion', async () => {
    apiserver.setList('/apis/apps/v1/deployments', [{ items: [], resourceVersion: '20' }]);
    apiserver.setList('/apis/apps/v1/replicasets', [{ items: [], resourceVersion: '21' }]);
    const first = apiserver.nextWatch('/apis/apps/v1/deployments', '20');
    cache = new InformerCache(testApi(apiserver.kubeConfig(port)), silentLogger());
    await cache.start();
    await cache.waitForSync();

    const watch = await first;
    watch.send('ADDED', wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '25' }));
    await eventually(() => cache!.getDeployment('shop', 'checkout') !== undefined, 'checkout is added');
    const resumed = apiserver.nextWatch('/apis/apps/v1/deployments', '25');
    watch.close();

    expect((await resumed).query.get('resourceVersion')).toBe('25');
    expect(cache.getDeployment('shop', 'checkout')?.resourceVersion).toBe('25');
  });
});

describe('InformerCache with namespaces (namespace-scoped mode)', () => {
  const apiserver = new FakeApiserver();
  let port = 0;
  let cache: InformerCache | undefined;

  beforeAll(async () => {
    port = await apiserver.start();
  });
  afterAll(async () => {
    await cache?.stop();
    await apiserver.stop();
  });

  test('lists and watches each namespace\'s collections (never the cluster-wide ones) and answers across them', async () => {
    const cart = cartDeployment();
    cart.metadata!.namespace = 'cart';
    apiserver.setList('/apis/apps/v1/namespaces/shop/deployments', [{ items: [wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '10' })], resourceVersion: '100' }]);
    apiserver.setList('/apis/apps/v1/namespaces/cart/deployments', [{ items: [cart], resourceVersion: '101' }]);
    apiserver.setList('/apis/apps/v1/namespaces/shop/replicasets', [{ items: [wireReplicaSet({ revision: 1, image: 'shop/checkout:v1', hash: 'aaa' })], resourceVersion: '102' }]);
    apiserver.setList('/apis/apps/v1/namespaces/cart/replicasets', [{ items: [], resourceVersion: '103' }]);
    const cartWatch = apiserver.nextWatch('/apis/apps/v1/namespaces/cart/deployments', '101');

    cache = new InformerCache(testApi(apiserver.kubeConfig(port)), silentLogger(), { namespaces: ['shop', 'cart'] });
    await cache.start();
    await cache.waitForSync();
    await cartWatch;

    const paths = apiserver.requests.map((request) => request.split('?')[0]);
    expect(new Set(paths)).toEqual(new Set(['shop', 'cart'].flatMap((namespace) => [`GET /apis/apps/v1/namespaces/${namespace}/deployments`, `GET /apis/apps/v1/namespaces/${namespace}/replicasets`])));
    expect(cache.size()).toEqual({ deployments: 2, replicaSets: 1 });
    expect(cache.getDeployment('shop', 'checkout')?.uid).toBe('uid-checkout');
    expect(cache.getDeployment('cart', 'cart')?.uid).toBe('uid-cart');
    expect(cache.getDeployment('elsewhere', 'checkout')).toBeUndefined();
    expect(cache.replicaSetsOf({ namespace: 'shop', uid: 'uid-checkout' }).map((replicaSet) => replicaSet.name)).toEqual(['checkout-aaa']);
    expect(cache.deploymentsGuardedBy('CartErrors').map((deployment) => `${deployment.namespace}/${deployment.name}`)).toEqual(['cart/cart']);
  });
});

describe('cacheDeployment', () => {
  test('keeps only metricops annotations and the revision; drops managedFields, status and last-applied', () => {
    const cached = cacheDeployment(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '7', paused: true }));
    expect(Object.keys(cached.annotations).sort()).toEqual(['deployment.kubernetes.io/revision', Annotations.deployedAt]);
    expect(cached.paused).toBe(true);
    expect(JSON.stringify(cached)).not.toMatch(/managedFields|last-applied|status/);
  });
});
