import nock from 'nock';
import { ManualClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { eventFor, KubernetesEventRecorder } from '../../../../feedback-pipeline/recorders/event-recorder.js';
import type { DecisionRecord } from '../../../../feedback-pipeline/model.js';
import { APISERVER, FAST_RETRY, testKubeConfig } from '../kubernetes/kube-fixtures.js';

const NOW = new Date('2026-11-21T10:06:02Z');
const settings = { component: 'metricops', instance: 'metricops-0' };

function record(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    id: 'abc123',
    time: NOW.toISOString(),
    outcome: 'rolled-back',
    reason: 'alert CheckoutHighErrorBudgetBurn started 5m after the rollout',
    alert: { name: 'CheckoutHighErrorBudgetBurn', fingerprint: 'f00d', labels: {}, startsAt: '2026-11-21T10:05:00.000Z', source: 'webhook' },
    deployment: { namespace: 'shop', name: 'checkout' },
    from: { revision: 2, replicaSet: 'checkout-bbb', images: { app: 'shop/checkout:v2' } },
    to: { revision: 1, replicaSet: 'checkout-aaa', images: { app: 'shop/checkout:v1' } },
    ...overrides,
  };
}

describe('eventFor', () => {
  test.each<{ description: string; record: DecisionRecord; reason: string; type: string; message: RegExp }>([
    {
      description: 'a rollback is a Warning RolledBack naming both revisions and images',
      record: record(),
      reason: 'RolledBack',
      type: 'Warning',
      message: /^Rolled back on alert CheckoutHighErrorBudgetBurn \(revision 2 app=shop\/checkout:v2 -> revision 1 app=shop\/checkout:v1\): alert .* after the rollout$/,
    },
    {
      description: 'a dry run is a Normal RollbackDryRun',
      record: record({ outcome: 'dry-run' }),
      reason: 'RollbackDryRun',
      type: 'Normal',
      message: /^Would roll back on alert CheckoutHighErrorBudgetBurn \(revision 2/,
    },
    {
      description: 'a skip is a Normal RollbackSkipped with the skip reason',
      record: record({ outcome: 'skipped', skip: 'cooldown', reason: 'rolled back 2m ago', from: undefined, to: undefined }),
      reason: 'RollbackSkipped',
      type: 'Normal',
      message: /^Not rolled back on alert CheckoutHighErrorBudgetBurn \(cooldown\): rolled back 2m ago$/,
    },
    {
      description: 'already rolled back is a RollbackSkipped',
      record: record({ outcome: 'already-rolled-back', skip: 'already-rolled-back', reason: 'template changed' }),
      reason: 'RollbackSkipped',
      type: 'Normal',
      message: /\(already-rolled-back\): template changed/,
    },
    {
      description: 'a failure is a Warning RollbackFailed with the error',
      record: record({ outcome: 'failed', error: 'rollback of Deployment shop/checkout failed: HTTP 403' }),
      reason: 'RollbackFailed',
      type: 'Warning',
      message: /^Rollback on alert CheckoutHighErrorBudgetBurn failed: rollback of Deployment shop\/checkout failed: HTTP 403$/,
    },
    {
      description: 'a rollback that holds the Deployment against the GitOps engine says so, with the write-back commit',
      record: record({ gitCommit: 'c0ffee0123456789', gitops: { stage: 'holding', heldSince: '2026-11-21T10:06:00Z' } }),
      reason: 'RolledBack',
      type: 'Warning',
      message: /after the rollout; held \(metricops.io\/gitops-hold\) until the GitOps engine applies the write-back c0ffee012345$/,
    },
    {
      description: 'bad images back while held are a Warning GitOpsReverted with what the keeper did',
      record: record({ reason: 'the bad images came back; metricops put app=shop/checkout:v1 back', gitops: { stage: 'reverted', heldSince: '2026-11-21T10:06:00Z' } }),
      reason: 'GitOpsReverted',
      type: 'Warning',
      message: /^the bad images came back; metricops put app=shop\/checkout:v1 back$/,
    },
    {
      description: 'a failed write-back is a Warning WriteBackFailed; the release a Normal HoldReleased',
      record: record({ reason: 'GitOps write-back failed; retrying', gitops: { stage: 'write-back-failed', heldSince: '2026-11-21T10:06:00Z' } }),
      reason: 'WriteBackFailed',
      type: 'Warning',
      message: /^GitOps write-back failed; retrying$/,
    },
    {
      description: 'the release is a Normal HoldReleased',
      record: record({ reason: 'Flux applied main@sha1:c0ffee', gitops: { stage: 'released', heldSince: '2026-11-21T10:06:00Z' } }),
      reason: 'HoldReleased',
      type: 'Normal',
      message: /^Flux applied main@sha1:c0ffee$/,
    },
  ])('$description', ({ record, reason, type, message }) => {
    const event = eventFor(record, 'uid-checkout', NOW, settings)!;
    expect(event).toMatchObject({
      metadata: { namespace: 'shop', name: expect.stringMatching(/^checkout\.abc123\.[0-9a-f]+$/) },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'checkout', uid: 'uid-checkout' },
      reason,
      type,
      reportingComponent: 'metricops',
      reportingInstance: 'metricops-0',
      source: { component: 'metricops' },
      firstTimestamp: NOW,
      lastTimestamp: NOW,
      count: 1,
    });
    expect(event.message).toMatch(message);
  });

  test.each([
    { description: 'no Deployment: no Event', record: record({ outcome: 'skipped', skip: 'no-matching-deployment', deployment: undefined }) },
    { description: 'a Deployment named by labels but not found: no Event', record: record({ outcome: 'skipped', skip: 'no-matching-deployment' }) },
  ])('$description', ({ record }) => {
    expect(eventFor(record, undefined, NOW, settings)).toBeUndefined();
  });

  test('long messages are cut to 1024 characters', () => {
    const event = eventFor(record({ reason: 'x'.repeat(5000) }), undefined, NOW, settings)!;
    expect(event.message).toHaveLength(1024);
    expect(event.message!.endsWith('...')).toBe(true);
  });
});

describe('KubernetesEventRecorder', () => {
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  const cache = { getDeployment: () => ({ uid: 'uid-checkout' }) as never };

  test('creates a core/v1 Event in the Deployment namespace, retrying a 503', async () => {
    let body: any;
    const api = nock(APISERVER)
      .post('/api/v1/namespaces/shop/events').reply(503, {})
      .post('/api/v1/namespaces/shop/events')
      .reply(201, function (_uri, requestBody) {
        body = typeof requestBody === 'string' ? JSON.parse(requestBody) : requestBody;
        return requestBody as nock.Body;
      });
    const recorder = new KubernetesEventRecorder(testKubeConfig(), cache, silentLogger(), new ManualClock(NOW), { instance: 'metricops-0', retry: FAST_RETRY });

    await recorder.record(record());

    expect(api.isDone()).toBe(true);
    expect(body).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: { kind: 'Deployment', name: 'checkout', namespace: 'shop', uid: 'uid-checkout' },
      reason: 'RolledBack',
      type: 'Warning',
      firstTimestamp: '2026-11-21T10:06:02.000Z',
      reportingInstance: 'metricops-0',
    });
  });

  test('no Deployment: nothing is sent', async () => {
    const recorder = new KubernetesEventRecorder(testKubeConfig(), cache, silentLogger(), new ManualClock(NOW));
    await recorder.record(record({ outcome: 'skipped', skip: 'no-matching-deployment', deployment: undefined }));
    expect(nock.pendingMocks()).toEqual([]);
  });

  test('a refusal is an error naming the Event and the Deployment', async () => {
    nock(APISERVER).post('/api/v1/namespaces/shop/events').reply(403, { kind: 'Status', message: 'events is forbidden' });
    const recorder = new KubernetesEventRecorder(testKubeConfig(), cache, silentLogger(), new ManualClock(NOW), { retry: FAST_RETRY });
    await expect(recorder.record(record())).rejects.toThrow('could not create Event RolledBack on Deployment shop/checkout: HTTP 403: events is forbidden');
  });
  const skipped = (id: string) => record({ id, outcome: 'skipped', skip: 'severity-not-selected', reason: 'severity ticket is not selected', from: undefined, to: undefined });

  test('a repeated decision is a merge PATCH of count, lastTimestamp and message on the first Event', async () => {
    const clock = new ManualClock(NOW);
    let created: any;
    let patch: any;
    let contentType: string | undefined;
    nock(APISERVER)
      .post('/api/v1/namespaces/shop/events')
      .reply(201, (_uri, body) => (created = body) as nock.Body)
      .patch((uri) => uri.startsWith('/api/v1/namespaces/shop/events/checkout.first.'))
      .reply(200, function (_uri, body) {
        contentType = this.req.headers['content-type'] as string;
        patch = typeof body === 'string' ? JSON.parse(body) : body;
        return {};
      });
    const recorder = new KubernetesEventRecorder(testKubeConfig(), cache, silentLogger(), clock, { retry: FAST_RETRY });
    await recorder.record(skipped('first'));
    clock.advance(30_000);
    await recorder.record(skipped('second'));
    expect(created).toMatchObject({ count: 1, reason: 'RollbackSkipped' });
    expect(contentType).toBe('application/merge-patch+json');
    expect(patch).toEqual({ count: 2, lastTimestamp: '2026-11-21T10:06:32Z', message: expect.stringContaining('(severity-not-selected)') });
    expect(nock.pendingMocks()).toEqual([]);
  });

  test('an Event gone from the apiserver (404 on the PATCH) is created again with the count so far', async () => {
    const clock = new ManualClock(NOW);
    const bodies: any[] = [];
    nock(APISERVER)
      .post('/api/v1/namespaces/shop/events').reply(201, (_uri, body) => (bodies.push(body), body) as nock.Body)
      .patch(/\/api\/v1\/namespaces\/shop\/events\/.*/).reply(404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'events "x" not found' })
      .post('/api/v1/namespaces/shop/events').reply(201, (_uri, body) => (bodies.push(body), body) as nock.Body);
    const recorder = new KubernetesEventRecorder(testKubeConfig(), cache, silentLogger(), clock, { retry: FAST_RETRY });
    await recorder.record(skipped('first'));
    clock.advance(1_000);
    await recorder.record(skipped('second'));
    expect(bodies.map((body) => body.count)).toEqual([2 - 1, 2]);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
