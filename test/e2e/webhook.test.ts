/**
 * The webhook end to end: the real kube-apiserver (1.34) calls the real webhook server (startWebhookServer,
 * in-process) through a MutatingWebhookConfiguration, with a serving certificate from the project's own
 * issueCertificates and rules compiled from an SLO spec by the project's own compiler. What the apiserver stores,
 * and what the real deployment controller copies onto each ReplicaSet, is read back with kubectl:
 * - CREATE stamps images (app containers, then init:<name>), deployed-at and the SLO's guarding alerts;
 * - a new template is a rollout: new stamps on the Deployment and on the new ReplicaSet, the old one keeps its own;
 * - an UPDATE that leaves the template alone keeps deployed-at; a replace that drops the stamps gets them back;
 * - a server-side dry run is stamped the same way and persists nothing;
 * - an SLO name without alerts gives an admission warning (kubectl prints it) and the known guards are stamped;
 * - with the webhook down, the registration's failurePolicy: Fail refuses the create (nothing unstamped gets in).
 * The webhook's clock is a ManualClock moved by the test, so every deployed-at is an exact expected value (and no
 * test sleeps to make a second pass).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../common/clock.js';
import { Annotations } from '../../common/contract/annotations.js';
import { silentLogger } from '../../common/logger.js';
import type { GuardingAlert } from '../../common/contract/guarding-alert.js';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompiledRules } from '../../slo-compiler/compile.js';
import { writeCompiledRules } from '../../slo-compiler/output/write.js';
import { parseSpecs } from '../../slo-compiler/inputs/parse.js';
import { issueCertificates } from '../../webhook/certificates.js';
import { startWebhookServer, type WebhookServer } from '../../webhook/server.js';
import { formatDeployedAt as rfc3339 } from '../../common/contract/deployed-at.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const namespace = uniqueNamespace('mo-webhook');
const registrationName = `metricops-webhook-e2e-${namespace}`;

interface KubeMeta {
  name: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  resourceVersion?: string;
  ownerReferences?: Array<{ kind: string; name: string }>;
}
interface PodSpec {
  containers: Array<{ name: string; image: string }>;
  initContainers?: Array<{ name: string; image: string }>;
}
interface DeploymentObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  spec: { replicas?: number; selector?: unknown; template: { metadata?: KubeMeta | { labels: Record<string, string> }; spec: PodSpec } };
}
interface ReplicaSetObject {
  metadata: KubeMeta;
  spec: { template: { spec: PodSpec } };
}

/** Two SLOs: one guarding the Deployment "checkout" of this namespace, one without a target. */
const sloSpec = `
apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata: {name: checkout-availability, namespace: ${namespace}}
spec:
  service: checkout
  objective: 99.9
  window: 30d
  target: {deployment: checkout}
  indicator:
    ratio: {errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}'}
  alerting: {name: CheckoutAvailabilitySLO}
---
apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata: {name: search-availability, namespace: ${namespace}}
spec:
  service: search
  objective: 99.5
  indicator:
    ratio: {errors: 'http_requests_total{job="search",code=~"5.."}', total: 'http_requests_total{job="search"}'}
`;

let workDir = '';
let rulesDir = '';
let compiled: CompiledRules;
let server: WebhookServer | undefined;
const registry = new Registry();
// Near the real time, second precision; moved on by the test before each rollout.
const clock = new ManualClock(rfc3339(new Date()));

async function kubectlOk(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const result = await cluster.kubectl(args, input === undefined ? undefined : { input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result;
}

async function getDeployment(name: string): Promise<DeploymentObject> {
  return JSON.parse((await kubectlOk(['get', 'deployment', name, '-n', namespace, '-o', 'json'])).stdout) as DeploymentObject;
}

async function replicaSetsOf(deployment: string): Promise<ReplicaSetObject[]> {
  const list = JSON.parse((await kubectlOk(['get', 'replicasets', '-n', namespace, '-o', 'json'])).stdout) as { items: ReplicaSetObject[] };
  return list.items
    .filter((set) => set.metadata.ownerReferences?.some((owner) => owner.kind === 'Deployment' && owner.name === deployment))
    .sort((a, b) => Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']));
}

/** Admission requests this test's webhook answered with the given result (patched, unchanged, ...), or with any. */
async function answered(result?: string): Promise<number> {
  const metric = await registry.getSingleMetric('metricops_webhook_requests_total')?.get();
  return (metric?.values ?? []).filter((value) => result === undefined || value.labels.result === result).reduce((sum, value) => sum + value.value, 0);
}

function stamps(annotations: Record<string, string> | undefined): { images?: string; deployedAt?: string; rules?: unknown } {
  const rules = annotations?.[Annotations.rules];
  return {
    images: annotations?.[Annotations.images],
    deployedAt: annotations?.[Annotations.deployedAt],
    rules: rules === undefined ? undefined : JSON.parse(rules),
  };
}

function deployment(name: string, slo: string, appImage: string): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, annotations: { [Annotations.slo]: slo } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          initContainers: [{ name: 'migrate', image: 'example.com/shop/migrate:v1' }],
          containers: [
            { name: 'app', image: appImage },
            { name: 'proxy', image: 'example.com/shop/proxy:1.4' },
          ],
        },
      },
    },
  };
}

/** The guarding alerts the compiler produced for one SLO: what metricops.io/rules must list. */
function compiledGuards(slo: string): GuardingAlert[] {
  return compiled.guardingAlerts.filter((alert) => alert.slo === slo);
}

const imagesJson = (app: string): string =>
  JSON.stringify({ app, proxy: 'example.com/shop/proxy:1.4', 'init:migrate': 'example.com/shop/migrate:v1' });

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metricops-webhook-e2e-'));

  // Rules: the compiler's own output for the spec above, written as `metricops compile --out` writes it.
  const parsed = parseSpecs([{ source: 'slos.yaml', text: sloSpec }]);
  expect(parsed.issues).toEqual([]);
  compiled = compile(parsed.input, DEFAULT_COMPILE_OPTIONS);
  rulesDir = join(workDir, 'rules');
  await mkdir(rulesDir);
  await writeCompiledRules(rulesDir, compiled);

  // Serving certificate from the project's certificate code, as `metricops certs --ip 127.0.0.1` issues it.
  const certs = await issueCertificates({ service: 'metricops-webhook', namespace: 'metricops', days: 1, extraIps: ['127.0.0.1'] });
  await writeFile(join(workDir, 'tls.crt'), certs.tlsCert);
  await writeFile(join(workDir, 'tls.key'), certs.tlsKey, { mode: 0o600 });
  server = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    tlsCertFile: join(workDir, 'tls.crt'),
    tlsKeyFile: join(workDir, 'tls.key'),
    rulesDir,
    logger: silentLogger(),
    clock,
    registry,
  });

  await kubectlOk(['create', 'namespace', namespace]);
  await kubectlOk(['label', 'namespace', namespace, 'metricops.io/enabled=true']);
  const registration = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: registrationName },
    webhooks: [{
      name: 'deployments.metricops.io',
      admissionReviewVersions: ['v1'],
      clientConfig: { url: `https://127.0.0.1:${server.port}/mutate`, caBundle: Buffer.from(certs.caCert).toString('base64') },
      rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }],
      // Only this test's namespace (opted in by label), so other e2e files sharing the cluster are untouched.
      namespaceSelector: { matchLabels: { 'metricops.io/enabled': 'true', 'kubernetes.io/metadata.name': namespace } },
      // Fail, not the Ignore of manifests/: a webhook the apiserver cannot call (TLS, URL, bad answer) must show up
      // here as a failed create or update, not as a silently unstamped Deployment.
      failurePolicy: 'Fail',
      sideEffects: 'None',
      timeoutSeconds: 5,
      reinvocationPolicy: 'IfNeeded',
    }],
  };
  await kubectlOk(['apply', '-f', '-'], JSON.stringify(registration));
  // The apiserver picks a new registration up from its informer a moment later: wait (bounded) until a dry-run
  // create reaches this webhook (answered at all: how it answers a dry run is tested below), so the first real
  // create cannot slip through unstamped.
  await waitFor(async () => {
    const before = await answered();
    const probe = deployment('registration-probe', 'checkout-availability', 'example.com/probe:v1');
    await kubectlOk(['create', '--dry-run=server', '-n', namespace, '-o', 'json', '-f', '-'], JSON.stringify(probe));
    return (await answered()) > before;
  }, { what: 'the apiserver to call the registered webhook', timeoutMs: 30_000, intervalMs: 200 });
}, 60_000);

afterAll(async () => {
  await cluster.kubectl(['delete', 'mutatingwebhookconfiguration', registrationName, '--ignore-not-found']);
  await cluster.kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the apiserver calls the real webhook (failurePolicy: Fail) for Deployments in an opted-in namespace', () => {
  let createdAt = '';
  let rolledOutAt = '';

  test('the compiled rules guard checkout-availability with a page and a ticket alert labelled with the target', () => {
    // The expectation of the stamps below, pinned here so a compiler change that empties it cannot pass unnoticed.
    expect(compiledGuards('checkout-availability')).toEqual([
      { alert: 'CheckoutAvailabilitySLO', severity: 'page', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'page', namespace, deployment: 'checkout' } },
      { alert: 'CheckoutAvailabilitySLO', severity: 'ticket', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'ticket', namespace, deployment: 'checkout' } },
    ]);
    expect(compiledGuards('search-availability')).toHaveLength(2);
  });

  test('CREATE: the stored Deployment and its first ReplicaSet carry images (incl. init:<name>), deployed-at and the SLO\'s alerts', async () => {
    createdAt = rfc3339(clock.now());
    const before = await answered('patched');
    await kubectlOk(['create', '-n', namespace, '-f', '-'], JSON.stringify(deployment('checkout', 'checkout-availability', 'example.com/shop/checkout:v1')));
    expect(await answered('patched')).toBeGreaterThan(before);

    const stored = await getDeployment('checkout');
    expect(stored.metadata.annotations?.[Annotations.images]).toBe(imagesJson('example.com/shop/checkout:v1')); // exact: order too
    expect(stamps(stored.metadata.annotations)).toEqual({
      images: imagesJson('example.com/shop/checkout:v1'),
      deployedAt: createdAt,
      rules: compiledGuards('checkout-availability'),
    });
    expect(stored.metadata.annotations?.[Annotations.slo]).toBe('checkout-availability');

    const [first] = await waitFor(async () => {
      const sets = await replicaSetsOf('checkout');
      return sets.length === 1 && sets[0]!.metadata.annotations?.[Annotations.deployedAt] !== undefined ? sets : undefined;
    }, { what: 'the first ReplicaSet of checkout, stamped', timeoutMs: 30_000 });
    expect(stamps(first!.metadata.annotations)).toEqual(stamps(stored.metadata.annotations));
  });

  test('a new image is a rollout: new deployed-at and images on the Deployment, a new ReplicaSet with them, the old one keeps its own', async () => {
    clock.advance(90_000);
    rolledOutAt = rfc3339(clock.now());
    await kubectlOk(['set', 'image', 'deployment/checkout', '-n', namespace, 'app=example.com/shop/checkout:v2']);

    const stored = await getDeployment('checkout');
    expect(stamps(stored.metadata.annotations)).toEqual({
      images: imagesJson('example.com/shop/checkout:v2'),
      deployedAt: rolledOutAt,
      rules: compiledGuards('checkout-availability'),
    });
    expect(rolledOutAt).not.toBe(createdAt);

    const sets = await waitFor(async () => {
      const found = await replicaSetsOf('checkout');
      return found.length === 2 && found[1]!.metadata.annotations?.[Annotations.deployedAt] === rolledOutAt ? found : undefined;
    }, { what: 'a second, stamped ReplicaSet of checkout', timeoutMs: 30_000 });
    const [old, current] = sets as [ReplicaSetObject, ReplicaSetObject];
    expect(old.spec.template.spec.containers[0]!.image).toBe('example.com/shop/checkout:v1');
    expect(stamps(old.metadata.annotations)).toEqual({ images: imagesJson('example.com/shop/checkout:v1'), deployedAt: createdAt, rules: compiledGuards('checkout-availability') });
    expect(current.spec.template.spec.containers[0]!.image).toBe('example.com/shop/checkout:v2');
    expect(stamps(current.metadata.annotations)).toEqual({ images: imagesJson('example.com/shop/checkout:v2'), deployedAt: rolledOutAt, rules: compiledGuards('checkout-availability') });
  });

  test('updates that leave the template alone (a label, replicas) keep deployed-at, images and rules; the webhook saw them', async () => {
    clock.advance(90_000);
    const before = await answered();
    await kubectlOk(['label', 'deployment', 'checkout', '-n', namespace, 'tier=web']);
    await kubectlOk(['patch', 'deployment', 'checkout', '-n', namespace, '--type=merge', '-p', JSON.stringify({ spec: { replicas: 2 } })]);
    // Both went through the main resource (not /scale), so the webhook was asked each time.
    expect(await answered()).toBeGreaterThanOrEqual(before + 2);

    const stored = await getDeployment('checkout');
    expect(stored.metadata.labels?.tier).toBe('web');
    expect(stored.spec.replicas).toBe(2);
    expect(stamps(stored.metadata.annotations)).toEqual({
      images: imagesJson('example.com/shop/checkout:v2'),
      deployedAt: rolledOutAt,
      rules: compiledGuards('checkout-availability'),
    });
  });

  test('a replace that drops the stamps (or sends its own) gets the stored ones back', async () => {
    clock.advance(90_000);
    // What a GitOps tool replacing with its manifest sends: the manifest's fields only, no stamps, no resourceVersion
    // (Deployments allow unconditional updates). The apiserver defaults it before admission, so the template is unchanged.
    const dropped = deployment('checkout', 'checkout-availability', 'example.com/shop/checkout:v2');
    dropped.metadata.labels = { tier: 'web' };
    dropped.spec.replicas = 2;
    const before = await answered('patched');
    const replaced = JSON.parse((await kubectlOk(['replace', '-n', namespace, '-o', 'json', '-f', '-'], JSON.stringify(dropped))).stdout) as DeploymentObject;
    expect(await answered('patched')).toBeGreaterThan(before);
    const expected = { images: imagesJson('example.com/shop/checkout:v2'), deployedAt: rolledOutAt, rules: compiledGuards('checkout-availability') };
    expect(stamps(replaced.metadata.annotations)).toEqual(expected);
    expect(stamps((await getDeployment('checkout')).metadata.annotations)).toEqual(expected);

    const forged = structuredClone(await getDeployment('checkout'));
    delete forged.metadata.resourceVersion; // unconditional: the controller may have written status meanwhile
    forged.metadata.annotations![Annotations.images] = JSON.stringify({ app: 'example.com/evil:latest' });
    forged.metadata.annotations![Annotations.deployedAt] = '2001-01-01T00:00:00Z';
    forged.metadata.annotations![Annotations.rules] = '[]';
    await kubectlOk(['replace', '-n', namespace, '-f', '-'], JSON.stringify(forged));
    expect(stamps((await getDeployment('checkout')).metadata.annotations)).toEqual(expected);
    expect(await replicaSetsOf('checkout')).toHaveLength(2); // no rollout came of either replace
  });

  test('a server-side dry-run create gets the same stamps in the response and persists nothing', async () => {
    clock.advance(90_000);
    const at = rfc3339(clock.now());
    const output = await kubectlOk(['create', '--dry-run=server', '-n', namespace, '-o', 'json', '-f', '-'],
      JSON.stringify(deployment('checkout-dry', 'checkout-availability', 'example.com/shop/checkout:v3')));
    const answeredObject = JSON.parse(output.stdout) as DeploymentObject;
    expect(stamps(answeredObject.metadata.annotations)).toEqual({
      images: imagesJson('example.com/shop/checkout:v3'),
      deployedAt: at,
      rules: compiledGuards('checkout-availability'),
    });
    const lookup = await cluster.kubectl(['get', 'deployment', 'checkout-dry', '-n', namespace, '-o', 'name']);
    expect(lookup.code).not.toBe(0);
    expect(lookup.stderr).toContain('NotFound');
    expect(await replicaSetsOf('checkout-dry')).toEqual([]);
  });

  test('an SLO name without alerts: the apiserver passes the webhook\'s warning to the client, and the known guards are stamped', async () => {
    clock.advance(90_000);
    const at = rfc3339(clock.now());
    const result = await kubectlOk(['create', '-n', namespace, '-f', '-'],
      JSON.stringify(deployment('search', 'search-availability, no-such-slo', 'example.com/shop/search:v1')));
    const fileCount = compiled.files.length;
    const alertCount = compiled.guardingAlerts.length;
    expect(result.stderr).toContain(
      `Warning: metricops: metricops.io/slo names SLO "no-such-slo", but the rules loaded from ${rulesDir} (${fileCount} files, ${alertCount} alerts) ` +
      'have no alerts with label slo="no-such-slo"; stamped the other guards. Check the name or compile and sync its rules.',
    );
    expect(result.stderr).not.toContain('search-availability"');
    const stored = await getDeployment('search');
    expect(stamps(stored.metadata.annotations)).toEqual({
      images: imagesJson('example.com/shop/search:v1'),
      deployedAt: at,
      rules: compiledGuards('search-availability'),
    });
    expect(compiledGuards('search-availability').map((alert) => alert.labels)).toEqual([
      { slo: 'search-availability', slo_severity: 'page' },
      { slo: 'search-availability', slo_severity: 'ticket' },
    ]);
  });

  test('with the webhook down, failurePolicy: Fail makes the create fail instead of admitting an unstamped Deployment', async () => {
    await server!.close();
    server = undefined;
    const result = await cluster.kubectl(['create', '-n', namespace, '-f', '-'],
      { input: JSON.stringify(deployment('while-down', 'checkout-availability', 'example.com/shop/checkout:v1')) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('failed calling webhook "deployments.metricops.io"');
    expect((await cluster.kubectl(['get', 'deployment', 'while-down', '-n', namespace])).code).not.toBe(0);
  });
});
