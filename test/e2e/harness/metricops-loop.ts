import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, type V1Deployment, type V1ReplicaSet } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { Annotations } from '../../../common/contract/annotations.js';
import { runLoad, type LoadReport } from '../../../examples/app/load-generator.js';
import { startAlertmanager, type Alertmanager } from './alertmanager.js';
import { CHECKOUT_IMAGE, checkoutManifest } from './checkout-manifest.js';
import { kubeconfigYaml, type Cluster } from './control-plane.js';
import { watchDeploymentImages, type TemplateWatch } from './feedback-fixtures.js';
import { commitOfRevision, startFlux, type Flux } from './flux.js';
import { git, initRepository } from './git.js';
import { startGitServer, type GitServer } from './git-server.js';
import { GitOpsRepository } from './gitops-repository.js';
import { httpsGet } from './https-get.js';
import { metricops, startMetricops } from './metricops-cli.js';
import { startPodStandIn, type PodStandIn } from './pod-stand-in.js';
import { freePort } from './ports.js';
import { failOnExit, type ManagedProcess } from './processes.js';
import { startPrometheus, type Prometheus, type PrometheusAlert } from './prometheus.js';
import { repoRoot } from './repo-root.js';
import { waitFor } from './wait.js';

/**
 * A loop for one e2e test file, in its own temporary folder: first waits until an earlier test's namespace (shared
 * by the loop tests and the demo, deleted without waiting) is gone, since a Deployment found in a namespace that is
 * being deleted vanishes mid-test. end() stops the loop and deletes the namespace (without waiting).
 */
export async function loopForTest(cluster: Cluster, prefix: string, deployBy: LoopOptions['deployBy'] = 'kubectl'):
Promise<{ loop: MetricopsLoop; end(): Promise<void> }> {
  await waitFor(async () => (await cluster.kubectl(['get', 'namespace', NAMESPACE])).code !== 0, {
    what: `namespace ${NAMESPACE} of an earlier test to be gone`, timeoutMs: 120_000, intervalMs: 500,
  });
  const workDir = await mkdtemp(join(tmpdir(), `metricops-${prefix}-`));
  const loop = new MetricopsLoop({ cluster, workDir, deployBy });
  return {
    loop,
    async end() {
      await loop.stop();
      await cluster.kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
      if (process.env.METRICOPS_E2E_KEEP !== '1') await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** One step of the loop, as the demo prints it. */
export interface TimelineStep {
  at: Date;
  step: string;
}

export interface LoopOptions {
  cluster: Cluster;
  /** Where the loop keeps its Git repositories, certificates and logs (logs/<name>.log). */
  workDir: string;
  /** SLO specs to compile; default examples/slos/checkout.yaml. */
  sloFiles?: string[];
  /** The Deployment manifest (with its Namespace); default examples/deploy/checkout.yaml. */
  manifest?: string;
  /** Share of v2 requests that fail; default 0.5. */
  errorRatio?: number;
  /** Load generator requests per second; default 20. */
  loadRate?: number;
  /**
   * How deploy() rolls the Deployment out: "kubectl" (default: `kubectl apply`, then `kubectl set image`) or
   * "gitops" (a commit of deploy/checkout.yaml to the GitOps repository, served over HTTP, that a real Flux applies;
   * call startGitOps() after compileRules()).
   */
  deployBy?: 'kubectl' | 'gitops';
  /** Flux's GitRepository and Kustomization interval in GitOps mode (a Go duration); default 2s. */
  fluxInterval?: string;
  onStep?: (step: TimelineStep) => void;
}

/** What followGitOpsRollback() saw: the write-back on the Git server, Flux applying it, the hold released. */
export interface GitOpsRollback {
  writeBack: { commit: string; subject: string; trailers: string; seenAt: Date };
  /** The Kustomization's lastAppliedRevision that first contained the write-back. */
  applied: { revision: string; at: Date };
  releasedAt: Date;
}

export interface DeploymentState {
  image: string;
  generation: number;
  resourceVersion: string;
  annotations: Record<string, string>;
  replicaSets: { name: string; image: string; revision: string; replicas: number; annotations: Record<string, string> }[];
}

export const NAMESPACE = 'shop';
export const DEPLOYMENT = 'checkout';
export const CONTAINER = 'checkout';
export const IMAGE = CHECKOUT_IMAGE;
/** In GitOps mode: the Deployment's manifest in the GitOps repository, and the Flux objects that apply it. */
export const GITOPS = { manifestPath: 'deploy/checkout.yaml', repository: 'gitops', kustomization: 'checkout' } as const;
/** The SLO alert that guards the Deployment (examples/slos/checkout.yaml). */
export const PAGE_ALERT = { slo: 'checkout-availability', slo_severity: 'page', namespace: NAMESPACE, deployment: DEPLOYMENT };

const README = '# GitOps repository of the metricops end-to-end loop\n';
const START_MESSAGE = 'Start the GitOps repository';

function matches(alert: { labels: Record<string, string> }, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([key, value]) => alert.labels[key] === value);
}

/**
 * The whole metricops loop on the local control plane: compile the example SLOs into a Git repo, Prometheus loads
 * them, the webhook is registered with the apiserver, the feedback pipeline receives Alertmanager's notifications,
 * the pod stand-in plays the Deployment's pods. Each method is one step; the e2e test asserts them, the demo prints them.
 */
export class MetricopsLoop {
  readonly timeline: TimelineStep[] = [];
  readonly gitopsDir: string;
  readonly rulesDir: string;
  /** Bare "remote" of the audit log: the pipeline clones it into its data dir and pushes its commits here. */
  readonly auditDir: string;
  readonly logDir: string;
  feedbackUrl = '';
  feedbackToken = '';
  webhookUrl = '';
  prometheus?: Prometheus;
  alertmanager?: Alertmanager;
  standIn?: PodStandIn;
  /** GitOps mode: the Git server, the GitOps repository on it (working clone: gitopsDir) and Flux. */
  gitServer?: GitServer;
  gitopsRepository?: GitOpsRepository;
  flux?: Flux;
  /** Every state of the Deployment's template the apiserver delivered since watchTemplate(). */
  templateWatch?: TemplateWatch;
  private readonly knownWriteBacks = new Set<string>();
  private webhook?: ManagedProcess;
  private feedback?: ManagedProcess;
  private appPort = 0;
  private readonly loadControl = new AbortController();
  private load?: Promise<LoadReport>;
  private readonly apps;

  constructor(readonly options: LoopOptions) {
    this.gitopsDir = join(options.workDir, 'gitops');
    this.rulesDir = join(this.gitopsDir, 'rules');
    this.auditDir = join(options.workDir, 'audit.git');
    this.logDir = join(options.workDir, 'logs');
    this.apps = options.cluster.kubeConfig.makeApiClient(AppsV1Api);
  }

  mark(step: string): TimelineStep {
    const entry = { at: new Date(), step };
    this.timeline.push(entry);
    this.options.onStep?.(entry);
    return entry;
  }

  private get manifest(): string {
    return this.options.manifest ?? join(repoRoot(), 'examples', 'deploy', 'checkout.yaml');
  }

  private async kubectl(args: readonly string[], input?: string): Promise<string> {
    const result = await this.options.cluster.kubectl(args, input === undefined ? undefined : { input });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Step 1: `metricops compile --commit` of the example SLOs into a fresh GitOps repository. Returns the commit log. */
  async compileRules(): Promise<{ output: string; log: string }> {
    await mkdir(this.logDir, { recursive: true });
    await initRepository(this.gitopsDir, README, START_MESSAGE);
    const sloFiles = this.options.sloFiles ?? [join(repoRoot(), 'examples', 'slos', 'checkout.yaml')];
    const output = await metricops(['compile', ...sloFiles, '--out', this.rulesDir, '--commit']);
    const log = await git(this.gitopsDir, ['log', '--format=%s', '--name-only']);
    this.mark('compiled the SLOs and committed the rules to Git');
    return { output, log };
  }

  /** Step 2: Alertmanager (to the feedback pipeline, bearer token) and Prometheus (rules from the repo, scraping the app). */
  async startMonitoring(): Promise<void> {
    const feedbackPort = await freePort();
    this.feedbackUrl = `http://127.0.0.1:${feedbackPort}`;
    this.feedbackToken = randomBytes(24).toString('hex');
    this.alertmanager = await startAlertmanager({ webhookUrl: `${this.feedbackUrl}/api/v1/alerts`, bearerToken: this.feedbackToken });
    this.appPort = await freePort();
    this.prometheus = await startPrometheus({
      // Prometheus 2.42 globs only the last path segment; the compiler writes <out>/<slo>.rules.yaml.
      ruleFiles: [join(this.rulesDir, '*.yaml')],
      scrapeJobs: [
        { job: 'checkout', targets: [`127.0.0.1:${this.appPort}`] },
        { job: 'metricops-feedback', targets: [`127.0.0.1:${feedbackPort}`] },
      ],
      alertmanager: this.alertmanager.address,
    });
    this.mark('Prometheus and Alertmanager are up');
  }

  /** Step 3: `metricops certs` + `metricops webhook` on 127.0.0.1, registered by a MutatingWebhookConfiguration. */
  async startWebhook(): Promise<void> {
    const certsDir = join(this.options.workDir, 'webhook-certs');
    const caBundle = (await metricops(['certs', '--service', 'metricops-webhook', '--namespace', 'metricops', '--out', certsDir, '--ip', '127.0.0.1'])).trim();
    const port = await freePort();
    this.webhookUrl = `https://127.0.0.1:${port}`;
    this.webhook = startMetricops('metricops webhook', [
      'webhook', '--host', '127.0.0.1', '--port', String(port),
      '--tls-cert', join(certsDir, 'tls.crt'), '--tls-key', join(certsDir, 'tls.key'), '--rules', this.rulesDir,
    ], join(this.logDir, 'webhook.log'));
    const ca = await readFile(join(certsDir, 'ca.crt'));
    await Promise.race([
      failOnExit(this.webhook),
      waitFor(async () => (await httpsGet(`${this.webhookUrl}/readyz`, ca)).status === 200, { what: 'metricops webhook /readyz', timeoutMs: 30_000 }),
    ]);
    const configuration = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'metricops' },
      webhooks: [{
        name: 'deployments.metricops.io',
        admissionReviewVersions: ['v1'],
        clientConfig: { url: `${this.webhookUrl}/mutate`, caBundle },
        rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }],
        namespaceSelector: { matchExpressions: [{ key: 'metricops.io/enabled', operator: 'In', values: ['true'] }] },
        // Fail, not Ignore as in manifests/: an unstamped rollout must fail the loop loudly, not silently.
        failurePolicy: 'Fail',
        sideEffects: 'None',
        timeoutSeconds: 5,
        reinvocationPolicy: 'IfNeeded',
      }],
    };
    await this.kubectl(['apply', '-f', '-'], JSON.stringify(configuration));
    this.mark(`webhook serving on ${this.webhookUrl} and registered with the apiserver`);
  }

  /**
   * Step 4: the feedback pipeline, with the identity and ClusterRole of manifests/base (a ServiceAccount token), so
   * RBAC is the one users install.
   */
  async startFeedback(extraArgs: readonly string[] = []): Promise<void> {
    const base = join(repoRoot(), 'manifests', 'base');
    for (const file of ['namespace.yaml', 'feedback-serviceaccount.yaml', 'feedback-clusterrole.yaml', 'feedback-clusterrolebinding.yaml', 'feedback-role.yaml', 'feedback-rolebinding.yaml']) {
      await this.kubectl(['apply', '-f', join(base, file)]);
    }
    // GitOps mode: the write-back to the served repository, and Flux with the RBAC of manifests/components/flux.
    const gitops: string[] = [];
    if (this.gitopsRepository) {
      const flux = join(repoRoot(), 'manifests', 'components', 'flux');
      for (const file of ['feedback-flux-clusterrole.yaml', 'feedback-flux-clusterrolebinding.yaml']) await this.kubectl(['apply', '-f', join(flux, file)]);
      gitops.push('--gitops-repo', this.gitopsRepository.url, '--flux-reconcile', 'auto');
    }
    const saToken = (await this.kubectl(['create', 'token', 'metricops-feedback', '-n', 'metricops', '--duration=2h'])).trim();
    const cluster = this.options.cluster.kubeConfig.getCurrentCluster();
    const kubeconfig = join(this.options.workDir, 'feedback.kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(this.options.cluster.serverUrl, cluster?.caFile ?? '', 'metricops-feedback', saToken), { mode: 0o600 });
    const tokenFile = join(this.options.workDir, 'receiver-token');
    await writeFile(tokenFile, this.feedbackToken, { mode: 0o600 });
    const port = new URL(this.feedbackUrl).port;
    const seed = join(this.options.workDir, 'audit-seed');
    await initRepository(seed, README, START_MESSAGE);
    await git(this.options.workDir, ['clone', '--quiet', '--bare', seed, this.auditDir]);
    this.feedback = startMetricops('metricops feedback', [
      'feedback', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', port,
      '--token-file', tokenFile, '--git-repo', this.auditDir, '--data-dir', join(this.options.workDir, 'feedback-data'), ...gitops,
      // Its Lease in its own namespace, where the Role of manifests/base lets it (in a pod, $POD_NAMESPACE says so).
      '--leader-elect-resource-namespace', 'metricops', ...extraArgs,
    ], join(this.logDir, 'feedback.log'), { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'debug' });
    await Promise.race([
      failOnExit(this.feedback),
      waitFor(async () => (await fetch(`${this.feedbackUrl}/readyz`)).ok, { what: 'metricops feedback /readyz', timeoutMs: 30_000 }),
    ]);
    this.mark(`feedback pipeline listening on ${this.feedbackUrl} as system:serviceaccount:metricops:metricops-feedback`);
  }

  /** Step 5: the pod stand-in that runs the example app at the version of the Deployment's pod template. */
  startPods(): void {
    this.standIn = startPodStandIn({
      kubeConfig: this.options.cluster.kubeConfig, namespace: NAMESPACE, deployment: DEPLOYMENT, port: this.appPort,
      logDir: this.logDir, errorRatio: this.options.errorRatio ?? 0.5,
      onVersion: (change) => this.mark(`pod stand-in now serves ${change.version} (${change.image})`),
    });
  }

  async readDeployment(): Promise<DeploymentState> {
    const deployment: V1Deployment = await this.apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace: NAMESPACE });
    const sets = await this.apps.listNamespacedReplicaSet({ namespace: NAMESPACE, labelSelector: 'app=checkout' });
    return {
      image: deployment.spec?.template.spec?.containers[0]?.image ?? '',
      generation: deployment.metadata?.generation ?? 0,
      resourceVersion: deployment.metadata?.resourceVersion ?? '',
      annotations: deployment.metadata?.annotations ?? {},
      replicaSets: sets.items.map((set: V1ReplicaSet) => ({
        name: set.metadata?.name ?? '',
        image: set.spec?.template?.spec?.containers[0]?.image ?? '',
        revision: set.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '',
        replicas: set.spec?.replicas ?? 0,
        annotations: set.metadata?.annotations ?? {},
      })).sort((a, b) => Number(a.revision) - Number(b.revision)),
    };
  }

  /**
   * GitOps mode, after compileRules(): serves the GitOps repository over HTTP (gitopsDir becomes its working clone)
   * and starts Flux with a GitRepository for it and a Kustomization that applies deploy/ every fluxInterval.
   */
  async startGitOps(): Promise<void> {
    this.gitServer = await startGitServer({ root: join(this.options.workDir, 'git-server'), logFile: join(this.logDir, 'git-server.log') });
    this.gitopsRepository = await GitOpsRepository.publish(this.gitServer, GITOPS.repository, this.gitopsDir);
    this.flux = await startFlux({ cluster: this.options.cluster, workDir: this.options.workDir });
    const interval = this.options.fluxInterval ?? '2s';
    await this.flux.createGitRepository({ name: GITOPS.repository, url: this.gitopsRepository.url, interval });
    await this.flux.createKustomization({ name: GITOPS.kustomization, source: GITOPS.repository, path: './deploy', interval });
    this.mark(`Flux applies deploy/ of ${this.gitopsRepository.url} every ${interval}`);
  }

  /**
   * Step 6: create the Deployment (v1) from the manifest, or roll it to another version with `kubectl set image`;
   * with deployBy "gitops", commit the manifest at `version` and wait for Flux to apply it.
   */
  async deploy(version: string): Promise<DeploymentState> {
    if (this.options.deployBy === 'gitops') return this.deployByCommit(version);
    const image = `${IMAGE}:${version}`;
    const exists = (await this.options.cluster.kubectl(['get', 'deployment', DEPLOYMENT, '-n', NAMESPACE])).code === 0;
    if (!exists) {
      const documents = yaml.loadAll(await readFile(this.manifest, 'utf8')) as Record<string, any>[];
      for (const document of documents) {
        if (document?.kind === 'Deployment') document.spec.template.spec.containers[0].image = image;
      }
      await this.kubectl(['apply', '-f', '-'], documents.map((document) => JSON.stringify(document)).join('\n'));
    } else {
      await this.kubectl(['set', 'image', `deployment/${DEPLOYMENT}`, `${CONTAINER}=${image}`, '-n', NAMESPACE]);
    }
    this.mark(exists ? `deployed ${version} (kubectl set image)` : `created the Deployment at ${version} (kubectl apply)`);
    return this.readDeployment();
  }

  /** GitOps mode: commits the manifest at `version` and waits until Flux reports that commit applied. */
  private async deployByCommit(version: string): Promise<DeploymentState> {
    if (!this.gitopsRepository || !this.flux) throw new Error('deployBy "gitops" needs startGitOps() first (after compileRules())');
    const text = await checkoutManifest({ version, file: this.manifest });
    const commit = await this.gitopsRepository.commit(`deploy checkout ${version}`, { [GITOPS.manifestPath]: text });
    const committed = this.mark(`committed checkout ${version} to the GitOps repository (${commit.slice(0, 7)})`);
    await this.flux.waitForAppliedRevision(GITOPS.kustomization, commit);
    const seconds = (Date.now() - committed.at.getTime()) / 1000;
    this.mark(`Flux applied ${commit.slice(0, 7)} (checkout ${version}) ${seconds.toFixed(1)}s after the commit`);
    return this.readDeployment();
  }

  /** Watches the Deployment: every template state the apiserver delivers (no polling gaps), for flip-backs. */
  async watchTemplate(): Promise<TemplateWatch> {
    this.templateWatch ??= await watchDeploymentImages(this.options.cluster.kubeConfig, NAMESPACE);
    return this.templateWatch;
  }

  /**
   * Flip-backs: template states with the `bad` version delivered after the first state back at `good` (that followed
   * a state at `bad`): what the GitOps engine undoing a rollback looks like.
   */
  flipBacks(good: string, bad: string): number {
    const images = (this.templateWatch?.seen ?? []).filter((state) => state.name === DEPLOYMENT).map((state) => state.image);
    const rolledBack = images.indexOf(`${IMAGE}:${good}`, images.indexOf(`${IMAGE}:${bad}`));
    if (images.indexOf(`${IMAGE}:${bad}`) < 0 || rolledBack < 0) return 0;
    return images.slice(rolledBack).filter((image) => image === `${IMAGE}:${bad}`).length;
  }

  /**
   * GitOps mode, after a rollback: waits for metricops' write-back commit (Metricops-Decision trailer) on the Git
   * server, for Flux to apply a revision that contains it, and for metricops to release its hold; marks each.
   */
  async followGitOpsRollback(timeoutMs = 180_000): Promise<GitOpsRollback> {
    const flux = this.flux;
    if (!flux || !this.gitopsRepository) throw new Error('followGitOpsRollback() needs startGitOps() first');
    const dir = this.gitopsDir;
    const commit = await waitFor(async () => {
      if ((await git(dir, ['fetch', '--quiet', 'origin']).catch(() => null)) === null) return undefined;
      const hashes = (await git(dir, ['log', '--format=%H', '--fixed-strings', '--grep=Metricops-Decision: ', 'origin/main'])).split('\n').filter(Boolean);
      return hashes.find((hash) => !this.knownWriteBacks.has(hash));
    }, { what: 'metricops\' write-back commit on the Git server', timeoutMs, intervalMs: 100 });
    const seenAt = new Date();
    this.knownWriteBacks.add(commit);
    const subject = (await git(dir, ['log', '-1', '--format=%s', commit])).trim();
    const trailers = (await git(dir, ['log', '-1', '--format=%(trailers:only,unfold)', commit])).trim();
    this.mark(`metricops pushed the write-back ${commit.slice(0, 7)}: "${subject}"`);
    const revision = await waitFor(async () => {
      const applied = (await flux.kustomizationStatus(GITOPS.kustomization)).lastAppliedRevision;
      if (!applied) return undefined;
      const appliedCommit = commitOfRevision(applied);
      if (appliedCommit === commit) return applied;
      await git(dir, ['fetch', '--quiet', 'origin']).catch(() => undefined);
      const contains = await git(dir, ['merge-base', '--is-ancestor', commit, appliedCommit]).then(() => true, () => false);
      return contains ? applied : undefined;
    }, { what: `Flux to apply the write-back ${commit.slice(0, 7)}`, timeoutMs, intervalMs: 100 });
    const appliedAt = new Date();
    this.mark(`Flux applied ${commitOfRevision(revision).slice(0, 7)}${commitOfRevision(revision) === commit ? ' (the write-back)' : ` (contains the write-back ${commit.slice(0, 7)})`} ${((appliedAt.getTime() - seenAt.getTime()) / 1000).toFixed(1)}s after the push`);
    await waitFor(async () => ((await this.readDeployment()).annotations[Annotations.gitopsHold] === undefined ? true : undefined), {
      what: 'metricops to release its hold', timeoutMs, intervalMs: 100,
    });
    const releasedAt = new Date();
    this.mark('metricops released its hold: Flux manages the Deployment again (kustomize.toolkit.fluxcd.io/reconcile removed)');
    return { writeBack: { commit, subject, trailers, seenAt }, applied: { revision, at: appliedAt }, releasedAt };
  }

  /** Steady load on the app until stop(). */
  startLoad(): void {
    const rate = this.options.loadRate ?? 20;
    this.load = runLoad({ url: `http://127.0.0.1:${this.appPort}/checkout`, rate, durationMs: 30 * 60_000, signal: this.loadControl.signal });
    this.mark(`load generator: ${rate} requests/s`);
  }

  /** Waits until Prometheus has recorded the SLO's 5m error ratio from real scrapes (the healthy baseline). */
  async waitForBaseline(): Promise<number> {
    const ratio = await waitFor(async () => {
      const samples = await this.prometheus!.query(`slo:sli_error:ratio_rate5m{sloth_id="${PAGE_ALERT.slo}"}`);
      return samples[0] ? Number(samples[0].value[1]) : undefined;
    }, { what: 'Prometheus to record the checkout error ratio', timeoutMs: 90_000, intervalMs: 500 });
    this.mark(`Prometheus records the checkout error ratio: ${ratio}`);
    return ratio;
  }

  async waitForErrorsRecorded(): Promise<number> {
    const ratio = await waitFor(async () => {
      const samples = await this.prometheus!.query(`slo:sli_error:ratio_rate5m{sloth_id="${PAGE_ALERT.slo}"}`);
      const value = samples[0] ? Number(samples[0].value[1]) : 0;
      return value > 0 ? value : undefined;
    }, { what: 'Prometheus to record checkout errors', timeoutMs: 120_000, intervalMs: 250 });
    this.mark(`Prometheus records errors: 5m error ratio ${ratio.toFixed(3)}`);
    return ratio;
  }

  async waitForAlert(state: 'pending' | 'firing' = 'firing'): Promise<PrometheusAlert> {
    const alert = await waitFor(async () => (await this.prometheus!.alerts()).find((candidate) => matches(candidate, PAGE_ALERT) && candidate.state === state), {
      what: `the page alert of ${PAGE_ALERT.slo} to be ${state}`, timeoutMs: 120_000, intervalMs: 250,
    });
    this.mark(`alert ${alert.labels.alertname} (slo_severity=page) is ${state} in Prometheus`);
    return alert;
  }

  /** Waits until the Deployment's pod template names `version` again. */
  async waitForTemplate(version: string, timeoutMs = 120_000): Promise<DeploymentState> {
    const state = await waitFor(async () => {
      const current = await this.readDeployment();
      return current.image === `${IMAGE}:${version}` ? current : undefined;
    }, { what: `the Deployment's template to be back at ${version}`, timeoutMs, intervalMs: 200 });
    this.mark(`the Deployment's pod template is ${version} again`);
    return state;
  }

  async feedbackMetrics(): Promise<string> {
    return (await fetch(`${this.feedbackUrl}/metrics`)).text();
  }

  async events(): Promise<{ reason: string; message: string; type: string; source: string; count: number }[]> {
    const list = JSON.parse(await this.kubectl(['get', 'events', '-n', NAMESPACE, '-o', 'json',
      `--field-selector=involvedObject.kind=Deployment,involvedObject.name=${DEPLOYMENT}`])) as { items: any[] };
    return list.items.map((event) => ({
      reason: event.reason ?? '', message: event.message ?? '', type: event.type ?? '',
      source: event.reportingComponent || event.source?.component || '', count: event.count ?? 1,
    }));
  }

  /** The decision records the feedback pipeline pushed to the audit remote (audit/<day>.jsonl on main). */
  async auditRecords(): Promise<{ id?: string; outcome: string; reason: string; alert?: { labels?: Record<string, string> }; deployment?: unknown; gitCommit?: string; gitops?: { stage: string } }[]> {
    const files = (await git(this.auditDir, ['ls-tree', '-r', '--name-only', 'main'])).split('\n').filter((file) => file.endsWith('.jsonl'));
    const records = [];
    for (const file of files) {
      const lines = (await git(this.auditDir, ['show', `main:${file}`])).split('\n').filter(Boolean);
      records.push(...lines.map((line) => JSON.parse(line) as { outcome: string; reason: string }));
    }
    return records;
  }

  /** Builds the Alertmanager webhook (v4) body Alertmanager would send for its currently active page alert. */
  async currentNotification(): Promise<object> {
    const alerts = (await (await fetch(`${this.alertmanager!.url}/api/v2/alerts?active=true`)).json()) as
      { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }[];
    const page = alerts.filter((alert) => matches(alert, PAGE_ALERT));
    if (page.length === 0) throw new Error('Alertmanager has no active page alert for checkout');
    const first = page[0]!;
    const groupLabels = { alertname: first.labels.alertname ?? '', namespace: NAMESPACE, deployment: DEPLOYMENT, slo: PAGE_ALERT.slo };
    return {
      version: '4', groupKey: `{}:${JSON.stringify(groupLabels)}`, truncatedAlerts: 0, status: 'firing', receiver: 'metricops',
      groupLabels, commonLabels: first.labels, commonAnnotations: first.annotations, externalURL: this.alertmanager!.url,
      alerts: page.map((alert) => ({ status: 'firing', labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt,
        endsAt: '0001-01-01T00:00:00Z', generatorURL: alert.generatorURL, fingerprint: alert.fingerprint })),
    };
  }

  /** POSTs a notification to the feedback pipeline as Alertmanager does (bearer token). */
  async notify(body: object): Promise<number> {
    const response = await fetch(`${this.feedbackUrl}/api/v1/alerts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${this.feedbackToken}` }, body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  async stop(): Promise<LoadReport | undefined> {
    this.loadControl.abort();
    const report = await this.load;
    this.templateWatch?.stop();
    await this.flux?.stop();
    await this.gitServer?.stop();
    await this.standIn?.stop();
    await this.feedback?.stop();
    await this.webhook?.stop();
    await this.prometheus?.stop();
    await this.alertmanager?.stop();
    await this.options.cluster.kubectl(['delete', 'mutatingwebhookconfiguration', 'metricops', '--ignore-not-found']);
    return report;
  }
}
