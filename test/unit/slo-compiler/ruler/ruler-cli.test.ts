import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRulerOptions } from '../../../../slo-compiler/ruler/ruler-options.js';
// Loaded up front as sync-command.test.ts does: `metricops sync` imports these concurrently, and jest's ESM loader
// fails on concurrent first imports of a shared module (node-cron).
import '../../../../slo-compiler/sync/sync-options.js';
import '../../../../slo-compiler/sync/sync-loop.js';
import { freePort } from '../../../e2e/harness/ports.js';
import { runCli } from '../../cli/run-cli.js';
import { CHECKOUT_SLO, git, RemoteFixture } from '../sync/git-fixture.js';
import { FakeRuler } from './fake-ruler.js';

// The default --long-windows counts adds the hourly group to Sloth's three.
const CHECKOUT_GROUPS = ['metricops-slo-sli-hourly-checkout-availability', 'sloth-slo-alerts-checkout-availability', 'sloth-slo-meta-recordings-checkout-availability', 'sloth-slo-sli-recordings-checkout-availability'];

let ruler: FakeRuler;
let dir: string;
let spec: string;
beforeEach(async () => {
  ruler = await FakeRuler.start();
  dir = await mkdtemp(join(tmpdir(), 'metricops-ruler-cli-'));
  spec = join(dir, 'checkout.yaml');
  await writeFile(spec, CHECKOUT_SLO);
});
afterEach(async () => {
  await ruler.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('metricops compile --ruler-url', () => {
  test('loads the compiled groups into the ruler without --out; a second run is unchanged and writes nothing', async () => {
    const first = await runCli(['compile', spec, '--ruler-url', ruler.url, '--ruler-tenant', 'team-a']);
    expect(first).toEqual({
      code: 0,
      stdout: [
        'compiled 1 SLO and 0 inline rules into 4 rule groups',
        `ruler ${ruler.url}/api/v1/rules, tenant team-a, namespace metricops: 4 created, 0 updated, 0 deleted, 0 unchanged (5 requests, 4 writes)`,
        ...CHECKOUT_GROUPS.map((group) => `  created   ${group}`),
        '',
      ].join('\n'),
      stderr: '',
    });
    expect([...ruler.groups('metricops', 'team-a').keys()].sort()).toEqual(CHECKOUT_GROUPS);

    const second = await runCli(['compile', spec, '--ruler-url', ruler.url, '--ruler-tenant', 'team-a']);
    expect(second.stdout).toContain('0 created, 0 updated, 0 deleted, 4 unchanged (1 request, 0 writes)');
  });

  test('with --out the files are written and the same groups go to the ruler', async () => {
    const result = await runCli(['compile', spec, '--out', join(dir, 'rules'), '--ruler-url', `${ruler.url}/api/v1/rules`, '--ruler-namespace', 'slos-eu']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^compiled 1 SLO and 0 inline rules into .*: 1 written, 0 unchanged, 0 removed\n {2}written {3}checkout-availability\.rules\.yaml\nruler .*, no tenant, namespace slos-eu: 4 created/);
    expect(await readdir(join(dir, 'rules'))).toEqual(['checkout-availability.rules.yaml']);
    expect([...ruler.groups('slos-eu').keys()].sort()).toEqual(CHECKOUT_GROUPS);
  });

  test("a group the ruler refuses: exit 1, the group and the ruler's answer on stdout and stderr, what was applied named", async () => {
    ruler.refusals.set('sloth-slo-sli-recordings-checkout-availability', { status: 400, text: 'per-user rules per rule group limit (limit: 7 actual: 8) exceeded' });
    const result = await runCli(['compile', spec, '--ruler-url', ruler.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('3 created, 0 updated, 0 deleted, 0 unchanged');
    expect(result.stdout).toContain('  FAILED    sloth-slo-sli-recordings-checkout-availability (create): POST');
    expect(result.stderr).toMatch(/^metricops: ruler sync incomplete \(namespace metricops\); sloth-slo-sli-recordings-checkout-availability \(create\) failed: .*HTTP 400: per-user rules per rule group limit \(limit: 7 actual: 8\) exceeded; applied: 3 \(metricops-slo-sli-hourly-checkout-availability, sloth-slo-alerts-checkout-availability, sloth-slo-meta-recordings-checkout-availability\); the next sync starts again from what the ruler holds\n$/);
  });

  test('a ruler nobody listens on: exit 1 and nothing applied', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(['compile', spec, '--ruler-url', url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^metricops: ruler sync incomplete \(namespace metricops\); stopped: cannot read the namespace: GET .* no connection \(ECONNREFUSED\) \(after 4 attempts\); nothing was applied/);
  }, 20_000);

  test('the bearer token comes from the first credential line of --ruler-token-file; a missing file is exit 1 naming it', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, '# rotated 2026-11-30\nt0ken\nold-token\n');
    expect((await runCli(['compile', spec, '--ruler-url', ruler.url, '--ruler-token-file', tokenFile])).code).toBe(0);
    expect(ruler.requests.every((request) => request.headers.authorization === 'Bearer t0ken')).toBe(true);

    const basicFile = join(dir, 'basic');
    await writeFile(basicFile, 'metricops:pa:ss\n');
    ruler.requests.length = 0;
    expect((await runCli(['compile', spec, '--ruler-url', ruler.url, '--ruler-basic-auth-file', basicFile])).code).toBe(0);
    expect(ruler.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('metricops:pa:ss').toString('base64')}`);

    const missing = await runCli(['compile', spec, '--ruler-url', ruler.url, '--ruler-token-file', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`metricops: --ruler-token-file: cannot read credential file ${join(dir, 'nope')}: ENOENT\n`);
  });

  test.each([
    ['no --out and no --ruler-url', [], /--out is required: give the directory to write the rule files to \(or --ruler-url/],
    ['--ruler-tenant without --ruler-url', ['--out', 'o', '--ruler-tenant', 't'], /--ruler-tenant needs --ruler-url/],
    ['--commit without --out', ['--ruler-url', 'http://ruler', '--commit'], /--commit needs --out/],
    ['a --ruler-url that is not http', ['--ruler-url', 'ftp://ruler'], /--ruler-url "ftp:\/\/ruler" is not http or https/],
    ['credentials in --ruler-url', ['--ruler-url', 'http://u:p@ruler'], /--ruler-url holds credentials, which would show in process lists and logs/],
    ['a --ruler-tenant joining tenants', ['--ruler-url', 'http://ruler', '--ruler-tenant', 'a|b'], /--ruler-tenant "a\|b" is not a tenant ID/],
    ['a --ruler-namespace with a slash', ['--ruler-url', 'http://ruler', '--ruler-namespace', 'a/b'], /--ruler-namespace "a\/b" is not a usable ruler namespace/],
    ['both credential files', ['--ruler-url', 'http://ruler', '--ruler-token-file', 'a', '--ruler-basic-auth-file', 'b'], /exclude each other/],
  ])('%s is a usage error (exit 2)', async (_sentence, flags, message) => {
    const result = await runCli(['compile', spec, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(ruler.requests).toEqual([]);
  });
});

describe('--ruler-url forms', () => {
  test.each([
    ['http://cortex:9009', 'http://cortex:9009/api/v1/rules'],
    ['http://cortex:9009/', 'http://cortex:9009/api/v1/rules'],
    ['https://gateway/cortex', 'https://gateway/cortex/api/v1/rules'],
    ['http://mimir:8080/prometheus/config/v1/rules', 'http://mimir:8080/prometheus/config/v1/rules'],
    ['http://cortex:9009/api/v1/rules/', 'http://cortex:9009/api/v1/rules'],
  ])('%s -> %s', (url, endpoint) => {
    expect(parseRulerOptions({ rulerUrl: url })).toEqual({ rulesUrl: endpoint, namespace: 'metricops' });
  });
});

describe('metricops sync --ruler-url', () => {
  let fixture: RemoteFixture;
  beforeEach(async () => {
    fixture = await RemoteFixture.create({ 'slos/checkout.yaml': CHECKOUT_SLO });
  });
  afterEach(async () => {
    await fixture.dispose();
  });

  test('without --out-dir the rules go to the ruler only: no commit; removing the spec deletes its groups', async () => {
    const head = fixture.remoteHead();
    const args = ['sync', '--repo', fixture.remote, '--slo-dir', 'slos', '--workdir', join(fixture.root, 'clone'), '--once', '--ruler-url', ruler.url];
    const first = await runCli(args);
    expect(first).toEqual({ code: 0, stdout: expect.stringMatching(/^ruler .*: 4 created, 0 updated, 0 deleted, 0 unchanged/), stderr: '' });
    expect(fixture.remoteHead()).toBe(head);

    const person = await fixture.clone('person');
    await fixture.commitAndPush(person, { 'slos/checkout.yaml': CHECKOUT_SLO.replace('checkout-availability', 'checkout-success') }, 'rename the SLO');
    const second = await runCli(args);
    expect(second.stdout).toMatch(/: 4 created, 0 updated, 4 deleted, 0 unchanged/);
    expect([...ruler.groups('metricops').keys()].every((name) => name.endsWith('checkout-success'))).toBe(true);
  });

  test('with --out-dir it commits and pushes, then loads the ruler; invalid specs never reach the ruler', async () => {
    const args = ['sync', '--repo', fixture.remote, '--slo-dir', 'slos', '--out-dir', 'rules', '--workdir', join(fixture.root, 'clone'), '--once', '--ruler-url', ruler.url];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^committed and pushed [0-9a-f]{40}: 1 rule file\(s\) changed\n {2}rules\/checkout-availability\.rules\.yaml\nruler .*: 4 created/);

    const person = await fixture.clone('person');
    await fixture.commitAndPush(person, { 'slos/checkout.yaml': CHECKOUT_SLO.replace('objective: 99.9', 'objective: 120') }, 'bad objective');
    ruler.requests.length = 0;
    const invalid = await runCli(args);
    expect(invalid.code).toBe(1);
    expect(ruler.requests).toEqual([]);
    expect(git(fixture.remote, 'log', '-1', '--format=%s', 'main')).toBe('bad objective');
  });

  test('--out-dir is needed without --ruler-url (exit 2)', async () => {
    const result = await runCli(['sync', '--repo', fixture.remote, '--slo-dir', 'slos', '--once']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--out-dir is required: give the rules folder, relative to the repository root \(or --ruler-url/);
  });
});
