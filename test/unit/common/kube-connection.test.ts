import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConnectionError, fromKubeconfigFile, loadKubeConnection } from '../../../common/kube-connection.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-kube-connection-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}, context: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'main',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443/', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'main', context: { cluster: 'c', user: 'u', ...context } }],
  });
}

describe('reading a kubeconfig without client-node', () => {
  test('a token, the CA as data, the context namespace', async () => {
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({ token: 'abc' }, { 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') }, { namespace: 'metricops' }));
    const connection = (await loadKubeConnection({ kubeconfig: path }))!;
    expect(connection.server).toBe('https://127.0.0.1:6443');
    expect(connection.tls).toEqual({ rejectUnauthorized: true, ca: Buffer.from('CA PEM') });
    expect(await connection.authHeaders()).toEqual({ authorization: 'Bearer abc' });
    expect(connection.namespace).toBe('metricops');
  });

  test('files relative to the kubeconfig: CA, client certificate and key; insecure-skip-tls-verify; tls-server-name', async () => {
    await writeFile(join(dir, 'ca.crt'), 'CA');
    await writeFile(join(dir, 'client.crt'), 'CERT');
    await writeFile(join(dir, 'client.key'), 'KEY');
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({ 'client-certificate': 'client.crt', 'client-key': 'client.key' }, { 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' }));
    const connection = fromKubeconfigFile(path)!;
    expect(connection.tls).toEqual({ rejectUnauthorized: false, ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY'), servername: 'kubernetes' });
    expect(await connection.authHeaders()).toEqual({});
  });

  test('a token file is read (and kept when it becomes unreadable later)', async () => {
    await writeFile(join(dir, 'token'), 'from-file\n');
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({ tokenFile: 'token' }));
    const connection = fromKubeconfigFile(path)!;
    expect(await connection.authHeaders()).toEqual({ authorization: 'Bearer from-file' });
    await rm(join(dir, 'token'));
    expect(await connection.authHeaders()).toEqual({ authorization: 'Bearer from-file' });
  });

  test('basic auth', async () => {
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({ username: 'admin', password: 's3cret' }));
    expect(await fromKubeconfigFile(path)!.authHeaders()).toEqual({ authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` });
  });

  test.each([
    { description: 'an exec plugin', user: { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } }, cluster: {} },
    { description: 'an auth-provider', user: { 'auth-provider': { name: 'oidc' } }, cluster: {} },
    { description: 'a proxy-url', user: { token: 'x' }, cluster: { 'proxy-url': 'http://proxy:3128' } },
  ])('$description needs client-node: not read here', async ({ user, cluster }) => {
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig(user, cluster));
    expect(fromKubeconfigFile(path)).toBeUndefined();
  });

  test.each([
    { description: 'a context that does not exist', file: kubeconfig({}), context: 'nope', message: 'no context "nope"' },
    { description: 'a cluster without a server', file: kubeconfig({}, { server: undefined }), context: undefined, message: 'cluster "c" has no server' },
    { description: 'a CA file that is not there', file: kubeconfig({}, { 'certificate-authority': 'missing.crt' }), context: undefined, message: 'cannot read certificate-authority' },
  ])('$description: an error naming the file and what is wrong', async ({ file, context, message }) => {
    const path = join(dir, 'config');
    await writeFile(path, file);
    expect(() => fromKubeconfigFile(path, context)).toThrow(KubeConnectionError);
    expect(() => fromKubeconfigFile(path, context)).toThrow(message);
  });
});
