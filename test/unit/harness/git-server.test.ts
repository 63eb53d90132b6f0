// The harness Git server (test/e2e/harness/git-server.ts) with the real git client: smart HTTP clone, fetch and
// push, errors for unknown repositories, and stop/start on the same port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgiEnvironment, parseCgiHead, startGitServer, type GitServer } from '../../e2e/harness/git-server.js';
import { GitOpsRepository } from '../../e2e/harness/gitops-repository.js';
import { git } from '../../e2e/harness/git.js';

let dir: string;
let server: GitServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-git-server-'));
  server = await startGitServer({ root: join(dir, 'repositories'), logFile: join(dir, 'git-server.log') });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('parseCgiHead', () => {
  test.each([
    ['no Status header means 200', 'Content-Type: application/x-git-upload-pack-advertisement\r\nCache-Control: no-cache',
      200, [['Content-Type', 'application/x-git-upload-pack-advertisement'], ['Cache-Control', 'no-cache']]],
    ['a Status header sets the status and is not passed on', 'Status: 404 Not Found\r\nContent-Type: text/plain', 404, [['Content-Type', 'text/plain']]],
    ['bare newlines are accepted too', 'Status: 403 Forbidden\nExpires: Fri, 01 Jan 1980 00:00:00 GMT', 403, [['Expires', 'Fri, 01 Jan 1980 00:00:00 GMT']]],
  ])('%s', (_description, head, status, headers) => {
    expect(parseCgiHead(head)).toEqual({ status, headers });
  });

  test('a line without a colon is an error that quotes it', () => {
    expect(() => parseCgiHead('Content-Type: text/plain\r\nnonsense')).toThrow(/malformed header line: "nonsense"/);
  });
});

describe('cgiEnvironment', () => {
  test('maps the request to what git http-backend reads', () => {
    const environment = cgiEnvironment({
      method: 'POST', url: '/apps.git/git-upload-pack?x=1',
      headers: { 'content-type': 'application/x-git-upload-pack-request', 'content-length': '42', 'content-encoding': 'gzip', 'git-protocol': 'version=2' },
    }, '/srv/git');
    expect(environment).toMatchObject({
      GIT_PROJECT_ROOT: '/srv/git', GIT_HTTP_EXPORT_ALL: '1', REQUEST_METHOD: 'POST', PATH_INFO: '/apps.git/git-upload-pack',
      QUERY_STRING: 'x=1', CONTENT_TYPE: 'application/x-git-upload-pack-request', CONTENT_LENGTH: '42',
      HTTP_CONTENT_ENCODING: 'gzip', GIT_PROTOCOL: 'version=2', REMOTE_USER: 'metricops-e2e',
    });
  });

  test('leaves out the optional variables a request does not have', () => {
    const environment = cgiEnvironment({ method: 'GET', url: '/apps.git/info/refs?service=git-upload-pack', headers: {} }, '/srv/git');
    expect(environment).not.toHaveProperty('CONTENT_LENGTH');
    expect(environment).not.toHaveProperty('GIT_PROTOCOL');
    expect(environment.QUERY_STRING).toBe('service=git-upload-pack');
  });
});

describe('the Git server over smart HTTP', () => {
  test('a pushed commit is what a fresh clone over HTTP sees', async () => {
    const repository = await GitOpsRepository.create(server, 'apps', join(dir, 'work'));
    expect(repository.url).toBe(`${server.url}/apps.git`);
    const commit = await repository.commit('add the app', { 'deploy/app.yaml': 'kind: ConfigMap\n' });
    expect(await repository.remoteHead()).toBe(commit);
    await git(dir, ['clone', '--quiet', repository.url, join(dir, 'fresh')]);
    expect((await git(join(dir, 'fresh'), ['rev-parse', 'HEAD'])).trim()).toBe(commit);
    expect((await git(join(dir, 'fresh'), ['show', 'HEAD:deploy/app.yaml']))).toBe('kind: ConfigMap\n');
  });

  test('info/refs advertises the smart protocol (what go-git needs)', async () => {
    const response = await fetch(`${server.url}/apps.git/info/refs?service=git-upload-pack`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    expect(await response.text()).toContain('# service=git-upload-pack');
  });

  test('an unknown repository is a 404', async () => {
    const response = await fetch(`${server.url}/missing.git/info/refs?service=git-upload-pack`);
    await response.arrayBuffer();
    expect(response.status).toBe(404);
  });

  test('a repository name with a slash or dots only is refused with a message that says what is allowed', async () => {
    await expect(server.createRepository('../escape')).rejects.toThrow(/not allowed: use letters, digits/);
  });

  test('stopped, the server refuses connections; started again, it serves on the same port', async () => {
    const repository = await GitOpsRepository.create(server, 'outage', join(dir, 'work'));
    const port = server.port;
    await server.stop();
    expect(server.running).toBe(false);
    await expect(repository.commit('while down', { 'a.txt': 'a\n' })).rejects.toThrow(/push/);
    await server.start();
    expect(server.port).toBe(port);
    await git(repository.dir, ['push', '--quiet', 'origin', 'HEAD:main']);
    expect(await repository.remoteHead()).toBe(await repository.localHead());
  });
});
