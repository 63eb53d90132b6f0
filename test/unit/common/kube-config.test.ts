import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../../common/kube-config.js';

const GOOD = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`;

describe('loadKubeConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-kubeconfig-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each<[string, string | Buffer, string | undefined, RegExp]>([
    ['an empty file', '', undefined, /the file is empty/],
    ['YAML that does not parse', ': : [', undefined, /incomplete explicit mapping pair/],
    ['binary bytes', Buffer.from([0xff, 0xfe, 0, 1]), undefined, /null byte/],
    ['a YAML list', '- a\n- b\n', undefined, /no current-context/],
    ['no current context', GOOD.replace('current-context: ctx\n', ''), undefined, /no current-context: set one, or pass --context/],
    ['a current context without a cluster', GOOD.replace('current-context: ctx', 'current-context: other'), undefined, /current context "other" names no cluster/],
    ['--context naming no context', GOOD, 'missing', /no context "missing" \(contexts: ctx\)/],
  ])('%s is an error saying what is wrong', async (_description, content, context, message) => {
    const file = join(dir, 'config');
    await writeFile(file, content);
    expect(() => loadKubeConfig({ kubeconfig: file, ...(context ? { context } : {}) })).toThrow(message);
  });

  test('a usable file loads, with its cluster', async () => {
    const file = join(dir, 'good');
    await writeFile(file, GOOD);
    expect(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });
});
