import { Agent } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fastJsonPatch from 'fast-json-patch';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../common/clock.js';
import { Annotations } from '../../../common/contract/annotations.js';
import { createLogger } from '../../../common/logger.js';
import type { IssuedCertificates } from '../../../webhook/certificates.js';
import { CertificateLoadError } from '../../../webhook/errors.js';
import { startWebhookServer, type WebhookServer } from '../../../webhook/server.js';
import { admissionRequest, admissionReview, deployment } from './fixtures.js';
import { eventually, fingerprint, httpsCall, issueLocal, servedFingerprint, writeSecretVolume } from './tls-fixtures.js';

const ruleFile = (slo: string) =>
  `groups:\n  - name: ${slo}\n    rules:\n      - alert: BudgetBurn\n        expr: vector(1)\n        labels: {slo: ${slo}, slo_severity: page}\n`;

interface AdmissionAnswer {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; status?: { code: number; message?: string }; patch?: string; patchType?: string; warnings?: string[] };
}

describe('webhook server over TLS', () => {
  let root: string;
  let tlsDir: string;
  let rulesDir: string;
  let pair: IssuedCertificates;
  let server: WebhookServer;
  let registry: Registry;
  let logLines: string[];
  const clock = new ManualClock('2026-11-21T14:30:00Z');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'metricops-webhook-'));
    tlsDir = join(root, 'tls');
    rulesDir = join(root, 'rules');
    pair = await issueLocal();
    await writeSecretVolume(tlsDir, pair, 1);
    await (await import('node:fs/promises')).mkdir(rulesDir);
    await writeFile(join(rulesDir, 'checkout.rules.yaml'), ruleFile('checkout-availability'));
    registry = new Registry();
    logLines = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n').filter(Boolean)));
    server = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      tlsCertFile: join(tlsDir, 'tls.crt'),
      tlsKeyFile: join(tlsDir, 'tls.key'),
      rulesDir,
      logger: createLogger({ level: 'info', name: 'webhook', destination }),
      clock,
      registry,
      pollMs: 60_000,
      debounceMs: 20,
    });
  });

  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  const post = (body: string | Buffer, headers?: Record<string, string>) => httpsCall(server.port, pair.caCert, 'POST', '/mutate', body, headers);
  const admitJson = async (review: unknown) => {
    const answer = await post(JSON.stringify(review));
    return { status: answer.status, review: JSON.parse(answer.body) as AdmissionAnswer };
  };

  test('a Deployment CREATE is answered with its uid and a JSON Patch that stamps the rollout', async () => {
    const object = deployment({ annotations: { [Annotations.slo]: 'checkout-availability' } });
    const { status, review } = await admitJson(admissionReview(admissionRequest('CREATE', object, undefined, { uid: 'uid-create-1' })));
    expect(status).toBe(200);
    expect(review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-create-1', allowed: true, patchType: 'JSONPatch', status: { code: 200 } } });
    const patch = JSON.parse(Buffer.from(review.response.patch!, 'base64').toString()) as fastJsonPatch.Operation[];
    const patched = fastJsonPatch.applyPatch(structuredClone(object), patch).newDocument as { metadata: { annotations: Record<string, string> }; spec: unknown };
    expect(patched.spec).toEqual(object.spec);
    expect(patched.metadata.annotations).toEqual({
      [Annotations.slo]: 'checkout-availability',
      [Annotations.images]: '{"app":"registry.example/checkout:1.0.0"}',
      [Annotations.deployedAt]: '2026-11-21T14:30:00Z',
      [Annotations.rules]: JSON.stringify([{ alert: 'BudgetBurn', severity: 'page', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'page' } }]),
    });
  });

  test('the request is logged with uid, namespace, resource name and operation, and without the object', async () => {
    await admitJson(admissionReview(admissionRequest('CREATE', deployment(), undefined, { uid: 'uid-logged' })));
    const line = logLines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.uid === 'uid-logged');
    expect(line).toMatchObject({ level: 'info', name: 'webhook', uid: 'uid-logged', namespace: 'shop', resourceName: 'checkout', operation: 'CREATE', result: 'patched' });
    expect(logLines.find((text) => text.includes('uid-logged'))?.match(/"name":/g)).toHaveLength(1);
    expect(JSON.stringify(line)).not.toContain('registry.example/checkout');
  });

  test('an unknown SLO is stamped without it and answered with a warning', async () => {
    const object = deployment({ annotations: { [Annotations.slo]: 'no-such-slo' } });
    const { review } = await admitJson(admissionReview(admissionRequest('CREATE', object)));
    expect(review.response.allowed).toBe(true);
    expect(review.response.warnings).toEqual([expect.stringContaining(`SLO "no-such-slo", but the rules loaded from ${rulesDir}`)]);
  });

  test('a DELETE is allowed without a patch', async () => {
    const { review } = await admitJson(admissionReview(admissionRequest('DELETE', undefined, deployment(), { uid: 'uid-delete' })));
    expect(review.response).toEqual({ uid: 'uid-delete', allowed: true, status: { code: 200 } });
  });

  test('a Deployment that cannot be stamped is allowed (fail open) with a warning, and counted', async () => {
    const { review } = await admitJson(admissionReview(admissionRequest('CREATE', { metadata: {}, spec: {} }, undefined, { uid: 'uid-broken' })));
    expect(review.response).toMatchObject({ uid: 'uid-broken', allowed: true });
    expect(review.response.patch).toBeUndefined();
    expect(review.response.warnings?.[0]).toContain('spec.template is not an object');
    expect(await registry.getSingleMetricAsString('metricops_webhook_fail_open_total')).toMatch(/metricops_webhook_fail_open_total [1-9]/);
  });

  test.each<{ description: string; body: string | Buffer; headers: Record<string, string> | undefined; status: number; message: RegExp; uid?: string }>([
    { description: 'a body that is not JSON', body: 'this is not json', headers: undefined, status: 400, message: /request body is not JSON/ },
    { description: 'a wrong content type', body: '{}', headers: { 'content-type': 'text/plain' }, status: 415, message: /content type must be application\/json, got text\/plain/ },
    { description: 'JSON that is not an AdmissionReview', body: '{"hello":"world"}', headers: undefined, status: 400, message: /request body: apiVersion: must be "admission\.k8s\.io\/v1".*kind: must be "AdmissionReview".*request:/ },
    {
      description: 'a v1beta1 AdmissionReview',
      body: JSON.stringify({ ...admissionReview(admissionRequest('CREATE', deployment(), undefined, { uid: 'uid-beta' })), apiVersion: 'admission.k8s.io/v1beta1' }),
      headers: undefined,
      status: 400,
      message: /admissionReviewVersions: \["v1"\]/,
      uid: 'uid-beta',
    },
    { description: 'an oversize body', body: Buffer.alloc(3 * 1024 * 1024 + 1, 0x20), headers: undefined, status: 413, message: /larger than the limit of 3145728 bytes/ },
    { description: 'Content-Encoding gzip on a body that is not compressed', body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 400, message: /not valid gzip data/ },
    { description: 'Content-Encoding br on a body that is not compressed', body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, status: 400, message: /not valid br data/ },
    { description: 'an unsupported Content-Encoding', body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd' }, status: 415, message: /Content-Encoding "zstd" is not supported/ },
    { description: 'a gzip bomb', body: gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 413, message: /larger than the limit of 3145728 bytes/ },
    { description: 'a charset other than UTF-8', body: '{}', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, status: 415, message: /charset "iso-8859-1" is not supported/ },
    { description: 'bytes that are not UTF-8', body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), headers: undefined, status: 400, message: /not valid UTF-8/ },
    {
      description: 'an object nested 100,000 deep',
      body: JSON.stringify(admissionReview(admissionRequest('CREATE', deployment(), undefined, { uid: 'uid-deep' }))).replace(/}$/, `,"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      headers: undefined,
      status: 400,
      message: /nests arrays and objects deeper than 1000 levels/,
    },
  ])('$description gets a clear 4xx in a well-formed AdmissionReview, and the server keeps serving', async ({ body, headers, status, message, uid }) => {
    const answer = await post(body, headers ?? { 'content-type': 'application/json' });
    expect(answer.status).toBe(status);
    const review = JSON.parse(answer.body) as AdmissionAnswer;
    expect(review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: uid ?? '', allowed: false, status: { code: status } } });
    expect(review.response.status?.message).toMatch(message);
    expect((await admitJson(admissionReview(admissionRequest('CREATE', deployment())))).status).toBe(200);
  });

  test('a Deployment with __proto__, constructor and prototype annotations is stamped, those annotations untouched', async () => {
    const object = deployment({ annotations: { [Annotations.slo]: 'checkout-availability', constructor: 'c', prototype: 'p' } }) as { metadata: { annotations: Record<string, string> } };
    const text = JSON.stringify(admissionReview(admissionRequest('CREATE', object, undefined, { uid: 'uid-proto' }))).replace('"constructor":"c"', '"__proto__":"x","constructor":"c"');
    const answer = await post(text);
    expect(answer.status).toBe(200);
    const review = JSON.parse(answer.body) as AdmissionAnswer;
    expect(review.response).toMatchObject({ uid: 'uid-proto', allowed: true, patchType: 'JSONPatch' });
    const patch = JSON.parse(Buffer.from(review.response.patch!, 'base64').toString()) as fastJsonPatch.Operation[];
    expect(patch.map((operation) => operation.path).filter((path) => /__proto__|constructor|prototype/.test(path))).toEqual([]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test.each(['/healthz', '/readyz', '/metrics'])('POST %s is a 405 naming GET', async (path) => {
    const answer = await httpsCall(server.port, pair.caCert, 'POST', path, '{}');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET');
  });

  test('200 concurrent requests are each answered with their own uid', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 20, ca: pair.caCert });
    try {
      const answers = await Promise.all(
        Array.from({ length: 200 }, async (_, index) => {
          const object = deployment({ name: `app-${index}`, containers: [{ name: 'app', image: `registry.example/app:${index}` }] });
          const body = JSON.stringify(admissionReview(admissionRequest('CREATE', object, undefined, { uid: `uid-${index}`, name: `app-${index}` })));
          const answer = await httpsCall(server.port, pair.caCert, 'POST', '/mutate', body, { 'content-type': 'application/json' }, agent);
          return { index, review: JSON.parse(answer.body) as AdmissionAnswer };
        }),
      );
      for (const { index, review } of answers) {
        expect(review.response.uid).toBe(`uid-${index}`);
        const patch = JSON.parse(Buffer.from(review.response.patch!, 'base64').toString()) as [{ value: Record<string, string> }];
        expect(patch[0].value[Annotations.images]).toBe(JSON.stringify({ app: `registry.example/app:${index}` }));
      }
    } finally {
      agent.destroy();
    }
  });

  test('health, readiness and metrics are served', async () => {
    expect(await httpsCall(server.port, pair.caCert, 'GET', '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await httpsCall(server.port, pair.caCert, 'GET', '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
    const metrics = await httpsCall(server.port, pair.caCert, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/metricops_webhook_requests_total\{result="patched"\} [1-9]/);
    expect(metrics.body).toMatch(/metricops_webhook_requests_total\{result="bad_request"\} [1-9]/);
    expect(metrics.body).toMatch(/metricops_webhook_request_duration_seconds_bucket\{le="0.005",result="patched"\} [1-9]/);
    expect(metrics.body).toMatch(/metricops_webhook_rules_alerts 1/);
    expect((await httpsCall(server.port, pair.caCert, 'GET', '/mutate')).status).toBe(405);
    expect((await httpsCall(server.port, pair.caCert, 'GET', '/nope')).status).toBe(404);
  });

  test('a changed rules directory is reloaded and used for the next request', async () => {
    await writeFile(join(rulesDir, 'latency.rules.yaml'), ruleFile('checkout-latency'));
    const review = admissionReview(admissionRequest('CREATE', deployment({ annotations: { [Annotations.slo]: 'checkout-latency' } })));
    const picked = await eventually(async () => ((await admitJson(review)).review.response.warnings ?? []).length === 0);
    expect(picked).toBe(true);
  });

  test('a broken new certificate pair keeps the old one; an atomic Secret volume swap is picked up by new connections', async () => {
    const original = fingerprint(pair.tlsCert);
    expect(await servedFingerprint(server.port)).toBe(original);

    const other = await issueLocal();
    await writeSecretVolume(tlsDir, { ...other, tlsKey: pair.tlsKey }, 2);
    await expect(server.reloadCertificates()).resolves.toBe('failed');
    expect(await servedFingerprint(server.port)).toBe(original);
    expect(logLines.some((line) => line.includes('does not belong to the certificate'))).toBe(true);

    const next = await issueLocal();
    await writeSecretVolume(tlsDir, next, 3);
    expect(await eventually(async () => (await servedFingerprint(server.port)) === fingerprint(next.tlsCert))).toBe(true);
    const answer = await httpsCall(server.port, next.caCert, 'GET', '/healthz');
    expect(answer.status).toBe(200);
  });
});

describe('startWebhookServer inputs', () => {
  test('unreadable certificate files fail the start with a message naming the flag and file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-webhook-'));
    try {
      await writeFile(join(dir, 'tls.crt'), 'not a certificate');
      await writeFile(join(dir, 'tls.key'), 'not a key');
      const start = startWebhookServer({
        port: 0, host: '127.0.0.1', tlsCertFile: join(dir, 'tls.crt'), tlsKeyFile: join(dir, 'tls.key'), rulesDir: dir,
        logger: createLogger({ level: 'silent' }), clock: new ManualClock('2026-11-21T00:00:00Z'), registry: new Registry(),
      });
      await expect(start).rejects.toThrow(CertificateLoadError);
      await expect(start).rejects.toThrow(`--tls-cert ${join(dir, 'tls.crt')} is not a PEM certificate`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test.each([
    { missing: 'both files', files: { cert: false, key: false }, named: ['--tls-cert', '--tls-key'] },
    { missing: 'the key only', files: { cert: true, key: false }, named: ['--tls-key'] },
    { missing: 'the certificate only', files: { cert: false, key: true }, named: ['--tls-cert'] },
  ])('missing $missing: the error names exactly the unreadable flags and files, in flag order, every time', async ({ files, named }) => {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-webhook-'));
    try {
      const pair = await issueLocal();
      if (files.cert) await writeFile(join(dir, 'tls.crt'), pair.tlsCert);
      if (files.key) await writeFile(join(dir, 'tls.key'), pair.tlsKey);
      const options = {
        port: 0, host: '127.0.0.1', tlsCertFile: join(dir, 'tls.crt'), tlsKeyFile: join(dir, 'tls.key'), rulesDir: dir,
        logger: createLogger({ level: 'silent' }), clock: new ManualClock('2026-11-21T00:00:00Z'),
      };
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const message = await startWebhookServer({ ...options, registry: new Registry() }).then(
          () => 'started',
          (error: Error) => error.message,
        );
        const mentioned = ['--tls-cert', '--tls-key'].filter((flag) => message.includes(`cannot read ${flag} `));
        expect(mentioned).toEqual(named);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
