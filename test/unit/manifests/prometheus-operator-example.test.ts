import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { main } from '../../../cli/main.js';
import { systemClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';
import { onlyObject, repoRoot } from './manifest-files.js';

const example = join(repoRoot, 'examples/prometheus-operator');

async function compileExamples(out: string): Promise<number> {
  return main(['compile', join(repoRoot, 'examples/slos'), '--out', out, '--format', 'operator'], {
    stdout: () => undefined,
    stderr: () => undefined,
    createLogger: () => silentLogger(),
    clock: systemClock,
    stopSignal: new Promise(() => undefined),
  });
}

async function ruleFiles(dir: string): Promise<Map<string, unknown>> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
  return new Map(await Promise.all(names.map(async (name) => [name, parse(await readFile(join(dir, name), 'utf8'))] as const)));
}

describe('examples/prometheus-operator', () => {
  let fresh: string;
  beforeAll(async () => {
    fresh = await mkdtemp(join(tmpdir(), 'metricops-operator-example-'));
    expect(await compileExamples(fresh)).toBe(0);
  });
  afterAll(async () => {
    await rm(fresh, { recursive: true, force: true });
  });

  test('the PrometheusRules are what `metricops compile examples/slos --format operator` writes today (regenerate them when this fails)', async () => {
    const committed = await ruleFiles(join(example, 'rules'));
    const generated = await ruleFiles(fresh);
    expect([...committed.keys()]).toEqual([...generated.keys()]);
    for (const [name, object] of generated) expect({ name, object: committed.get(name) }).toEqual({ name, object });
  });

  test('the kustomization lists every generated rule file', async () => {
    const kustomization = parse(await readFile(join(example, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const names = (await readdir(join(example, 'rules'))).map((name) => `rules/${name}`);
    expect(kustomization.resources.filter((resource) => resource.startsWith('rules/')).sort()).toEqual(names.sort());
  });

  test.each([
    ['metricops-feedback', 'metricops-feedback'],
    ['metricops-webhook', 'metricops-webhook'],
  ])('ServiceMonitor %s selects the Service %s by its labels and scrapes a port it names', async (monitorName, serviceName) => {
    const monitors = parseAllDocuments(await readFile(join(example, 'servicemonitors.yaml'), 'utf8')).map(
      (document) => document.toJS() as { metadata: { name: string }; spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string }> } },
    );
    const monitor = monitors.find((candidate) => candidate.metadata.name === monitorName)!;
    const service = onlyObject('Service', serviceName) as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: Array<{ name: string }> } };
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((port) => port.name)).toContain(monitor.spec.endpoints[0]!.port);
  });
});
