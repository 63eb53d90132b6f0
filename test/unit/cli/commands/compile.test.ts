import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { CliContext } from '../../../../cli/context.js';
import { main } from '../../../../cli/main.js';
import { systemClock } from '../../../../common/clock.js';

const run = promisify(execFile);
jest.setTimeout(60_000);

function capture(): { context: CliContext; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    context: {
      stdout: (text) => void (out += text),
      stderr: (text) => void (err += text),
      createLogger: () => pino({ level: 'silent' }),
      clock: systemClock,
      stopSignal: new Promise(() => {}),
    },
    out: () => out,
    err: () => err,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-cli-compile-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('metricops compile', () => {
  test('compiles the examples, prints what it wrote, and a second run changes nothing', async () => {
    const first = capture();
    const out = join(dir, 'rules');
    expect(await main(['compile', 'examples/slos', '--out', out, '--emit-tests'], first.context)).toBe(0);
    expect(first.out()).toMatch(/^compiled 6 SLOs and 1 inline rule into .*: 13 written, 0 unchanged, 0 removed\n/);
    expect(first.out()).toContain('  written   checkout-availability.rules.yaml\n');
    expect(first.out()).toContain('  written   tests/checkout-availability.test.yaml\n');
    const again = capture();
    expect(await main(['compile', 'examples/slos', '--out', out, '--emit-tests'], again.context)).toBe(0);
    expect(again.out()).toMatch(/: 0 written, 13 unchanged, 0 removed\n$/);
  });

  test('--layout input writes what Sloth writes (one file per input, at its path); switching back removes those files', async () => {
    const out = join(dir, 'rules');
    const sloth = capture();
    const windows = 'test/unit/slo-compiler/fixtures/sloth-v0.16/windows';
    expect(await main(['compile', 'test/unit/slo-compiler/fixtures/sloth-v0.16/getting-started.yml', 'test/unit/slo-compiler/fixtures/sloth-v0.16/k8s-home-wifi.yml', '--out', out, '--layout', 'input', '--slo-period-windows-path', windows, '--min-events', '50'], sloth.context)).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['getting-started.yml', 'k8s-home-wifi.yml']);
    expect(await readFile(join(out, 'k8s-home-wifi.yml'), 'utf8')).toContain('kind: PrometheusRule');
    expect(await readFile(join(out, 'getting-started.yml'), 'utf8')).toContain('MetricopsNoTraffic');
    const back = capture();
    expect(await main(['compile', 'test/unit/slo-compiler/fixtures/sloth-v0.16/getting-started.yml', '--out', out], back.context)).toBe(0);
    expect(back.out()).toContain('  removed   getting-started.yml\n');
    expect((await readdir(out)).sort()).toEqual(['myservice-requests-availability.rules.yaml']);
  });

  test.each([
    ['--min-events that is no number', ['--min-events', 'lots'], '--min-events "lots" is not a whole number'],
    ['a bad --slo-plugins declaration', ['--slo-plugins', '{"id": "sloth.dev/core/validat/v1"}'], 'did you mean "sloth.dev/core/validate/v1"'],
    ['an unknown --layout', ['--layout', 'sloth'], "argument 'sloth' is invalid"],
  ])('%s is a usage error (exit 2)', async (_description, flags, message) => {
    const result = capture();
    expect(await main(['compile', 'examples/slos', '--out', join(dir, 'rules'), ...flags], result.context)).toBe(2);
    expect(result.err()).toContain(message);
  });

  test('dropping --emit-tests removes the generated tests it wrote before', async () => {
    const out = join(dir, 'rules');
    await main(['compile', 'examples/slos/checkout.yaml', '--out', out, '--emit-tests'], capture().context);
    const second = capture();
    expect(await main(['compile', 'examples/slos/checkout.yaml', '--out', out], second.context)).toBe(0);
    expect(second.out()).toContain('  removed   tests/checkout-availability.test.yaml\n');
  });

  test.each([
    ['the default is counts', [], 'counts', ''],
    ['--long-windows sloth', ['--long-windows', 'sloth'], 'sloth', ''],
    ['--long-windows exact (deprecated) is sloth, with a warning', ['--long-windows', 'exact'], 'sloth', 'warning: --long-windows exact is deprecated: use --long-windows sloth'],
    ['--long-windows reuse (deprecated) is counts, with a warning', ['--long-windows', 'reuse'], 'counts', 'warning: --long-windows reuse is deprecated: use --long-windows counts'],
  ])('%s', async (_description, flags, mode, warning) => {
    const result = capture();
    const out = join(dir, 'rules');
    expect(await main(['compile', 'examples/slos/checkout.yaml', '--out', out, ...flags], result.context)).toBe(0);
    const rules = await readFile(join(out, 'checkout-availability.rules.yaml'), 'utf8');
    expect(rules.includes('slo:sli_error_events:rate5m')).toBe(mode === 'counts');
    expect(rules.includes('count_over_time(slo:sli_error:ratio_rate5m')).toBe(mode === 'sloth');
    if (warning === '') expect(result.err()).toBe('');
    else expect(result.err()).toContain(warning);
  });

  test('invalid input exits 1, says where, and writes nothing', async () => {
    const specs = join(dir, 'specs');
    await mkdir(specs);
    await writeFile(join(specs, 'good.yaml'), 'apiVersion: metricops.io/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: good}\nspec:\n  service: s\n  objective: 99\n  indicator: {boolGauge: {metric: up}}\n');
    await writeFile(join(specs, 'bad.yaml'), 'apiVersion: metricops.io/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: bad}\nspec:\n  service: s\n  objective: 140\n  indicator: {boolGauge: {metric: up}}\n');
    const result = capture();
    expect(await main(['compile', specs, '--out', join(dir, 'rules')], result.context)).toBe(1);
    expect(result.err()).toContain('bad.yaml');
    expect(result.err()).toContain('spec.objective');
    expect(await readdir(dir)).toEqual(['specs']);
  });

  test.each([
    ['no --out', ['compile', 'examples/slos']],
    ['an unknown --format', ['compile', 'examples/slos', '--out', 'x', '--format', 'json']],
    ['an unknown --long-windows mode', ['compile', 'examples/slos', '--out', 'x', '--long-windows', 'cheap']],
  ])('a usage error exits 2: %s', async (_description, argv) => {
    const result = capture();
    expect(await main(argv, result.context)).toBe(2);
    expect(result.err()).not.toBe('');
  });

  test('--commit commits the written rules in the Git repository holding --out, and nothing when unchanged', async () => {
    await run('git', ['init', '-q', '-b', 'main', dir]);
    await run('git', ['-C', dir, 'config', 'user.email', 'test@example.com']);
    await run('git', ['-C', dir, 'config', 'user.name', 'test']);
    const out = join(dir, 'rules');
    const first = capture();
    expect(await main(['compile', 'examples/slos/checkout.yaml', '--out', out, '--commit'], first.context)).toBe(0);
    expect(first.out()).toMatch(/committed [0-9a-f]{7,40}/);
    const { stdout } = await run('git', ['-C', dir, 'log', '--name-only', '--format=%s']);
    expect(stdout).toContain('rules/checkout-availability.rules.yaml');
    const second = capture();
    expect(await main(['compile', 'examples/slos/checkout.yaml', '--out', out, '--commit'], second.context)).toBe(0);
    expect(second.out()).toContain('nothing to commit');
  });
});
