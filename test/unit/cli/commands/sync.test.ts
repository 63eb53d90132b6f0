import { join } from 'node:path';
import { parseSyncOptions } from '../../../../slo-compiler/sync/sync-options.js';
import { CHECKOUT_SLO, git, RemoteFixture } from '../../slo-compiler/sync/git-fixture.js';
import { runCli } from '../run-cli.js';

function run(argv: string[], stopSignal?: Promise<string>) {
  return runCli(argv, stopSignal ? { stopSignal } : {});
}

describe('metricops sync', () => {
  let fixture: RemoteFixture;
  beforeEach(async () => {
    fixture = await RemoteFixture.create();
  });
  afterEach(async () => {
    await fixture.dispose();
  });

  const args = (...extra: string[]) => ['sync', '--repo', fixture.remote, '--slo-dir', 'slos', '--out-dir', 'rules', '--workdir', join(fixture.root, 'clone'), ...extra];

  test('--once commits and pushes the rules, prints what changed and exits 0; a second run has nothing to commit', async () => {
    const first = await run(args('--once'));
    expect(first).toEqual({
      code: 0,
      stdout: `committed and pushed ${fixture.remoteHead()}: 2 rule file(s) changed\n  rules/checkout-availability.rules.yaml\n  rules/search-latency.rules.yaml\n`,
      stderr: '',
    });

    expect(await run(args('--once'))).toEqual({ code: 0, stdout: 'rules up to date: nothing to commit\n', stderr: '' });
  });

  test('--once with invalid specs prints every problem with its repository-relative file and exits 1', async () => {
    const person = await fixture.clone('person');
    const head = await fixture.commitAndPush(person, { 'slos/checkout.yaml': CHECKOUT_SLO.replace('objective: 99.9', 'objective: 120') }, 'bad objective');

    const result = await run(args('--once'));

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^metricops: invalid input \(1 problem\):\n {2}- slos\/checkout\.yaml.*spec\.objective/);
    expect(fixture.remoteHead()).toBe(head);
  });

  test('without --once it syncs at start, then keeps running until the stop signal', async () => {
    let stop!: (signal: string) => void;
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    const running = run(args('--schedule', '0 0 1 1 *'), stopSignal);
    for (let attempt = 0; attempt < 200 && !fixture.remoteFiles().includes('rules/checkout-availability.rules.yaml'); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    stop('SIGTERM');

    expect(await running).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(git(fixture.remote, 'log', '-1', '--format=%s', 'main')).toMatch(/^metricops: update rules/);
  });

  test.each([
    ['a missing --slo-dir', ['sync', '--repo', 'r', '--out-dir', 'rules', '--once'], /required option '--slo-dir <dir>' not specified/],
    ['an unknown --format', ['sync', '--repo', 'r', '--slo-dir', 's', '--out-dir', 'o', '--format', 'json'], /argument 'json' is invalid/],
    ['an invalid --schedule', ['sync', '--repo', 'r', '--slo-dir', 's', '--out-dir', 'o', '--schedule', '61 * * * *'], /--schedule "61 \* \* \* \*" is not a valid cron expression/],
  ])('%s is a usage error (exit 2)', async (_description, argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('sync options', () => {
  const base = { repo: 'https://git.example.com/org/slos.git', sloDir: 'slos', outDir: 'rules' };

  test('defaults: branch main, every 5 minutes, prometheus format, a workdir named after the repository in the cache', () => {
    expect(parseSyncOptions(base, { cacheDir: '/cache' })).toEqual({
      ...base,
      branch: 'main',
      schedule: '*/5 * * * *',
      once: false,
      workdir: expect.stringMatching(/^\/cache\/sync\/slos-[0-9a-f]{12}$/),
      format: 'prometheus',
    });
  });

  test.each([
    ['the spec flags are passed on, the windows folder normalized', { sloPeriodWindowsPath: './windows/', minEvents: '100', layout: 'input' as const }, { spec: { sloPeriodWindowsPath: 'windows', minEvents: '100' }, layout: 'input' }],
    ['a trailing slash and ./ are normalized away', { sloDir: './slos/', outDir: 'deploy/rules/' }, { sloDir: 'slos', outDir: 'deploy/rules' }],
    ['a local repository path is made absolute', { repo: 'some/repo' }, { repo: expect.stringMatching(/^\/.*\/some\/repo$/) }],
    ['an scp-like URL is kept as given', { repo: 'git@github.com:org/slos.git' }, { repo: 'git@github.com:org/slos.git' }],
  ])('%s', (_description, flags, expected) => {
    expect(parseSyncOptions({ ...base, ...flags }, { cacheDir: '/cache' })).toMatchObject(expected);
  });

  test.each([
    ['an absolute --slo-dir', { sloDir: '/etc/slos' }, /--slo-dir "\/etc\/slos" is absolute/],
    ['an --out-dir leaving the repository', { outDir: '../elsewhere' }, /--out-dir "..\/elsewhere" leaves the repository/],
    ['an --out-dir inside --slo-dir', { outDir: 'slos/rules' }, /overlap: keep the generated rules in a folder of their own/],
    ['a --slo-dir of the whole repository', { sloDir: '.' }, /overlap/],
    ['an --out-dir inside .git', { outDir: '.git/rules' }, /inside \.git/],
    ['a branch name with ..', { branch: 'main..x' }, /--branch "main..x" is not a valid Git branch name/],
    ['an empty --repo', { repo: ' ' }, /--repo is empty/],
    ['a --slo-period-windows-path leaving the repository', { sloPeriodWindowsPath: '../windows' }, /--slo-period-windows-path "..\/windows" leaves the repository/],
  ])('%s is refused with a usage error saying how to fix it', (_description, flags, message) => {
    expect(() => parseSyncOptions({ ...base, ...flags })).toThrow(message);
  });
});
