/**
 * The install manifests against a real kube-apiserver (1.34, RBAC, default admission plugins incl. PodSecurity):
 * every overlay builds with kustomize, every object passes server-side dry run, the metricops namespace's
 * "restricted" Pod Security level accepts both Deployments, the feedback pipeline's RBAC allows exactly
 * the calls it makes, and the webhook registration (opt-in namespaceSelector, failurePolicy Ignore) behaves as
 * documented when the apiserver calls the real webhook.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { main } from '../../cli/main.js';
import { systemClock } from '../../common/clock.js';
import { kubeConnectionOf } from '../../common/kube-connection.js';
import { silentLogger } from '../../common/logger.js';
import { createKubernetesAdapters, type KubernetesAdapters } from '../../feedback-pipeline/kubernetes/adapters.js';
import { startWebhookServer } from '../../webhook/server.js';
import { installCertManagerCrds, removeCertManagerCrds } from './harness/cert-manager-crds.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import { FEEDBACK_LEASES_MAY_NOT, FEEDBACK_MAY, FEEDBACK_MAY_IN_OWN_NAMESPACE, FEEDBACK_MAY_NOT, WEBHOOK_MAY_NOT, canI as canIOn, serviceAccountUser } from './harness/feedback-rbac-proof.js';
import { getTrusting } from './harness/get-trusting.js';
import { documents, objectKeys, toYaml, type KubeObject } from './harness/kube-objects.js';
import { freePort } from './harness/ports.js';
import { repoRoot } from './harness/repo-root.js';
import { waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const feedback = serviceAccountUser('metricops', 'metricops-feedback');
const webhook = serviceAccountUser('metricops', 'metricops-webhook');

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cluster.kubectl(args, input === undefined ? undefined : { input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** A kubeconfig for a metricops ServiceAccount's own token (TokenRequest), as its pod would get it mounted. */
async function serviceAccountKubeConfigFor(serviceAccount: string): Promise<KubeConfig> {
  const token = (await kubectlOk(['create', 'token', serviceAccount, '-n', 'metricops', '--duration=10m'])).trim();
  const admin = cluster.kubeConfig.getCurrentCluster()!;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'e2e', server: cluster.serverUrl, caData: admin.caData, caFile: admin.caFile, skipTLSVerify: false }],
    users: [{ name: serviceAccount, token }],
    contexts: [{ name: 'e2e', cluster: 'e2e', user: serviceAccount }],
    currentContext: 'e2e',
  });
  return config;
}

/**
 * What the kubelet would mount for one container of a built Deployment, as temporary folders: Secret and ConfigMap
 * volumes are written from the objects of the same build (found by their possibly hash-suffixed names, as the pod
 * spec names them) or from `created` (what the user creates by hand), emptyDirs are empty. Returns the container's
 * args with every mount path replaced by its folder and --port set to `port`.
 */
async function runLocally(objects: readonly KubeObject[], deploymentName: string, root: string, port: number,
  created: Record<string, Record<string, string>> = {}): Promise<string[]> {
  const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === deploymentName) as unknown as V1Deployment;
  const spec = deployment.spec!.template.spec!;
  const container = spec.containers[0]!;
  const folders = new Map<string, string>();
  for (const volume of spec.volumes ?? []) {
    const folder = join(root, volume.name);
    await mkdir(folder, { recursive: true });
    folders.set(volume.name, folder);
    const source = volume.secret?.secretName ?? volume.configMap?.name;
    if (source === undefined) continue;
    const object = objects.find((candidate) => ['Secret', 'ConfigMap'].includes(candidate.kind) && candidate.metadata.name === source) as
      unknown as { kind: string; data?: Record<string, string> } | undefined;
    const files = object
      ? Object.entries(object.data ?? {}).map(([key, value]) => [key, object.kind === 'Secret' ? Buffer.from(value.replace(/\s+/g, ''), 'base64') : value] as const)
      : Object.entries(created[source] ?? {});
    if (!object && !created[source]) throw new Error(`volume ${volume.name} of ${deploymentName} refers to ${source}, which this build does not contain`);
    for (const [key, content] of files) await writeFile(join(folder, key), content);
  }
  const mounts = (container.volumeMounts ?? []).map((mount) => [mount.mountPath, folders.get(mount.name)!] as const);
  return container.args!.map((arg) => {
    if (arg.startsWith('--port=')) return `--port=${port}`;
    const mapped = mounts.find(([path]) => arg.includes(`=${path}`));
    return mapped ? arg.replace(`=${mapped[0]}`, `=${mapped[1]}`) : arg;
  });
}

/** Runs the CLI in-process until `stop` is called; fails fast (with its stderr) if it exits on its own. */
function startCli(args: string[]): { exited: Promise<number>; stop: () => Promise<number>; failIfExited: () => Promise<void> } {
  let stopWith!: (signal: string) => void;
  const stopSignal = new Promise<string>((resolve) => (stopWith = resolve));
  let stderr = '';
  let done = false;
  const exited = main(args, {
    stdout: () => undefined,
    stderr: (text) => (stderr += text),
    createLogger: () => silentLogger(),
    clock: systemClock,
    stopSignal,
  }).then((code) => {
    done = true;
    return code;
  });
  return {
    exited,
    stop: () => {
      stopWith('SIGTERM');
      return exited;
    },
    failIfExited: async () => {
      if (done) throw new Error(`metricops ${args[0]} exited with ${await exited}: ${stderr}`);
    },
  };
}

let workDir: string;
let printedCaBundle: string;
const built = new Map<string, KubeObject[]>();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metricops-manifests-'));
  // A copy of manifests/, so the self-signed overlay gets its certificate files without writing into the repository.
  await cp(join(repoRoot(), 'manifests'), join(workDir, 'manifests'), { recursive: true });
  // Exactly the documented command: metricops certs --service metricops-webhook --namespace metricops --out .../certs
  let caBundle = '';
  const code = await main(['certs', '--service', 'metricops-webhook', '--namespace', 'metricops', '--out', join(workDir, 'manifests/overlays/self-signed/certs')], {
    stdout: (text) => (caBundle += text),
    stderr: () => undefined,
    createLogger: () => silentLogger(),
    clock: systemClock,
    stopSignal: new Promise(() => undefined),
  });
  expect(code).toBe(0);
  printedCaBundle = caBundle.trim();

  await installCertManagerCrds(cluster);
  // A user's kustomization that installs the cert-manager overlay with the git-ssh component, as docs/install.md shows.
  await mkdir(join(workDir, 'manifests/with-git-ssh'));
  await writeFile(join(workDir, 'manifests/with-git-ssh/kustomization.yaml'),
    'resources:\n  - ../overlays/cert-manager\ncomponents:\n  - ../components/git-ssh\n');
  // And one that installs it namespace-scoped (docs/install.md, "Restricting the feedback pipeline to some namespaces").
  await mkdir(join(workDir, 'manifests/namespace-scoped'));
  await writeFile(join(workDir, 'manifests/namespace-scoped/kustomization.yaml'),
    'resources:\n  - ../overlays/self-signed\ncomponents:\n  - ../components/namespace-scoped\n');
  for (const overlay of ['base', 'overlays/cert-manager', 'overlays/self-signed', 'with-git-ssh', 'namespace-scoped']) {
    built.set(overlay, documents(await kubectlOk(['kustomize', join(workDir, 'manifests', overlay)])));
  }
  // Namespaced objects can only be dry-run into a namespace that exists: create it for real, with its labels.
  const namespace = built.get('base')!.filter((object) => object.kind === 'Namespace');
  await kubectlOk(['apply', '-f', '-'], toYaml(namespace));
  // The ServiceAccounts and the feedback RBAC for real: the can-i checks and the adapters running as the ServiceAccount.
  const rbacKinds = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  await kubectlOk(['apply', '-f', '-'], toYaml(built.get('base')!.filter((object) => rbacKinds.has(object.kind))));
}, 120_000);

afterAll(async () => {
  // The metricops namespace, its ServiceAccounts and the feedback ClusterRole(Binding) stay: the loop test
  // (harness/metricops-loop.ts) applies the same objects from manifests/base into this shared cluster, possibly at
  // the same time, and runs the feedback pipeline with that ServiceAccount's token. The cluster ends with the run.
  await removeCertManagerCrds(cluster);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('kustomize overlays', () => {
  test.each([
    ['the base builds but is not installable alone: it has no webhook certificate', 'base', { secret: false, caBundle: false, injectCa: false }],
    ['the cert-manager overlay adds the Issuer and Certificate and asks the injector for the caBundle', 'overlays/cert-manager', { secret: false, caBundle: false, injectCa: true }],
    ['the self-signed overlay adds the TLS Secret and writes its CA into the caBundle', 'overlays/self-signed', { secret: true, caBundle: true, injectCa: false }],
  ])('%s (%s)', (_description, overlay, expected) => {
    const objects = built.get(overlay)!;
    const configuration = objects.find((object) => object.kind === 'MutatingWebhookConfiguration') as unknown as {
      metadata: { annotations?: Record<string, string> };
      webhooks: Array<{ clientConfig: { caBundle?: string } }>;
    };
    expect({
      secret: objects.some((object) => object.kind === 'Secret' && object.metadata.name.startsWith('metricops-webhook-tls')),
      caBundle: typeof configuration.webhooks[0]!.clientConfig.caBundle === 'string',
      injectCa: configuration.metadata.annotations?.['cert-manager.io/inject-ca-from'] === 'metricops/metricops-webhook',
    }).toEqual(expected);
  });

  test('the git-ssh component adds the deploy key and GIT_SSH_COMMAND to the feedback container only', () => {
    const containers = (name: string) => (built.get('with-git-ssh')!.find((object) => object.kind === 'Deployment' && object.metadata.name === name) as unknown as V1Deployment).spec!.template.spec!.containers;
    expect(containers('metricops-feedback')[0]!.env!.map((variable) => variable.name)).toContain('GIT_SSH_COMMAND');
    expect(containers('metricops-feedback')[0]!.volumeMounts!.map((mount) => mount.name)).toEqual(expect.arrayContaining(['receiver-token', 'data', 'tmp', 'git-ssh']));
    expect(containers('metricops-webhook')[0]!.env!.map((variable) => variable.name)).not.toContain('GIT_SSH_COMMAND');
  });

  test('the namespace-scoped component: no ClusterRole or binding, the workload rules as a Role in shop, --namespaces=shop, the Lease Role kept', () => {
    const objects = built.get('namespace-scoped')!;
    expect(objects.filter((object) => object.kind.startsWith('Cluster') && object.kind.includes('Role'))).toEqual([]);
    const roles = objects.filter((object) => object.kind === 'Role').map((object) => `${object.metadata.namespace}/${object.metadata.name}`);
    expect(roles.sort()).toEqual(['metricops/metricops-feedback', 'shop/metricops-feedback-workloads']);
    const feedback = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'metricops-feedback') as unknown as V1Deployment;
    expect(feedback.spec!.template.spec!.containers[0]!.args).toContain('--namespaces=shop');
  });

  test('the self-signed caBundle is the CA certificate metricops certs wrote, the same caBundle it printed', async () => {
    const objects = built.get('overlays/self-signed')!;
    const configuration = objects.find((object) => object.kind === 'MutatingWebhookConfiguration') as unknown as { webhooks: Array<{ clientConfig: { caBundle: string } }> };
    const caBundle = configuration.webhooks[0]!.clientConfig.caBundle.replace(/\s+/g, '');
    const ca = await readFile(join(workDir, 'manifests/overlays/self-signed/certs/ca.crt'), 'utf8');
    expect(Buffer.from(caBundle, 'base64').toString('utf8')).toBe(ca);
    expect(caBundle).toBe(printedCaBundle);
  });
});

describe('the self-signed overlay, as the apiserver would see it', () => {
  test('`metricops webhook` with its Deployment\'s args and mounts serves the certificate kustomize put in the Secret; a client trusting only the caBundle verifies it as metricops-webhook.metricops.svc', async () => {
    const objects = built.get('overlays/self-signed')!;
    const configuration = objects.find((object) => object.kind === 'MutatingWebhookConfiguration') as unknown as { webhooks: Array<{ clientConfig: { caBundle: string } }> };
    const port = await freePort();
    const webhookProcess = startCli([...(await runLocally(objects, 'metricops-webhook', join(workDir, 'webhook-pod'), port)), '--host=127.0.0.1']);
    try {
      const ca = Buffer.from(configuration.webhooks[0]!.clientConfig.caBundle.replace(/\s+/g, ''), 'base64').toString('utf8');
      // Ready with the base's empty rules ConfigMap: a fresh install passes its readiness probe.
      await waitFor(async () => {
        await webhookProcess.failIfExited();
        return (await getTrusting(port, '/readyz', ca, 'metricops-webhook.metricops.svc')) === 200;
      }, { what: 'metricops webhook /readyz', timeoutMs: 30_000 });
      expect(await getTrusting(port, '/healthz', ca, 'metricops-webhook.metricops.svc')).toBe(200);
      await expect(getTrusting(port, '/healthz', ca, 'metricops-webhook.other.svc')).rejects.toThrow(/altnames|Hostname/);
    } finally {
      expect(await webhookProcess.stop()).toBe(0);
    }
  });
});

describe('server-side dry run', () => {
  test.each(['base', 'overlays/cert-manager', 'overlays/self-signed', 'with-git-ssh'])('the apiserver accepts every object of %s, without a Pod Security warning', async (overlay) => {
    const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: toYaml(built.get(overlay)!) });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const accepted = result.stdout.trim().split('\n').map((line) => /^([a-z]+)(?:\.[^/]+)?\/(\S+) \w+ \(server dry run\)$/.exec(line)?.slice(1, 3).join('/') ?? line);
    expect(accepted.sort()).toEqual(objectKeys(built.get(overlay)!));
  });

  test('the namespace\'s restricted Pod Security level would flag a Deployment without the securityContext (the check above can fail)', async () => {
    const careless = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'careless', namespace: 'metricops' },
      spec: {
        selector: { matchLabels: { app: 'careless' } },
        template: { metadata: { labels: { app: 'careless' } }, spec: { containers: [{ name: 'app', image: 'example.com/app:v1' }] } },
      },
    };
    const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: toYaml([careless]) });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/would violate PodSecurity "restricted:latest"/);
  });
});

describe('RBAC, applied for real', () => {
  const canI = (user: string, verb: string, resource: string, namespace?: string, subresource?: string) => canIOn(cluster, user, verb, resource, namespace, subresource);

  test.each(FEEDBACK_MAY)('the feedback pipeline may: %s (%s %s)', async (_reason, verb, resource) => {
    expect(await canI(feedback, verb, resource)).toBe('yes');
  });

  test.each(FEEDBACK_MAY_NOT)('the feedback pipeline may not %s', async (_what, verb, resource, subresource) => {
    expect(await canI(feedback, verb, resource, 'shop', subresource)).toBe('no');
  });

  test.each(FEEDBACK_MAY_IN_OWN_NAMESPACE)('in its own namespace, the feedback pipeline may: %s (%s %s)', async (_reason, verb, resource) => {
    expect(await canI(feedback, verb, resource, 'metricops')).toBe('yes');
  });

  test.each(FEEDBACK_LEASES_MAY_NOT)('the feedback pipeline may not %s', async (_what, verb, resource, where) => {
    expect(await canI(feedback, verb, resource, where === 'own' ? 'metricops' : where)).toBe('no');
  });

  test.each(WEBHOOK_MAY_NOT)('the webhook has no API access at all: may not %s %s', async (verb, resource) => {
    expect(await canI(webhook, verb, resource)).toBe('no');
  });

  test('the grants are cluster-wide: also in the metricops namespace and any other', async () => {
    expect(await canI(feedback, 'patch', 'deployments.apps', 'metricops')).toBe('yes');
    expect(await canI(feedback, 'patch', 'deployments.apps', 'kube-system')).toBe('yes');
  });
});

describe('the webhook registration, served by the real webhook and called by the real apiserver', () => {
  const optedIn = uniqueNamespace('mo-opted-in');
  const notLabelled = uniqueNamespace('mo-not-labelled');
  const optedOut = uniqueNamespace('mo-opted-out');
  const registrationName = 'metricops-manifests-e2e';
  let server: Awaited<ReturnType<typeof startWebhookServer>> | undefined;
  const registry = new Registry();

  /** Admission requests this test's webhook has answered (other webhooks in the shared cluster may stamp too). */
  async function requestsServed(): Promise<number> {
    const metric = await registry.getSingleMetric('metricops_webhook_requests_total')?.get();
    return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
  }

  beforeAll(async () => {
    const certs = join(workDir, 'local-webhook-certs');
    let caBundle = '';
    const code = await main(['certs', '--service', 'metricops-webhook', '--namespace', 'metricops', '--ip', '127.0.0.1', '--out', certs], {
      stdout: (text) => (caBundle += text),
      stderr: () => undefined,
      createLogger: () => silentLogger(),
      clock: systemClock,
      stopSignal: new Promise(() => undefined),
    });
    expect(code).toBe(0);
    await mkdir(join(certs, 'rules'));
    server = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      tlsCertFile: join(certs, 'tls.crt'),
      tlsKeyFile: join(certs, 'tls.key'),
      rulesDir: join(certs, 'rules'),
      logger: silentLogger(),
      clock: systemClock,
      registry,
    });
    for (const [name, label] of [[optedIn, 'true'], [notLabelled, undefined], [optedOut, 'false']] as const) {
      await kubectlOk(['create', 'namespace', name]);
      if (label) await kubectlOk(['label', 'namespace', name, `metricops.io/enabled=${label}`]);
    }
    // The manifest's own namespace and kube-system, opted in by label: the NotIn expression must still keep them out.
    for (const name of ['metricops', 'kube-system']) await kubectlOk(['label', 'namespace', name, 'metricops.io/enabled=true', '--overwrite']);

    // The manifest's registration exactly, except: it calls the local webhook by URL (there are no pods here),
    // and one extra expression keeps it to this test's namespaces, so other e2e files sharing the cluster are untouched.
    const registration = structuredClone(built.get('base')!.find((object) => object.kind === 'MutatingWebhookConfiguration')) as unknown as {
      metadata: { name: string };
      webhooks: Array<{ clientConfig: Record<string, unknown>; namespaceSelector: { matchExpressions: unknown[] } }>;
    };
    registration.metadata.name = registrationName;
    registration.webhooks[0]!.clientConfig = { url: `https://127.0.0.1:${server.port}/mutate`, caBundle: caBundle.trim() };
    registration.webhooks[0]!.namespaceSelector.matchExpressions.push({
      key: 'kubernetes.io/metadata.name',
      operator: 'In',
      values: [optedIn, notLabelled, optedOut, 'metricops', 'kube-system'],
    });
    await kubectlOk(['apply', '-f', '-'], toYaml([registration]));
  }, 60_000);

  afterAll(async () => {
    await cluster.kubectl(['delete', 'mutatingwebhookconfiguration', registrationName, '--ignore-not-found']);
    await cluster.kubectl(['label', 'namespace', 'kube-system', 'metricops.io/enabled-']);
    await cluster.kubectl(['label', 'namespace', 'metricops', 'metricops.io/enabled-']);
    await cluster.kubectl(['delete', 'namespace', optedIn, notLabelled, optedOut, '--ignore-not-found', '--wait=false']);
    await server?.close();
  });

  /** Creates a Deployment (dry run on the server, so admission runs fully and nothing is left behind) and returns its annotations. */
  async function admittedAnnotations(namespace: string, name: string): Promise<Record<string, string>> {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.com/app:v1' }] } },
      },
    };
    const output = await kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(deployment));
    return (JSON.parse(output) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};
  }

  test.each([
    ['a namespace labelled metricops.io/enabled=true is stamped', () => optedIn, true],
    ['a namespace without the label is left alone (opt-in)', () => notLabelled, false],
    ['a namespace labelled metricops.io/enabled=false is left alone', () => optedOut, false],
    ["metricops' own namespace is never stamped, even labelled", () => 'metricops', false],
    ['kube-system is never stamped, even labelled', () => 'kube-system', false],
  ])('%s', async (_description, namespace, stamped) => {
    const before = await requestsServed();
    const annotations = await admittedAnnotations(namespace(), 'manifests-e2e');
    // At least once when it matches: another webhook in the shared cluster may trigger a reinvocation.
    if (stamped) expect(await requestsServed()).toBeGreaterThan(before);
    else expect(await requestsServed()).toBe(before);
    if (stamped) {
      expect(annotations['metricops.io/images']).toBe(JSON.stringify({ app: 'example.com/app:v1' }));
      expect(annotations['metricops.io/deployed-at']).toEqual(expect.any(String));
    }
  });

  test('with the webhook down, a Deployment in an opted-in namespace is still admitted (failurePolicy: Ignore)', async () => {
    await server!.close();
    server = undefined;
    // admittedAnnotations throws when the apiserver rejects the request, as it would with failurePolicy: Fail.
    await expect(admittedAnnotations(optedIn, 'admitted-while-down')).resolves.toEqual(expect.any(Object));
  });
});

describe("the feedback pipeline's Kubernetes adapters, running as metricops-feedback with exactly the manifests' RBAC", () => {
  const namespace = uniqueNamespace('mo-rbac');
  let adapters: KubernetesAdapters | undefined;

  const deployment = (image: string): string =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'checkout', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'checkout' } },
        template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image }] } },
      },
    });

  beforeAll(async () => {
    await kubectlOk(['create', 'namespace', namespace]);
    await kubectlOk(['apply', '-f', '-'], deployment('example.com/checkout:v1'));
    await waitFor(async () => (await kubectlOk(['get', 'replicasets', '-n', namespace, '-o', 'name'])).trim().split('\n').filter(Boolean).length === 1, { what: 'revision 1' });
    await kubectlOk(['apply', '-f', '-'], deployment('example.com/checkout:v2'));
    await waitFor(async () => (await kubectlOk(['get', 'replicasets', '-n', namespace, '-o', 'name'])).trim().split('\n').filter(Boolean).length === 2, { what: 'revision 2' });
    adapters = createKubernetesAdapters(kubeConnectionOf(await serviceAccountKubeConfigFor('metricops-feedback')), silentLogger(), systemClock);
    await adapters.start();
  }, 90_000);

  afterAll(async () => {
    await adapters?.stop();
    await cluster.kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
  });

  test('the informers list and watch Deployments and ReplicaSets in all namespaces', async () => {
    await adapters!.cache.waitForSync();
    const cached = await waitFor(() => adapters!.cache.getDeployment(namespace, 'checkout'), { what: 'the Deployment in the cache' });
    await waitFor(() => adapters!.cache.replicaSetsOf(cached).length === 2, { what: 'both ReplicaSets in the cache' });
  });

  test('a rollback reads the Deployment, patches it back to v1 and marks the v2 ReplicaSet bad; the decision becomes an Event', async () => {
    const cached = await waitFor(() => adapters!.cache.getDeployment(namespace, 'checkout'), { what: 'the Deployment in the cache' });
    const time = new Date().toISOString();
    const result = await adapters!.executor.rollback({
      deployment: { namespace, name: 'checkout' },
      expectedTemplate: cached.template,
      cause: { alert: { name: 'CheckoutAvailabilityBurnRate', fingerprint: 'e2e', startsAt: time }, time, reason: 'e2e: RBAC proof' },
    });
    expect(result).toMatchObject({ outcome: 'rolled-back', markedBad: true, to: { images: { app: 'example.com/checkout:v1' } } });
    expect(await kubectlOk(['get', 'deployment', 'checkout', '-n', namespace, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('example.com/checkout:v1');

    await adapters!.eventRecorder.record({
      id: 'e2e-rbac',
      time,
      outcome: 'rolled-back',
      reason: 'e2e: RBAC proof',
      alert: { name: 'CheckoutAvailabilityBurnRate', fingerprint: 'e2e', labels: {}, startsAt: time, source: 'webhook' },
      deployment: { namespace, name: 'checkout' },
    });
    const events = await kubectlOk(['get', 'events', '-n', namespace, '--field-selector', 'involvedObject.name=checkout,involvedObject.kind=Deployment', '-o', 'jsonpath={.items[*].reportingComponent}']);
    expect(events.split(' ')).toContain('metricops');
  });
});

describe('`metricops feedback` with the Deployment\'s own args, as metricops-feedback', () => {
  test('it becomes ready (informers synced with this RBAC, token file and data dir usable) and rejects a request without the token', async () => {
    const root = join(workDir, 'feedback-pod');
    const port = await freePort();
    const args = await runLocally(built.get('base')!, 'metricops-feedback', root, port, { 'metricops-receiver-token': { token: 'e2e-token\n' } });
    const kubeconfig = join(root, 'kubeconfig');
    await writeFile(kubeconfig, (await serviceAccountKubeConfigFor('metricops-feedback')).exportConfig());
    const feedbackProcess = startCli([...args, '--host=127.0.0.1', `--kubeconfig=${kubeconfig}`]);
    try {
      await waitFor(async () => {
        await feedbackProcess.failIfExited();
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
      }, { what: 'metricops feedback /readyz', timeoutMs: 30_000 });
      const unauthenticated = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(unauthenticated.status).toBe(401);
    } finally {
      expect(await feedbackProcess.stop()).toBe(0);
    }
  });
});
