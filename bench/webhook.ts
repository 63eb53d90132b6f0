/**
 * `npm run bench -- webhook`: throughput and latency of the admission webhook over TLS, with a realistic
 * Deployment UPDATE (a rollout: new image, oldObject, SLO annotation), measured with autocannon against
 *   - metricops' webhook (startWebhookServer, info-level pino logs to /dev/null, metrics on),
 *   - a bare node:https server that parses the same body and answers a fixed AdmissionReview,
 *   - a controller-runtime webhook doing the same stamping (bench/go-webhook), when Go can build it.
 * Each server runs in its own child process so the load generator does not share its event loop.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpsRequest } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { systemClock } from '../common/clock.js';
import { createLogger } from '../common/logger.js';
import { issueCertificates } from '../webhook/certificates.js';
import { admit } from '../webhook/admit.js';
import { decodeAdmissionReview } from '../webhook/admission-review.js';
import { WebhookMetrics } from '../webhook/metrics.js';
import { loadRulesDirectory } from '../webhook/rules-directory.js';
import { startWebhookServer } from '../webhook/server.js';
import type { BenchPart } from './run.js';

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const THIS_FILE = fileURLToPath(import.meta.url);
const REPO_ROOT = join(dirname(THIS_FILE), '..', '..');
const DURATION_S = 10;
const WARMUP_S = 3;
const CONNECTIONS = 10;
const TARGET_RATE = 1000;
const GOAL_P99_MS = 5;
const GOAL_RATIO = 0.8;

type ServerKind = 'metricops' | 'bare';
interface ServeConfig {
  certDir: string;
  rulesDir: string;
}

// ---------------------------------------------------------------- child process: one server

async function serve(kind: ServerKind, config: ServeConfig): Promise<void> {
  const cert = await readFile(join(config.certDir, 'tls.crt'));
  const key = await readFile(join(config.certDir, 'tls.key'));
  let port: number;
  if (kind === 'metricops') {
    const server = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      tlsCertFile: join(config.certDir, 'tls.crt'),
      tlsKeyFile: join(config.certDir, 'tls.key'),
      rulesDir: config.rulesDir,
      logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) as unknown as NodeJS.WritableStream }),
      clock: systemClock,
      registry: new Registry(),
    });
    port = server.port;
  } else {
    const server = createServer({ cert, key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string } };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }
  process.once('SIGTERM', () => process.exit(0));
  process.send?.({ port });
}

// ---------------------------------------------------------------- parent: fixtures, servers, load

export function realisticReview(): string {
  const template = (image: string) => ({
    metadata: { labels: { app: 'checkout', 'app.kubernetes.io/part-of': 'shop' }, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      serviceAccountName: 'checkout',
      initContainers: [{ name: 'migrate', image: 'registry.example/checkout-migrate:4.2.0', args: ['--wait', '--timeout=60s'] }],
      containers: [
        {
          name: 'app',
          image,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: Array.from({ length: 12 }, (_, index) => ({ name: `CHECKOUT_SETTING_${index}`, value: `value-${index}` })),
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
        { name: 'envoy', image: 'envoyproxy/envoy:v1.31.0', ports: [{ containerPort: 9901, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  });
  const deployment = (image: string, annotations: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'checkout',
      namespace: 'shop',
      uid: '3c9bd4f4-5b4e-4b57-9d38-0a0c1f2d1e11',
      resourceVersion: '184467',
      generation: 7,
      creationTimestamp: '2026-11-01T09:00:00Z',
      labels: { app: 'checkout' },
      annotations: { 'metricops.io/slo': 'checkout-availability', 'deployment.kubernetes.io/revision': '6', ...annotations },
      managedFields: [
        { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-11-20T09:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {} } } } } },
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', time: '2026-11-20T09:01:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, subresource: 'status' },
      ],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'checkout' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: template(image),
    },
  });
  const oldImages = '{"app":"registry.example/checkout:1.4.1","envoy":"envoyproxy/envoy:v1.31.0","init:migrate":"registry.example/checkout-migrate:4.2.0"}';
  const old = deployment('registry.example/checkout:1.4.1', {
    'metricops.io/images': oldImages,
    'metricops.io/deployed-at': '2026-11-20T09:00:00Z',
    'metricops.io/rules': '[]',
  });
  const next = deployment('registry.example/checkout:1.5.0', {
    'metricops.io/images': oldImages,
    'metricops.io/deployed-at': '2026-11-20T09:00:00Z',
    'metricops.io/rules': '[]',
  });
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'b1a4c9a2-6f0e-4a63-9a8e-2f6c7d3e4a10',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      requestKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      requestResource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'checkout',
      namespace: 'shop',
      operation: 'UPDATE',
      userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:serviceaccounts'] },
      object: next,
      oldObject: old,
      dryRun: false,
      options: { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'argocd-controller' },
    },
  });
}

const RULES = `groups:
  - name: sloth-slo-alerts-checkout-availability
    rules:
      - alert: CheckoutAvailabilityBudgetBurn
        expr: (slo:sli_error:ratio_rate5m{sloth_id="checkout-availability"} > (14.4 * 0.001)) and ignoring(sloth_window) (slo:sli_error:ratio_rate1h{sloth_id="checkout-availability"} > (14.4 * 0.001))
        labels: {slo: checkout-availability, slo_severity: page, namespace: shop, deployment: checkout}
      - alert: CheckoutAvailabilityBudgetBurn
        expr: (slo:sli_error:ratio_rate2h{sloth_id="checkout-availability"} > (3 * 0.001)) and ignoring(sloth_window) (slo:sli_error:ratio_rate1d{sloth_id="checkout-availability"} > (3 * 0.001))
        labels: {slo: checkout-availability, slo_severity: ticket, namespace: shop, deployment: checkout}
`;

interface RunningServer {
  name: string;
  port: number;
  pid: number;
  stop(): void;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc: the same measure for Node and Go. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function startChild(kind: ServerKind, config: ServeConfig): Promise<RunningServer> {
  const child = fork(THIS_FILE, ['serve', kind, JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
    child.once('message', (message: { port: number }) => resolve({ name: kind, port: message.port, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') }));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Builds bench/go-webhook into the cache folder (once); undefined with the reason when Go cannot. */
function buildGoWebhook(): { binary?: string; reason?: string } {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'metricops-bench');
  const binary = join(cache, 'go-webhook');
  if (existsSync(binary)) return { binary };
  try {
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(REPO_ROOT, 'bench', 'go-webhook'), stdio: 'inherit', timeout: 900_000 });
    return { binary };
  } catch (error) {
    return { reason: `go build failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

async function startGo(binary: string, certDir: string): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--cert-dir', certDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { name: 'controller-runtime (Go)', port, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}

function post(port: number, ca: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method: 'POST', path: '/mutate', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitUntilAnswering(server: RunningServer, ca: string, body: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const answer = await post(server.port, ca, body);
      if (answer.status === 200) return answer.body;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Measurement {
  server: string;
  max: AutocannonResult;
  fixed: AutocannonResult;
  /** Server CPU time per request during the unlimited run, in microseconds. */
  cpuPerRequestUs: number;
}

async function measure(server: RunningServer, body: string): Promise<Measurement> {
  const base = {
    url: `https://127.0.0.1:${server.port}/mutate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
  };
  await autocannon({ ...base, duration: WARMUP_S });
  const cpuBefore = await cpuSeconds(server.pid);
  const max = await autocannon({ ...base, duration: DURATION_S });
  const cpuPerRequestUs = ((await cpuSeconds(server.pid)) - cpuBefore) / max.requests.total * 1e6;
  const fixed = await autocannon({ ...base, duration: DURATION_S, overallRate: TARGET_RATE });
  return { server: server.name, max, fixed, cpuPerRequestUs };
}

/** Microseconds per call of each step of answering one request, in this process (no network, no TLS). */
async function stepCosts(body: string, rulesDir: string): Promise<Array<[string, number]>> {
  const { index } = await loadRulesDirectory(rulesDir, systemClock);
  const parsed: unknown = JSON.parse(body);
  const decoded = decodeAdmissionReview(parsed);
  if (!decoded.ok) throw new Error('the benchmark request does not decode');
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) as unknown as NodeJS.WritableStream });
  const metrics = new WebhookMetrics(new Registry());
  const fields = { uid: decoded.request.uid, namespace: 'shop', name: 'checkout', operation: 'UPDATE', kind: 'apps/v1/Deployment', dryRun: false, result: 'patched', operations: 3 };
  const steps: Array<[string, () => unknown]> = [
    ['JSON.parse of the body (bare server does it too)', () => JSON.parse(body)],
    ['decode AdmissionReview (zod)', () => decodeAdmissionReview(parsed)],
    ['admit: stamp + diff + base64 patch', () => admit(decoded.request, index, systemClock)],
    ['one info log line (common/logger.ts, with its redaction)', () => logger.info(fields, 'stamped a Deployment rollout')],
    ['metrics: counter + histogram', () => metrics.observe('patched', 0.001)],
  ];
  return steps.map(([name, step]) => {
    for (let i = 0; i < 2_000; i += 1) step();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i += 1) step();
    return [name, Number(process.hrtime.bigint() - started) / 20_000 / 1000] as [string, number];
  });
}

function row(m: Measurement): string {
  const failed = (r: AutocannonResult) => r.errors + r.timeouts + r.non2xx;
  return `| ${m.server} | ${m.cpuPerRequestUs.toFixed(0)} | ${(1e6 / m.cpuPerRequestUs).toFixed(0)} | ${m.max.requests.average.toFixed(0)} | ${m.max.latency.p50} | ${m.max.latency.p99} | ${m.fixed.requests.average.toFixed(0)} | ${m.fixed.latency.p50} | ${m.fixed.latency.p99} | ${m.fixed.latency.max} | ${failed(m.max) + failed(m.fixed)} |`;
}

async function run(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'metricops-bench-webhook-'));
  const servers: RunningServer[] = [];
  try {
    const certDir = join(root, 'tls');
    const rulesDir = join(root, 'rules');
    await mkdir(certDir);
    await mkdir(rulesDir);
    const issued = await issueCertificates({ service: 'metricops-webhook', namespace: 'metricops', days: 1, extraIps: ['127.0.0.1'] });
    await writeFile(join(certDir, 'tls.crt'), issued.tlsCert);
    await writeFile(join(certDir, 'tls.key'), issued.tlsKey, { mode: 0o600 });
    await writeFile(join(rulesDir, 'checkout-availability.rules.yaml'), RULES);
    const body = realisticReview();
    const config: ServeConfig = { certDir, rulesDir };

    const measurements: Measurement[] = [];
    const notes: string[] = [];
    const ours = await startChild('metricops', config);
    servers.push(ours);
    const sample = JSON.parse(await waitUntilAnswering(ours, issued.caCert, body)) as { response: { patch?: string } };
    if (!sample.response.patch) throw new Error('the metricops webhook answered without a patch: the benchmark would measure the wrong thing');
    const patchOps = (JSON.parse(Buffer.from(sample.response.patch, 'base64').toString()) as unknown[]).length;
    measurements.push(await measure(ours, body));
    ours.stop();

    const bare = await startChild('bare', config);
    servers.push(bare);
    await waitUntilAnswering(bare, issued.caCert, body);
    measurements.push(await measure(bare, body));
    bare.stop();

    const go = buildGoWebhook();
    if (go.binary) {
      const goServer = await startGo(go.binary, certDir);
      servers.push(goServer);
      const goSample = JSON.parse(await waitUntilAnswering(goServer, issued.caCert, body)) as { response: { patch?: string } };
      if (!goSample.response.patch) notes.push('The Go webhook answered without a patch; its numbers are not comparable.');
      measurements.push(await measure(goServer, body));
      goServer.stop();
    } else {
      notes.push(`The controller-runtime baseline was skipped: ${go.reason}.`);
    }

    const costs = await stepCosts(body, rulesDir);
    const [metricops, bareServer, goServer] = measurements as [Measurement, Measurement, Measurement | undefined];
    const ratioBare = metricops.max.requests.average / bareServer.max.requests.average;
    const cpuRatioBare = bareServer.cpuPerRequestUs / metricops.cpuPerRequestUs;
    const p99 = metricops.fixed.latency.p99;
    const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
    const lines = [
      `Request: a realistic Deployment UPDATE AdmissionReview (${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB; new image, oldObject, 2 containers + 1 init container, managedFields, metricops.io/slo); metricops answers it with a ${patchOps}-operation JSON Patch.`,
      `Load: autocannon in the parent process, ${CONNECTIONS} keep-alive TLS connections, ${WARMUP_S} s warm-up, then ${DURATION_S} s unlimited ("max") and ${DURATION_S} s at a fixed ${TARGET_RATE} req/s. Each server runs alone in its own child process; all share this machine's cores with the load generator.`,
      'Latencies are autocannon\'s, in whole milliseconds (its histogram has 1 ms resolution).',
      '',
      '| server | CPU µs/request | req/s per core (1e6 / CPU µs) | max req/s | max p50 ms | max p99 ms | fixed req/s | fixed p50 ms | fixed p99 ms | fixed max ms | errors |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...measurements.map(row),
      '',
      `- Load average of the machine at the end (other engineers' jobs share it): ${load}. Throughput and latency move with that load; CPU per request (from /proc/<pid>/stat) hardly does, so the capacity ratio below uses it.`,
      `- metricops / bare node:https capacity (CPU per request, bare ÷ metricops): **${(cpuRatioBare * 100).toFixed(0)}%** (goal >= ${GOAL_RATIO * 100}%: ${cpuRatioBare >= GOAL_RATIO ? 'met' : 'NOT met'}); measured throughput ratio under this load: ${(ratioBare * 100).toFixed(0)}%`,
      `- metricops p99 at ${TARGET_RATE} req/s: **${p99} ms** (goal <= ${GOAL_P99_MS} ms: ${p99 <= GOAL_P99_MS ? 'met' : 'NOT met'})`,
    ];
    if (goServer) {
      lines.push(
        `- metricops / controller-runtime capacity (CPU per request, Go ÷ metricops): **${((goServer.cpuPerRequestUs / metricops.cpuPerRequestUs) * 100).toFixed(0)}%**; throughput ratio ${((metricops.max.requests.average / goServer.max.requests.average) * 100).toFixed(0)}%; p99 at ${TARGET_RATE} req/s: ${p99} ms vs ${goServer.fixed.latency.p99} ms`,
      );
    }
    lines.push(...notes.map((note) => `- ${note}`));
    lines.push('', 'Cost of each step in-process (µs per call, same machine and load):', '', '| step | µs |', '|---|---|');
    lines.push(...costs.map(([name, micros]) => `| ${name} | ${micros.toFixed(1)} |`));
    return lines.join('\n') + '\n';
  } finally {
    for (const server of servers) server.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const part: BenchPart = { name: 'webhook', run };
export default part;

if (process.argv[1] === THIS_FILE && process.argv[2] === 'serve') {
  await serve(process.argv[3] as ServerKind, JSON.parse(process.argv[4] ?? '{}') as ServeConfig);
}
