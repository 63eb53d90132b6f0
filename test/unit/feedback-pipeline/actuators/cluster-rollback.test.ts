import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import nock from 'nock';
import { ManualClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { podTemplate } from '../core/fixtures.js';
import { KubernetesRollbackExecutor, RollbackError } from '../../../../feedback-pipeline/actuators/cluster-rollback.js';
import type { RollbackRequest } from '../../../../feedback-pipeline/ports.js';
import { cacheDeployment, cacheReplicaSet, deploymentStateOf, replicaSetStateOf } from '../../../../feedback-pipeline/kubernetes/cached-objects.js';
import { selectRollbackTarget } from '../../../../feedback-pipeline/core/rollback-target.js';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { APISERVER, FAST_RETRY, replicaSetList, testApi, testKubeConfig, wireDeployment, wireReplicaSet } from '../kubernetes/kube-fixtures.js';
import { freePort } from '../../../e2e/harness/ports.js';

const DEPLOYMENT = '/apis/apps/v1/namespaces/shop/deployments/checkout';
const REPLICASETS = '/apis/apps/v1/namespaces/shop/replicasets';
const BAD_RS = '/apis/apps/v1/namespaces/shop/replicasets/checkout-bbb';

const history = replicaSetList([
  wireReplicaSet({ revision: 1, image: 'shop/checkout:v1', hash: 'aaa' }),
  wireReplicaSet({ revision: 2, image: 'shop/checkout:v2', hash: 'bbb' }),
  wireReplicaSet({ revision: 7, image: 'shop/other:v9', hash: 'zzz', owner: 'uid-someone-else' }),
]);

const request: RollbackRequest = {
  deployment: { namespace: 'shop', name: 'checkout' },
  expectedTemplate: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'shop/checkout:v2' }] } },
  cause: {
    alert: { name: 'CheckoutHighErrorBudgetBurn', fingerprint: 'f00d', startsAt: '2026-11-21T10:05:00.000Z' },
    time: '2026-11-21T10:06:00.000Z',
    reason: 'burning',
  },
};

function executor() {
  return new KubernetesRollbackExecutor(testApi(), silentLogger(), new ManualClock('2026-11-21T10:06:01Z'), { retry: FAST_RETRY });
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

beforeAll(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
afterEach(() => nock.cleanAll());
afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

describe('KubernetesRollbackExecutor', () => {
  test('patches the Deployment with a JSON Patch (test op, template without hash, annotation added) and marks the bad ReplicaSet', async () => {
    let patchBody: unknown;
    let patchType: string | undefined;
    let markBody: any;
    let markType: string | undefined;
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT)
      .query({ fieldManager: 'metricops' })
      .reply(function (_uri, body) {
        patchBody = body;
        patchType = this.req.headers['content-type'];
        return [200, wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '1001' })];
      })
      .patch(BAD_RS)
      .query(true)
      .reply(function (_uri, body) {
        markBody = body;
        markType = this.req.headers['content-type'];
        return [200, wireReplicaSet({ revision: 2, image: 'shop/checkout:v2', hash: 'bbb' })];
      });

    const result = await executor().rollback(request);

    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      outcome: 'rolled-back',
      from: { revision: 2, replicaSet: 'checkout-bbb', images: { app: 'shop/checkout:v2' } },
      to: { revision: 1, replicaSet: 'checkout-aaa', images: { app: 'shop/checkout:v1' } },
      patchedAt: new Date('2026-11-21T10:06:01Z'),
      markedBad: true,
    });
    expect(patchType).toBe('application/json-patch+json');
    expect(patchBody).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '1000' },
      { op: 'replace', path: '/spec/template', value: podTemplateWithoutPorts('shop/checkout:v1') },
      { op: 'add', path: '/metadata/annotations/metricops.io~1rolled-back-from', value: expect.any(String) },
    ]);
    const annotation = JSON.parse((patchBody as Array<{ value: string }>)[2]!.value);
    expect(annotation).toEqual({
      ...request.cause,
      from: { revision: 2, replicaSet: 'checkout-bbb', images: { app: 'shop/checkout:v2' } },
      to: { revision: 1, replicaSet: 'checkout-aaa', images: { app: 'shop/checkout:v1' } },
    });
    expect(markType).toBe('application/merge-patch+json');
    if (typeof markBody === 'string') markBody = JSON.parse(markBody);
    expect(JSON.parse(markBody.metadata.annotations['metricops.io/bad-revision'])).toEqual({
      ...request.cause,
      revision: 2,
      rolledBackTo: { revision: 1, replicaSet: 'checkout-aaa' },
    });
  });

  test.each([
    { description: 'a 422 on the test op (another replica won the race)', code: 422, reason: 'Invalid' },
    { description: 'a 409 conflict (another replica won the race)', code: 409, reason: 'Conflict' },
  ])('$description: re-reads, finds the template changed, reports already-rolled-back', async ({ code, reason }) => {
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(code, status(code, reason, 'the object has been modified'))
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '1001' }));

    const result = await executor().rollback(request);

    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      outcome: 'already-rolled-back',
      reason: expect.stringMatching(/no longer has the pod template the alert was decided on \(now app=shop\/checkout:v1\)/),
    });
  });

  test('a conflict from an unrelated change (status update) re-reads and patches again with the new resourceVersion', async () => {
    const rvs: string[] = [];
    const capture = function (_uri: string, body: any): [number, unknown] {
      rvs.push(body[0].value);
      return rvs.length === 1 ? [409, status(409, 'Conflict', 'modified')] : [200, wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '1002' })];
    };
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(capture)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1001' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(capture)
      .patch(BAD_RS).query(true).reply(200, {});

    const result = await executor().rollback(request);

    expect(api.isDone()).toBe(true);
    expect(rvs).toEqual(['1000', '1001']);
    expect(result.outcome).toBe('rolled-back');
  });

  test.each([
    { description: 'a 503 from the apiserver', fail: (scope: nock.Interceptor) => scope.reply(503, status(503, 'ServiceUnavailable', 'etcd leader changed')) },
    { description: 'a 429 from the apiserver', fail: (scope: nock.Interceptor) => scope.reply(429, status(429, 'TooManyRequests', 'slow down')) },
  ])('$description on the patch is retried and the rollback goes through', async ({ fail }) => {
    const scope = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history);
    fail(scope.patch(DEPLOYMENT).query(true));
    scope
      .patch(DEPLOYMENT).query(true).reply(200, wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '1001' }))
      .patch(BAD_RS).query(true).reply(200, {});

    const result = await executor().rollback(request);

    expect(scope.isDone()).toBe(true);
    expect(result.outcome).toBe('rolled-back');
  });

  test('a 422 that is not a race (resourceVersion unchanged) fails with the apiserver message', async () => {
    nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(422, status(422, 'Invalid', 'spec.template.spec.containers[0].image: Required value'))
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }));

    const failure = executor().rollback(request);
    await expect(failure).rejects.toThrow(RollbackError);
    await expect(failure).rejects.toThrow(
      'rollback of Deployment shop/checkout failed: the apiserver rejected the patch: HTTP 422: spec.template.spec.containers[0].image: Required value',
    );
  });

  test('a 403 is not retried: it fails at once naming the call', async () => {
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(403, status(403, 'Forbidden', 'deployments.apps "checkout" is forbidden: User cannot get'));

    await expect(executor().rollback(request)).rejects.toThrow(
      /rollback of Deployment shop\/checkout failed: read Deployment shop\/checkout: HTTP 403: deployments.apps "checkout" is forbidden/,
    );
    expect(api.isDone()).toBe(true);
  });

  test('transient errors beyond the retry time fail the rollback', async () => {
    nock(APISERVER).get(DEPLOYMENT).times(1000).reply(503, status(503, 'ServiceUnavailable', 'down'));
    const impatient = new KubernetesRollbackExecutor(testApi(), silentLogger(), new ManualClock('2026-11-21T10:06:01Z'), {
      retry: { initialDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 50 },
    });
    await expect(impatient.rollback(request)).rejects.toThrow(/read Deployment shop\/checkout: HTTP 503: down/);
  });

  test('no older good revision: reported, nothing patched', async () => {
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, replicaSetList([
        wireReplicaSet({ revision: 1, image: 'shop/checkout:v1', hash: 'aaa', annotations: { 'metricops.io/bad-revision': '{}' } }),
        wireReplicaSet({ revision: 2, image: 'shop/checkout:v2', hash: 'bbb' }),
      ]));

    const result = await executor().rollback(request);

    expect(api.isDone()).toBe(true);
    expect(result).toEqual({ outcome: 'no-previous-good-revision', reason: expect.stringMatching(/no older revision/) });
  });

  test('the ReplicaSet cannot be marked: the rollback stands, markedBad is false', async () => {
    nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(200, {})
      .patch(BAD_RS).query(true).reply(403, status(403, 'Forbidden', 'no'));

    const result = await executor().rollback(request);
    expect(result).toMatchObject({ outcome: 'rolled-back', markedBad: false });
  });
});

/**
 * The request the pipeline makes: decide()'s plan on the informer cache's snapshot (built by the cache's own
 * conversions), the target chosen there as decide() chooses it.
 */
function cachedRequest(deployment: V1Deployment, replicaSets: V1ReplicaSet[] = history.items): RollbackRequest {
  const observed = deploymentStateOf(cacheDeployment(deployment));
  const owned = replicaSets.map(cacheReplicaSet).filter((rs) => rs.ownerUid === observed.uid).map(replicaSetStateOf);
  const { from, to } = selectRollbackTarget(observed, owned);
  return { ...request, expectedTemplate: observed.template, planned: { deployment: observed, ...(from ? { from } : {}), to: to! } };
}

/** Requests nock had no interceptor for (a GET or LIST the cached path must not make). */
function unmatchedRequests(): string[] {
  const seen: string[] = [];
  nock.emitter.on('no match', (req: { method?: string; path?: string }) => seen.push(`${req.method} ${req.path}`));
  return seen;
}

describe('KubernetesRollbackExecutor with the cache snapshot the decision was made on', () => {
  afterEach(() => nock.emitter.removeAllListeners('no match'));

  test('goes straight to the guarded patch: exactly one Deployment PATCH (and the mark), no GET, no LIST', async () => {
    const unmatched = unmatchedRequests();
    let patchBody: unknown;
    const api = nock(APISERVER)
      .patch(DEPLOYMENT)
      .query({ fieldManager: 'metricops' })
      .reply(function (_uri, body) {
        patchBody = body;
        return [200, wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '1001' })];
      })
      .patch(BAD_RS).query(true).reply(200, {});

    const result = await executor().rollback(cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' })));

    expect(api.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
    expect(result).toEqual({
      outcome: 'rolled-back',
      from: { revision: 2, replicaSet: 'checkout-bbb', images: { app: 'shop/checkout:v2' } },
      to: { revision: 1, replicaSet: 'checkout-aaa', images: { app: 'shop/checkout:v1' } },
      patchedAt: new Date('2026-11-21T10:06:01Z'),
      markedBad: true,
    });
    expect(patchBody).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '1000' },
      { op: 'replace', path: '/spec/template', value: podTemplateWithoutPorts('shop/checkout:v1') },
      { op: 'add', path: '/metadata/annotations/metricops.io~1rolled-back-from', value: expect.any(String) },
    ]);
  });

  test('sends the same patch as the fresh path for a full template (plain JSON, no field dropped; only nulls, which mean absent)', async () => {
    const rich = (image: string, hash?: string) => ({
      metadata: { creationTimestamp: null, labels: { app: 'checkout', tier: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) }, annotations: { 'prometheus.io/scrape': 'true' } },
      spec: {
        containers: [
          {
            name: 'app',
            image,
            args: ['--port', '8080'],
            env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
            ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
            resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } },
            readinessProbe: { httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' }, periodSeconds: 5 },
            securityContext: {},
            terminationMessagePath: '/dev/termination-log',
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        initContainers: [{ name: 'migrate', image: image.replace('checkout', 'migrate'), command: ['migrate'] }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    });
    const deployment = wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' });
    deployment.spec!.template = rich('shop/checkout:v2') as never;
    const replicaSets = history.items.map((rs) => {
      const copy = structuredClone(rs);
      copy.spec!.template = rich(rs.spec!.template!.spec!.containers[0]!.image!, rs.metadata!.labels!['pod-template-hash']) as never;
      return copy;
    });
    const bodies: unknown[] = [];
    const capture = (_uri: string, body: unknown): [number, unknown] => {
      bodies.push(body);
      return [200, {}];
    };
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, deployment)
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, replicaSetList(replicaSets))
      .patch(DEPLOYMENT).query(true).reply(capture)
      .patch(BAD_RS).query(true).reply(200, {})
      .patch(DEPLOYMENT).query(true).reply(capture)
      .patch(BAD_RS).query(true).reply(200, {});

    const viaCache = cachedRequest(deployment, replicaSets);
    const fresh = await executor().rollback({ ...request, expectedTemplate: viaCache.expectedTemplate });
    const cached = await executor().rollback(viaCache);

    expect(api.isDone()).toBe(true);
    expect(cached).toEqual(fresh);
    const [freshBody, cachedBody] = bodies as Array<Array<{ value: unknown }>>;
    const expectedTemplate = rich('shop/checkout:v1') as Record<string, any>;
    delete expectedTemplate.metadata.creationTimestamp;
    expect(cachedBody![1]!.value).toStrictEqual(expectedTemplate);
    expect(cachedBody).toEqual(withoutNulls(freshBody));
  });

  test.each([
    { description: 'a 422 on the test op', code: 422, reason: 'Invalid' },
    { description: 'a 409 conflict', code: 409, reason: 'Conflict' },
  ])('a stale snapshot ($description) falls back to a fresh read and patches with the live resourceVersion', async ({ code, reason }) => {
    const rvs: string[] = [];
    const capture = function (_uri: string, body: any): [number, unknown] {
      rvs.push(body[0].value);
      return rvs.length === 1 ? [code, status(code, reason, 'the object has been modified')] : [200, {}];
    };
    const api = nock(APISERVER)
      .patch(DEPLOYMENT).query(true).reply(capture)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1001' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(capture)
      .patch(BAD_RS).query(true).reply(200, {});

    const result = await executor().rollback(cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' })));

    expect(api.isDone()).toBe(true);
    expect(rvs).toEqual(['1000', '1001']);
    expect(result).toMatchObject({ outcome: 'rolled-back', to: { revision: 1, replicaSet: 'checkout-aaa' }, markedBad: true });
  });

  test('a stale snapshot after another replica rolled back: 422, fresh read, already-rolled-back; nothing else patched', async () => {
    const api = nock(APISERVER)
      .patch(DEPLOYMENT).query(true).reply(422, status(422, 'Invalid', 'the server rejected our request due to an error in our request'))
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v1', resourceVersion: '1001' }));

    const result = await executor().rollback(cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' })));

    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      outcome: 'already-rolled-back',
      reason: expect.stringMatching(/no longer has the pod template the alert was decided on \(now app=shop\/checkout:v1\)/),
    });
  });

  test('a 422 on the cached attempt with the resourceVersion unchanged is a real rejection', async () => {
    nock(APISERVER)
      .patch(DEPLOYMENT).query(true).reply(422, status(422, 'Invalid', 'spec.template.spec.containers[0].image: Required value'))
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }));

    await expect(executor().rollback(cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' })))).rejects.toThrow(
      'rollback of Deployment shop/checkout failed: the apiserver rejected the patch: HTTP 422: spec.template.spec.containers[0].image: Required value',
    );
  });

  test('the cached attempt counts as a conflict: at most maxConflicts + 1 patches in all', async () => {
    const api = nock(APISERVER)
      .patch(DEPLOYMENT).query(true).reply(409, status(409, 'Conflict', 'modified'))
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1001' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply(409, status(409, 'Conflict', 'modified'));
    const oneRetry = new KubernetesRollbackExecutor(testApi(), silentLogger(), new ManualClock('2026-11-21T10:06:01Z'), {
      retry: FAST_RETRY,
      maxConflicts: 1,
    });

    await expect(oneRetry.rollback(cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' })))).rejects.toThrow(
      /the Deployment kept changing: 2 conflicting patches in a row/,
    );
    expect(api.isDone()).toBe(true);
  });

  test('transient errors on the cached patch are retried like on the fresh path', async () => {
    const api = nock(APISERVER)
      .patch(DEPLOYMENT).query(true).reply(503, status(503, 'ServiceUnavailable', 'etcd leader changed'))
      .patch(DEPLOYMENT).query(true).reply(200, {})
      .patch(BAD_RS).query(true).reply(200, {});

    const result = await executor().rollback(cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' })));

    expect(api.isDone()).toBe(true);
    expect(result.outcome).toBe('rolled-back');
  });

  test.each([
    {
      description: 'the snapshot has no annotations (the cache cannot tell whether the live object has others)',
      planned: (r: RollbackRequest) => ({ ...r.planned!, deployment: { ...r.planned!.deployment, annotations: {} } }),
    },
    {
      description: "the snapshot lacks the current template's ReplicaSet (ReplicaSet cache behind)",
      planned: ({ planned }: RollbackRequest) => ({ deployment: planned!.deployment, to: planned!.to }),
    },
    {
      description: 'the snapshot is of another Deployment',
      planned: (r: RollbackRequest) => ({ ...r.planned!, deployment: { ...r.planned!.deployment, name: 'other' } }),
    },
  ])('not used when $description: the first attempt reads fresh', async ({ planned }) => {
    const base = cachedRequest(wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '999' }));
    const rvs: string[] = [];
    const api = nock(APISERVER)
      .get(DEPLOYMENT).reply(200, wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' }))
      .get(REPLICASETS).query({ labelSelector: 'app=checkout' }).reply(200, history)
      .patch(DEPLOYMENT).query(true).reply((_uri, body: any) => {
        rvs.push(body[0].value);
        return [200, {}];
      })
      .patch(BAD_RS).query(true).reply(200, {});

    const result = await executor().rollback({ ...base, planned: planned(base) });

    expect(api.isDone()).toBe(true);
    expect(rvs).toEqual(['1000']);
    expect(result).toMatchObject({ outcome: 'rolled-back', to: { revision: 1 } });
  });
});

describe('KubernetesRollbackExecutor against an apiserver that is down for a moment', () => {
  let server: Server | undefined;
  beforeAll(() => nock.enableNetConnect('127.0.0.1'));
  afterAll(() => {
    server?.close();
    nock.disableNetConnect();
  });

  test('connections refused while it is stopped are retried until it is back; the rollback is not lost', async () => {
    const port = await freePort();
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'local' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'local' }],
      currentContext: 'local',
    });
    const seen: string[] = [];
    const restarted = new Promise<void>((resolve) => {
      setTimeout(() => {
        server = createServer((req, res) => {
          seen.push(`${req.method} ${req.url?.split('?')[0]}`);
          req.resume();
          req.on('end', () => {
            const body =
              req.method === 'GET' && req.url?.startsWith(REPLICASETS) ? history : wireDeployment({ image: 'shop/checkout:v2', resourceVersion: '1000' });
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
          });
        }).listen(port, '127.0.0.1', () => resolve());
      }, 150);
    });
    const executor = new KubernetesRollbackExecutor(testApi(config), silentLogger(), new ManualClock('2026-11-21T10:06:01Z'), {
      retry: { initialDelayMs: 20, maxDelayMs: 50, maxElapsedMs: 5_000 },
    });

    const result = await executor.rollback(request);
    await restarted;

    expect(result.outcome).toBe('rolled-back');
    expect(seen).toEqual([`GET ${DEPLOYMENT}`, `GET ${REPLICASETS}`, `PATCH ${DEPLOYMENT}`, `PATCH ${BAD_RS}`]);
  });
});

function podTemplateWithoutPorts(image: string) {
  const template = podTemplate(image);
  delete template.spec!.containers[0]!.ports;
  return template;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null).map(([key, field]) => [key, withoutNulls(field)]));
  }
  return value;
}
