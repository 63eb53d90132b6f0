import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { alertmanagerConfig } from '../../e2e/harness/alertmanager.js';
import { versionOfImage } from '../../e2e/harness/pod-stand-in.js';
import { prometheusConfig } from '../../e2e/harness/prometheus.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-harness-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('versionOfImage (the pod stand-in runs the app at this version)', () => {
  test.each([
    ['a tag names the version', 'example.com/metricops/checkout:v2', 'v2'],
    ['a registry port is not a tag', 'localhost:5000/checkout:v1', 'v1'],
    ['no tag means latest', 'localhost:5000/checkout', 'latest'],
    ['a digest after a tag keeps the tag', 'example.com/checkout:v3@sha256:abc', 'v3'],
    ['a digest alone means latest', 'example.com/checkout@sha256:abc', 'latest'],
  ])('%s', (_description, image, version) => {
    expect(versionOfImage(image)).toBe(version);
  });
});

describe('generated configurations pass the real tools', () => {
  test('promtool accepts the Prometheus configuration', async () => {
    await writeFile(join(dir, 'rules.yaml'), 'groups: []\n');
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, prometheusConfig({ ruleFiles: [join(dir, '*.yaml')], scrapeJobs: [{ job: 'checkout', targets: ['127.0.0.1:8080'] }], alertmanager: '127.0.0.1:9093' }));
    const { stdout } = await run('promtool', ['check', 'config', file]);
    expect(stdout).toContain('SUCCESS');
  });

  test('amtool accepts the Alertmanager configuration and its bearer credentials_file', async () => {
    const credentials = join(dir, 'token');
    await writeFile(credentials, 'the-token-itself');
    const file = join(dir, 'alertmanager.yml');
    await writeFile(file, alertmanagerConfig({ webhookUrl: 'http://127.0.0.1:9095/api/v1/alerts', bearerToken: 'the-token-itself' }, credentials));
    const { stdout } = await run('amtool', ['check-config', file]);
    expect(stdout).toContain('SUCCESS');
    expect(await readFile(file, 'utf8')).not.toContain('the-token-itself');
  });
});
