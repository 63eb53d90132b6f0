/**
 * The Helm chart (charts/metricops) with real helm (built from Go modules by test/e2e/build-helm.sh) and the real
 * kube-apiserver 1.34:
 * - `helm lint --strict` and `helm template` for the default values and every documented variant;
 * - one source of truth: each variant renders exactly the objects of its kustomize install (manifests/), field for
 *   field (RBAC rules, webhook registration, container args, probes, security contexts, everything), except for the
 *   differences listed in `normalize` below;
 * - bad values fail with the schema's (or the chart's) message;
 * - every variant passes `helm install --dry-run=server` and `kubectl apply --dry-run=server` without a Pod Security
 *   warning; a real `helm install` creates pods under "restricted", its RBAC passes the kustomize install's
 *   `kubectl auth can-i` proof, `helm upgrade` keeps the certificate, and the webhook serves that certificate to a
 *   client that trusts only the caBundle.
 */
import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import { startWebhookServer } from '../../webhook/server.js';
import { installCertManagerCrds, removeCertManagerCrds } from './harness/cert-manager-crds.js';
import { e2eCluster, uniqueNamespace } from './harness/cluster.js';
import type { CommandResult } from './harness/control-plane.js';
import { FEEDBACK_LEASES_MAY_NOT, FEEDBACK_MAY, FEEDBACK_MAY_IN_OWN_NAMESPACE, FEEDBACK_MAY_NOT, WEBHOOK_MAY_NOT, canI, serviceAccountUser } from './harness/feedback-rbac-proof.js';
import { getTrusting } from './harness/get-trusting.js';
import { documents, objectKeys, toYaml, type KubeObject } from './harness/kube-objects.js';
import { metricops } from './harness/metricops-cli.js';
import { repoRoot } from './harness/repo-root.js';
import { waitFor } from './harness/wait.js';

const cluster = e2eCluster();
const chart = join(repoRoot(), 'charts', 'metricops');

function helmBinary(): string {
  const dir = execFileSync('bash', [join(repoRoot(), 'test', 'e2e', 'build-helm.sh'), '--print-dir'], { encoding: 'utf8' }).trim();
  const binary = join(dir, 'helm');
  if (!existsSync(binary)) throw new Error(`${binary} does not exist: run test/setup.sh (or bash test/e2e/build-helm.sh) to build helm`);
  return binary;
}
const helmBin = helmBinary();

let workDir: string;

/** Runs the built helm against the test cluster, with its own config/cache/data folders; never throws on a non-zero exit. */
function helm(args: readonly string[]): Promise<CommandResult> {
  const env = {
    PATH: process.env.PATH,
    HOME: workDir,
    KUBECONFIG: cluster.kubeconfigPath,
    HELM_CONFIG_HOME: join(workDir, 'helm', 'config'),
    HELM_CACHE_HOME: join(workDir, 'helm', 'cache'),
    HELM_DATA_HOME: join(workDir, 'helm', 'data'),
  };
  return new Promise((done) => {
    execFile(helmBin, args, { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      done({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
    });
  });
}

async function helmOk(args: readonly string[]): Promise<string> {
  const result = await helm(args);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cluster.kubectl(args, input === undefined ? undefined : { input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** `helm template` of the chart as release `release` in `namespace`, with extra value flags. */
async function render(valueFlags: readonly string[], release = 'metricops', namespace = 'metricops'): Promise<KubeObject[]> {
  return documents(await helmOk(['template', release, chart, '--namespace', namespace, ...valueFlags]));
}

/** Files the variants read: certificates made by `metricops certs` (like a user would) and a CA made by openssl. */
const files = {
  certs: () => join(workDir, 'manifests/overlays/self-signed/certs'),
  caBundle: () => join(workDir, 'ca-bundle'),
  userCaCert: () => join(workDir, 'user-ca/ca.crt'),
  userCaKey: () => join(workDir, 'user-ca/ca.key'),
};

interface Variant {
  /** The helm value flags, as docs/install.md gives them. */
  flags: () => string[];
  /** The kustomize build it must equal. */
  kustomize: 'overlays/cert-manager' | 'overlays/self-signed' | 'with-git-ssh';
  /** The user creates the TLS Secret (kustomize generates it from the same files). */
  userSecret?: boolean;
}

const variants: Record<string, Variant> = {
  'default values (Helm generates the CA)': { flags: () => [], kustomize: 'overlays/self-signed' },
  'your CA (Helm signs the certificate with it)': {
    flags: () => ['--set-file', `webhook.tls.helm.caCert=${files.userCaCert()}`, '--set-file', `webhook.tls.helm.caKey=${files.userCaKey()}`],
    kustomize: 'overlays/self-signed',
  },
  'cert-manager': { flags: () => ['--set', 'webhook.tls.source=cert-manager'], kustomize: 'overlays/cert-manager' },
  'your Secret and caBundle (metricops certs)': {
    flags: () => ['--set', 'webhook.tls.source=secret', '--set-file', `webhook.tls.secret.caBundle=${files.caBundle()}`],
    kustomize: 'overlays/self-signed',
    userSecret: true,
  },
  'cert-manager with Git over SSH': {
    flags: () => ['--set', 'webhook.tls.source=cert-manager', '--set', 'feedback.gitSsh.secretName=metricops-git-ssh'],
    kustomize: 'with-git-ssh',
  },
};

const kustomized = new Map<string, KubeObject[]>();

/** Labels only Helm puts on objects (the kustomize install has every other label too). */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version'];
/** kustomize's content-hash suffix on the names of the ConfigMaps and Secrets it generates. */
const KUSTOMIZE_HASH = /-[a-z0-9]{10}$/;
const GENERATED = '<generated at render time>';

/**
 * One install as comparable data. The only differences allowed between the chart and kustomize:
 * - Helm's own labels (HELM_LABELS), on objects and pod templates;
 * - kustomize's hash suffix on generated ConfigMap and Secret names (and where the pods refer to them);
 * - the Namespace: kustomize creates it; with Helm you create it (with the token Secret) before `helm install`;
 * - line breaks in the base64 of a caBundle;
 * - the bytes of generated certificates and keys (the Secret's keys and type are compared, and the caBundle is
 *   checked against the Secret by the tests that use it);
 * - a TLS Secret the user creates (source "secret") is not in the chart.
 */
function normalize(objects: readonly KubeObject[], options: { dropTlsSecret?: boolean; generatedCertificates?: boolean } = {}): KubeObject[] {
  const generatedNames = new Map(
    objects.filter((object) => ['ConfigMap', 'Secret'].includes(object.kind) && KUSTOMIZE_HASH.test(object.metadata.name))
      .map((object) => [object.metadata.name, object.metadata.name.replace(KUSTOMIZE_HASH, '')]),
  );
  const renamed = JSON.parse(JSON.stringify(objects), (_key, value: unknown) => (typeof value === 'string' && generatedNames.has(value) ? generatedNames.get(value) : value)) as KubeObject[];
  const withoutHelmLabels = (labels: Record<string, string> | undefined) => {
    if (!labels) return labels;
    const kept = Object.fromEntries(Object.entries(labels).filter(([key]) => !HELM_LABELS.includes(key)));
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  return renamed
    .filter((object) => object.kind !== 'Namespace')
    .filter((object) => !(options.dropTlsSecret && object.kind === 'Secret' && object.metadata.name === 'metricops-webhook-tls'))
    .map((object) => {
      const copy = structuredClone(object) as KubeObject & { data?: Record<string, string>; spec?: { template?: { metadata?: { labels?: Record<string, string> } } }; webhooks?: Array<{ clientConfig: { caBundle?: string } }> };
      copy.metadata.labels = withoutHelmLabels(copy.metadata.labels);
      if (copy.metadata.labels === undefined) delete copy.metadata.labels;
      const template = copy.spec?.template?.metadata;
      if (template?.labels) template.labels = withoutHelmLabels(template.labels);
      if (options.generatedCertificates && copy.kind === 'Secret' && copy.metadata.name === 'metricops-webhook-tls') {
        copy.data = Object.fromEntries(Object.keys(copy.data ?? {}).sort().map((key) => [key, GENERATED]));
      }
      for (const webhook of copy.webhooks ?? []) {
        if (webhook.clientConfig.caBundle) webhook.clientConfig.caBundle = options.generatedCertificates ? GENERATED : webhook.clientConfig.caBundle.replace(/\s+/g, '');
      }
      return copy;
    })
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

function find<T>(objects: readonly KubeObject[], kind: string, name?: string): T {
  const found = objects.find((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} in ${objectKeys(objects).join(', ')}`);
  return found as unknown as T;
}

type TlsSecret = KubeObject & { type: string; data: Record<string, string> };
type WebhookConfiguration = KubeObject & { webhooks: Array<{ clientConfig: { caBundle?: string; service: { name: string; namespace: string } }; namespaceSelector: unknown }> };

const pem = (base64: string) => Buffer.from(base64.replace(/\s+/g, ''), 'base64').toString('utf8');

/** The certificate in `secret` is signed by the caBundle's CA and valid now for `host`; returns the two certificates. */
function expectServingCertificate(secret: TlsSecret, caBundle: string, host: string): { ca: X509Certificate; serving: X509Certificate } {
  const ca = new X509Certificate(pem(caBundle));
  const serving = new X509Certificate(pem(secret.data['tls.crt']!));
  expect(pem(secret.data['ca.crt']!).trim()).toBe(ca.toString().trim());
  expect(ca.ca).toBe(true);
  expect(serving.verify(ca.publicKey)).toBe(true);
  expect(serving.checkHost(host)).toBe(host);
  expect(serving.checkHost(`${host}.cluster.local`)).toBe(`${host}.cluster.local`);
  expect(serving.checkHost('other.metricops.svc')).toBeUndefined();
  const now = Date.now();
  expect(new Date(serving.validFrom).getTime()).toBeLessThanOrEqual(now);
  expect(new Date(serving.validTo).getTime()).toBeGreaterThan(now);
  return { ca, serving };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metricops-helm-'));
  // The kustomize installs to compare with, built as manifests.test.ts builds them: the self-signed overlay's
  // certificates by `metricops certs` (its caBundle, printed, is what the "secret" variant is given), and a user's
  // kustomization adding the git-ssh component.
  await cp(join(repoRoot(), 'manifests'), join(workDir, 'manifests'), { recursive: true });
  await writeFile(files.caBundle(), await metricops(['certs', '--service', 'metricops-webhook', '--namespace', 'metricops', '--out', files.certs()]));
  await mkdir(join(workDir, 'manifests/with-git-ssh'));
  await writeFile(join(workDir, 'manifests/with-git-ssh/kustomization.yaml'), 'resources:\n  - ../overlays/cert-manager\ncomponents:\n  - ../components/git-ssh\n');
  for (const overlay of ['overlays/cert-manager', 'overlays/self-signed', 'with-git-ssh']) {
    kustomized.set(overlay, documents(await kubectlOk(['kustomize', join(workDir, 'manifests', overlay)])));
  }
  // A user's own CA (openssl, as an organisation's CA would be made): certificate and key.
  await mkdir(join(workDir, 'user-ca'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=metricops e2e user CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', files.userCaKey(), '-out', files.userCaCert()], { stdio: 'pipe' });

  await installCertManagerCrds(cluster);
}, 120_000);

afterAll(async () => {
  await removeCertManagerCrds(cluster);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('helm lint --strict', () => {
  test.each(Object.entries(variants))('passes with %s', async (_name, variant) => {
    const result = await helm(['lint', '--strict', chart, '--namespace', 'metricops', ...variant.flags()]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
});

describe('one source of truth: helm template renders the kustomize install, object for object', () => {
  test.each(Object.entries(variants))('%s', async (_name, variant) => {
    const rendered = await render(variant.flags());
    const generatedCertificates = !variant.userSecret && variant.kustomize === 'overlays/self-signed';
    expect(normalize(rendered, { generatedCertificates })).toEqual(
      normalize(kustomized.get(variant.kustomize)!, { generatedCertificates, dropTlsSecret: variant.userSecret }),
    );
  });

  test('the normalization hides no difference in what matters: a changed probe, RBAC rule or arg is caught', async () => {
    const rendered = await render(variants['cert-manager']!.flags());
    const kustomize = normalize(kustomized.get('overlays/cert-manager')!);
    for (const change of [
      ['--set', 'webhook.extraArgs[0]=--recheck=1m'],
      ['--set', 'feedback.dataSizeLimit=2Gi'],
      ['--set', 'webhook.replicas=3'],
    ]) {
      expect(normalize(await render([...variants['cert-manager']!.flags(), ...change]))).not.toEqual(kustomize);
    }
    expect(normalize(rendered)).toEqual(kustomize);
  });

  test('Helm-generated: the Secret holds a certificate for the Service name signed by the CA in the caBundle', async () => {
    const rendered = await render([]);
    const configuration = find<WebhookConfiguration>(rendered, 'MutatingWebhookConfiguration');
    const secret = find<TlsSecret>(rendered, 'Secret', 'metricops-webhook-tls');
    expect(secret.type).toBe('kubernetes.io/tls');
    const { ca } = expectServingCertificate(secret, configuration.webhooks[0]!.clientConfig.caBundle!, 'metricops-webhook.metricops.svc');
    expect(ca.subject).toMatch(/metricops-webhook-ca/);
  });

  test('your CA: the certificate is signed by it and the caBundle is it', async () => {
    const rendered = await render(variants['your CA (Helm signs the certificate with it)']!.flags());
    const configuration = find<WebhookConfiguration>(rendered, 'MutatingWebhookConfiguration');
    const { ca } = expectServingCertificate(find<TlsSecret>(rendered, 'Secret'), configuration.webhooks[0]!.clientConfig.caBundle!, 'metricops-webhook.metricops.svc');
    expect(ca.subject).toBe('CN=metricops e2e user CA');
  });

  test('your Secret: the caBundle is exactly what `metricops certs` printed, and the chart makes no Secret', async () => {
    const rendered = await render(variants['your Secret and caBundle (metricops certs)']!.flags());
    const configuration = find<WebhookConfiguration>(rendered, 'MutatingWebhookConfiguration');
    const kustomizeConfiguration = find<WebhookConfiguration>(kustomized.get('overlays/self-signed')!, 'MutatingWebhookConfiguration');
    expect(configuration.webhooks[0]!.clientConfig.caBundle).toBe(kustomizeConfiguration.webhooks[0]!.clientConfig.caBundle!.replace(/\s+/g, ''));
    expect(rendered.filter((object) => object.kind === 'Secret')).toEqual([]);
  });

  test('another release name and namespace: every name follows, the certificate names that Service, and the webhook skips that namespace', async () => {
    const rendered = await render([], 'shop-guard', 'guard');
    expect(objectKeys(rendered)).toEqual(objectKeys(normalize(kustomized.get('overlays/self-signed')!)).map((key) => key.replace('/metricops', '/shop-guard-metricops')));
    const configuration = find<WebhookConfiguration>(rendered, 'MutatingWebhookConfiguration');
    expect(configuration.webhooks[0]!.clientConfig.service).toMatchObject({ name: 'shop-guard-metricops-webhook', namespace: 'guard' });
    expect(configuration.webhooks[0]!.namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'guard'] },
        { key: 'metricops.io/enabled', operator: 'In', values: ['true'] },
      ],
    });
    expectServingCertificate(find<TlsSecret>(rendered, 'Secret'), configuration.webhooks[0]!.clientConfig.caBundle!, 'shop-guard-metricops-webhook.guard.svc');
    const binding = find<KubeObject & { subjects: unknown[] }>(rendered, 'ClusterRoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'shop-guard-metricops-feedback', namespace: 'guard' }]);
  });

  test('the rules: files given become the ConfigMap the webhook mounts; an existing ConfigMap is mounted instead of one', async () => {
    const withFiles = await render(['--set-string', 'webhook.rules.files.checkout\\.rules\\.yaml=groups: []']);
    expect(find<KubeObject & { data: unknown }>(withFiles, 'ConfigMap', 'metricops-rules').data).toEqual({ 'checkout.rules.yaml': 'groups: []' });
    const existing = await render(['--set', 'webhook.rules.existingConfigMap=my-rules']);
    expect(existing.filter((object) => object.kind === 'ConfigMap')).toEqual([]);
    const deployment = find<KubeObject & { spec: { template: { spec: { volumes: unknown[] } } } }>(existing, 'Deployment', 'metricops-webhook');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'rules', configMap: { name: 'my-rules' } });
  });

  test('high availability: three feedback replicas get a PodDisruptionBudget; one gets none (it could only block drains)', async () => {
    const pdbs = (objects: KubeObject[]) => objects.filter((object) => object.kind === 'PodDisruptionBudget').map((object) => object.metadata.name).sort();
    expect(pdbs(await render(['--set', 'feedback.replicas=3']))).toEqual(['metricops-feedback', 'metricops-webhook']);
    expect(pdbs(await render([]))).toEqual(['metricops-webhook']);
  });

  test('namespace-scoped: feedback.namespaces renders a Role per namespace, no ClusterRole or binding, and --namespaces', async () => {
    const objects = await render(['--set', 'feedback.namespaces={shop,payments}']);
    expect(objects.filter((object) => object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding')).toEqual([]);
    const roles = objects.filter((object) => object.kind === 'Role').map((object) => `${object.metadata.namespace}/${object.metadata.name}`);
    expect(roles.sort()).toEqual(['metricops/metricops-feedback', 'payments/metricops-feedback-workloads', 'shop/metricops-feedback-workloads']);
    const deployment = find<KubeObject & { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }>(objects, 'Deployment', 'metricops-feedback');
    expect(deployment.spec.template.spec.containers[0]!.args).toContain('--namespaces=shop,payments');
  });
});

describe('the web UI (feedback.ui)', () => {
  type FeedbackPod = KubeObject & {
    spec: { template: { spec: { containers: Array<{ args: string[]; ports: Array<{ name: string; containerPort: number }>; volumeMounts: Array<{ name: string; mountPath: string }> }>; volumes: Array<{ name: string; secret?: { secretName: string } }> } } };
  };
  type Service = KubeObject & { spec: { ports: Array<{ name: string; port: number; targetPort: string }> } };
  const uiArgs = (args: readonly string[]) => args.filter((arg) => /^--(ui-|prometheus-url)/.test(arg));

  test('off by default: no UI flag, port, Service port or Secret mount', async () => {
    const objects = await render([]);
    const container = find<FeedbackPod>(objects, 'Deployment', 'metricops-feedback').spec.template.spec.containers[0]!;
    expect(uiArgs(container.args)).toEqual([]);
    expect(container.ports.map((port) => port.name)).toEqual(['http']);
    expect(find<Service>(objects, 'Service', 'metricops-feedback').spec.ports.map((port) => port.name)).toEqual(['http']);
  });

  test.each([
    ['Basic auth', 'basicAuthSecretName', '--ui-basic-auth-file=/etc/metricops/ui-auth/basic-auth'],
    ['bearer tokens', 'tokenSecretName', '--ui-token-file=/etc/metricops/ui-auth/token'],
  ])('enabled with %s: --ui-port, --prometheus-url and the credentials file from your Secret; the port "ui" on the pod and the Service', async (_auth, key, fileFlag) => {
    const flags = ['--set', 'feedback.ui.enabled=true', '--set', 'feedback.ui.port=9100', '--set', 'feedback.ui.prometheusUrl=http://prometheus-operated.monitoring.svc:9090', '--set', `feedback.ui.${key}=metricops-ui-auth`];
    const objects = await render(flags);
    const pod = find<FeedbackPod>(objects, 'Deployment', 'metricops-feedback').spec.template.spec;
    const container = pod.containers[0]!;
    expect(uiArgs(container.args)).toEqual(['--ui-port=9100', '--prometheus-url=http://prometheus-operated.monitoring.svc:9090', fileFlag]);
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'ui', containerPort: 9100 }));
    expect(container.volumeMounts).toContainEqual(expect.objectContaining({ name: 'ui-auth', mountPath: '/etc/metricops/ui-auth' }));
    expect(pod.volumes.find((volume) => volume.name === 'ui-auth')?.secret?.secretName).toBe('metricops-ui-auth');
    expect(find<Service>(objects, 'Service', 'metricops-feedback').spec.ports).toContainEqual(expect.objectContaining({ name: 'ui', port: 9100, targetPort: 'ui' }));
  });

  test('enabled without a Secret: no authentication, no mount (the values say to keep it behind a proxy or port-forward)', async () => {
    const container = find<FeedbackPod>(await render(['--set', 'feedback.ui.enabled=true']), 'Deployment', 'metricops-feedback').spec.template.spec.containers[0]!;
    expect(uiArgs(container.args)).toEqual(['--ui-port=9096']);
    expect(container.volumeMounts.map((mount) => mount.name)).not.toContain('ui-auth');
  });
});

describe('bad values fail at install time with a message that says what and where', () => {
  test.each([
    ['a wrong type', ['--set', 'webhook.replicas=two'], /at '\/webhook\/replicas': got string, want integer/],
    ['an unknown key (a typo) at the top', ['--set', 'feedbak.replicas=1'], /additional properties 'feedbak' not allowed/],
    ['an unknown key (a typo) deeper down', ['--set', 'webhook.tls.sorce=helm'], /at '\/webhook\/tls': additional properties 'sorce' not allowed/],
    ['an empty receiver token Secret name', ['--set', 'feedback.receiverToken.secretName='], /at '\/feedback\/receiverToken\/secretName': minLength: got 0, want 1/],
    ['no receiver token Secret name at all', ['--set', 'feedback.receiverToken.secretName=null'], /at '\/feedback\/receiverToken': missing property 'secretName'/],
    ['a certificate source that does not exist', ['--set', 'webhook.tls.source=certmanager'], /at '\/webhook\/tls\/source': value must be one of 'cert-manager', 'helm', 'secret'/],
    ['no feedback replica at all', ['--set', 'feedback.replicas=0'], /at '\/feedback\/replicas': minimum: got 0, want 1/],
    ['a watched namespace that is not a namespace name', ['--set', 'feedback.namespaces[0]=Shop'], /at '\/feedback\/namespaces\/0': 'Shop' does not match pattern/],
    ['a PEM CA where its base64 is expected', ['--set', 'webhook.tls.source=secret', '--set', 'webhook.tls.secret.caBundle=-----BEGIN CERTIFICATE-----'], /at '\/webhook\/tls\/secret\/caBundle': '-----BEGIN CERTIFICATE-----' does not match pattern/],
    ['a flag written with a space instead of =', ['--set', 'feedback.extraArgs[0]=--alertmanager-url http://am:9093'], /at '\/feedback\/extraArgs\/0': '--alertmanager-url http:\/\/am:9093' does not match pattern/],
    ['a UI Prometheus URL without its scheme', ['--set', 'feedback.ui.prometheusUrl=prometheus:9090'], /at '\/feedback\/ui\/prometheusUrl': 'prometheus:9090' does not match pattern/],
  ])('%s', async (_what, flags, message) => {
    const result = await helm(['template', 'metricops', chart, '--namespace', 'metricops', ...flags]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(result.stderr).toMatch(message);
  });

  test.each([
    ['source "secret" without its caBundle', ['--set', 'webhook.tls.source=secret'], 'webhook.tls.source is "secret" but webhook.tls.secret.caBundle is empty'],
    ['a caBundle that is not a certificate', ['--set', 'webhook.tls.source=secret', '--set', 'webhook.tls.secret.caBundle=aGVsbG8='], 'webhook.tls.secret.caBundle does not decode to a PEM certificate'],
    ['your CA without its key', ['--set-file', `webhook.tls.helm.caCert=${'<user CA>'}`], 'webhook.tls.helm.caCert and webhook.tls.helm.caKey go together'],
    ['rules both given and brought', ['--set-string', 'webhook.rules.files.a\\.yaml=x', '--set', 'webhook.rules.existingConfigMap=mine'], 'webhook.rules: set files (the chart creates the ConfigMap) or existingConfigMap (yours), not both'],
    ['the UI on the alert intake\'s port', ['--set', 'feedback.ui.port=9095'], 'feedback.ui.port is 9095, the alert intake\'s port: give the UI another one'],
    ['both UI credentials Secrets', ['--set', 'feedback.ui.basicAuthSecretName=a', '--set', 'feedback.ui.tokenSecretName=b'], 'feedback.ui: set basicAuthSecretName'],
  ])('%s', async (_what, flags, message) => {
    const resolved = flags.map((flag) => flag.replace('<user CA>', files.userCaCert()));
    const result = await helm(['template', 'metricops', chart, '--namespace', 'metricops', ...resolved]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('kubeVersion', () => {
  test.each([
    ['1.24.0', false],
    ['1.25.0', true],
    ['1.34.4', true],
  ])('Kubernetes %s: installable %s (Pod Security admission needs 1.25)', async (kubeVersion, installable) => {
    const result = await helm(['template', 'metricops', chart, '--namespace', 'metricops', '--kube-version', kubeVersion]);
    expect(result.code === 0).toBe(installable);
    if (!installable) expect(result.stderr).toContain(`chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v${kubeVersion}`);
  });
});

describe('against the real apiserver', () => {
  const namespace = uniqueNamespace('mo-helm');
  const release = 'mo-helm';
  const names = { webhook: 'mo-helm-metricops-webhook', feedback: 'mo-helm-metricops-feedback', registration: 'mo-helm-metricops', tls: 'mo-helm-metricops-webhook-tls' };
  let installed = false;
  /** The chart as it is, kubeVersion line included: test/e2e/build-control-plane.sh stamps the release version in. */
  const installable = chart;

  beforeAll(async () => {
    const serverVersion = (JSON.parse(await kubectlOk(['get', '--raw', '/version'])) as { gitVersion: string }).gitVersion;
    expect(serverVersion).toMatch(/^v1\.\d+\.\d+$/);
    // As docs/install.md says: the namespace with Pod Security "restricted", then the receiver token Secret.
    await kubectlOk(['create', 'namespace', namespace]);
    await kubectlOk(['label', 'namespace', namespace, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
  }, 60_000);

  afterAll(async () => {
    if (installed) await helm(['uninstall', release, '--namespace', namespace, '--wait']);
    await cluster.kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
  });

  test('helm install --dry-run=server without the receiver token Secret: its notes say how to create it', async () => {
    const stdout = await helmOk(['install', release, installable, '--namespace', namespace, '--dry-run=server']);
    expect(stdout).toContain(`The receiver token Secret metricops-receiver-token does not exist yet`);
    expect(stdout).toContain(`kubectl -n ${namespace} create secret generic metricops-receiver-token --from-file=token=receiver-token`);
  });

  test.each(Object.entries(variants))('%s: helm install --dry-run=server, and kubectl apply --dry-run=server accepts every object without a Pod Security warning', async (_name, variant) => {
    const flags = variant.flags();
    await helmOk(['install', release, installable, '--namespace', namespace, '--dry-run=server', ...flags]);
    const rendered = await render(flags, release, namespace);
    const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: toYaml(rendered) });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const accepted = result.stdout.trim().split('\n').map((line) => /^([a-z]+)(?:\.[^/]+)?\/(\S+) \w+ \(server dry run\)$/.exec(line)?.slice(1, 3).join('/') ?? line);
    expect(accepted.sort()).toEqual(objectKeys(rendered));
  });

  test('the web UI enabled (feedback.ui, Basic auth): kubectl apply --dry-run=server accepts every object', async () => {
    const flags = ['--set', 'feedback.ui.enabled=true', '--set', 'feedback.ui.prometheusUrl=http://prometheus:9090', '--set', 'feedback.ui.basicAuthSecretName=metricops-ui-auth'];
    const rendered = await render(flags, release, namespace);
    const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: toYaml(rendered) });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  });

  describe('helm install, for real', () => {
    beforeAll(async () => {
      await kubectlOk(['-n', namespace, 'create', 'secret', 'generic', 'metricops-receiver-token', '--from-literal=token=e2e-token']);
      const stdout = await helmOk(['install', release, installable, '--namespace', namespace]);
      installed = true;
      expect(stdout).toMatch(/STATUS: deployed/);
      expect(stdout).not.toContain('does not exist yet');
    }, 120_000);

    test('the ReplicaSets create every pod under the namespace\'s enforced "restricted" Pod Security level', async () => {
      const pods = (component: string) => kubectlOk(['get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/component=${component}`, '-o', 'name']).then((out) => out.trim().split('\n').filter(Boolean).length);
      await waitFor(async () => (await pods('webhook')) === 2 && (await pods('feedback-pipeline')) === 1, { what: '2 webhook pods and 1 feedback pod', timeoutMs: 60_000 });
      const events = await kubectlOk(['get', 'events', '-n', namespace, '--field-selector', 'reason=FailedCreate', '-o', 'name']);
      expect(events.trim()).toBe('');
    });

    const feedback = serviceAccountUser(namespace, names.feedback);
    const webhook = serviceAccountUser(namespace, names.webhook);

    test.each(FEEDBACK_MAY)('RBAC: the feedback pipeline may: %s (%s %s)', async (_reason, verb, resource) => {
      expect(await canI(cluster, feedback, verb, resource)).toBe('yes');
    });

    test.each(FEEDBACK_MAY_NOT)('RBAC: the feedback pipeline may not %s', async (_what, verb, resource, subresource) => {
      expect(await canI(cluster, feedback, verb, resource, 'shop', subresource)).toBe('no');
    });

    test.each(FEEDBACK_MAY_IN_OWN_NAMESPACE)('RBAC: in the release namespace, the feedback pipeline may: %s (%s %s)', async (_reason, verb, resource) => {
      expect(await canI(cluster, feedback, verb, resource, namespace)).toBe('yes');
    });

    test.each(FEEDBACK_LEASES_MAY_NOT)('RBAC: the feedback pipeline may not %s', async (_what, verb, resource, where) => {
      expect(await canI(cluster, feedback, verb, resource, where === 'own' ? namespace : where)).toBe('no');
    });

    test.each(WEBHOOK_MAY_NOT)('RBAC: the webhook has no API access at all: may not %s %s', async (verb, resource) => {
      expect(await canI(cluster, webhook, verb, resource)).toBe('no');
    });

    test('RBAC: the grants are cluster-wide, also in the release namespace and kube-system', async () => {
      expect(await canI(cluster, feedback, 'patch', 'deployments.apps', namespace)).toBe('yes');
      expect(await canI(cluster, feedback, 'patch', 'deployments.apps', 'kube-system')).toBe('yes');
    });

    async function installedTls(): Promise<{ secret: TlsSecret; caBundle: string }> {
      const secret = JSON.parse(await kubectlOk(['get', 'secret', names.tls, '-n', namespace, '-o', 'json'])) as TlsSecret;
      const configuration = JSON.parse(await kubectlOk(['get', 'mutatingwebhookconfiguration', names.registration, '-o', 'json'])) as WebhookConfiguration;
      return { secret, caBundle: configuration.webhooks[0]!.clientConfig.caBundle! };
    }

    test('`metricops webhook` serves the certificate Helm put in the Secret; a client trusting only the registration\'s caBundle verifies it as the Service name', async () => {
      const { secret, caBundle } = await installedTls();
      const host = `${names.webhook}.${namespace}.svc`;
      expectServingCertificate(secret, caBundle, host);
      const mounted = join(workDir, 'installed-tls');
      await mkdir(join(mounted, 'rules'), { recursive: true });
      await writeFile(join(mounted, 'tls.crt'), pem(secret.data['tls.crt']!));
      await writeFile(join(mounted, 'tls.key'), pem(secret.data['tls.key']!));
      const server = await startWebhookServer({
        port: 0,
        host: '127.0.0.1',
        tlsCertFile: join(mounted, 'tls.crt'),
        tlsKeyFile: join(mounted, 'tls.key'),
        rulesDir: join(mounted, 'rules'),
        logger: silentLogger(),
        clock: systemClock,
        registry: new Registry(),
      });
      try {
        expect(await getTrusting(server.port, '/healthz', pem(caBundle), host)).toBe(200);
        await expect(getTrusting(server.port, '/healthz', pem(caBundle), 'metricops-webhook.other.svc')).rejects.toThrow(/altnames|Hostname/);
      } finally {
        await server.close();
      }
    });

    test('helm upgrade keeps the certificate (looked up, not made anew); after the Secret is deleted, it makes a new one and the caBundle follows', async () => {
      const before = await installedTls();
      await helmOk(['upgrade', release, installable, '--namespace', namespace]);
      const after = await installedTls();
      expect(after.secret.data).toEqual(before.secret.data);
      expect(after.caBundle).toBe(before.caBundle);

      await kubectlOk(['delete', 'secret', names.tls, '-n', namespace]);
      await helmOk(['upgrade', release, installable, '--namespace', namespace]);
      const renewed = await installedTls();
      expect(renewed.secret.data['tls.crt']).not.toBe(before.secret.data['tls.crt']);
      expectServingCertificate(renewed.secret, renewed.caBundle, `${names.webhook}.${namespace}.svc`);
    });

    test('helm uninstall removes the cluster-wide objects too (the registration, the ClusterRole and its binding)', async () => {
      await helmOk(['uninstall', release, '--namespace', namespace, '--wait']);
      installed = false;
      const left = await cluster.kubectl(['get', `mutatingwebhookconfiguration/${names.registration}`, `clusterrole/${names.feedback}`, `clusterrolebinding/${names.feedback}`, '--ignore-not-found', '-o', 'name']);
      expect(left.stdout.trim()).toBe('');
    });
  });
});
