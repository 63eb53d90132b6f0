/**
 * The real Prometheus rule engine is the judge: promtool checks every compiled example and runs the emitted
 * unit tests, in both output formats and both long-window modes; a timing test replays a burn through the
 * rules for the Sloth example and checks the alerts fire exactly when the multiwindow multi-burn-rate scheme says.
 */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { compile } from '../../../slo-compiler/compile.js';
import { writeCompiledRules } from '../../../slo-compiler/output/write.js';
import { loadSpecs } from '../../../slo-compiler/inputs/load.js';
import { burnRateWindows } from '../../../slo-compiler/rules/burn-rate.js';
import { formatPromDuration } from '../../../slo-compiler/rules/prom-duration.js';

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const EXAMPLES = 'examples/slos';

async function promtool(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { cwd, timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
  }
}

jest.setTimeout(120_000);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricops-promtool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compiled examples under promtool', () => {
  test.each([
    ['prometheus rule files, exact long windows', 'prometheus', 'exact'],
    ['prometheus rule files, long windows from recorded counts', 'prometheus', 'reuse'],
    ['PrometheusRule objects, exact long windows', 'operator', 'exact'],
  ] as const)('%s: rules check clean and every emitted test passes', async (_description, format, longWindows) => {
    const input = await loadSpecs([EXAMPLES]);
    const compiled = compile(input, { format, longWindows, emitTests: true });
    expect(compiled.skippedTests).toEqual([]);
    await writeCompiledRules(dir, compiled);
    const ruleDir = format === 'operator' ? join(dir, 'tests') : dir;
    const ruleFiles = (await readdir(ruleDir)).filter((name) => name.endsWith('.rules.yaml'));
    expect(ruleFiles.length).toBeGreaterThanOrEqual(input.slos.length);
    const check = await promtool(['check', 'rules', ...ruleFiles], ruleDir);
    expect(check).toMatchObject({ ok: true });
    const tests = (await readdir(join(dir, 'tests'))).filter((name) => name.endsWith('.test.yaml'));
    expect(tests).toHaveLength(input.slos.length);
    const result = await promtool(['test', 'rules', ...tests], join(dir, 'tests'));
    if (!result.ok) throw new Error(result.output);
  });

  test('an emitted test can fail: with the burn threshold doubled the 20x test no longer holds', async () => {
    const input = await loadSpecs([join(EXAMPLES, 'checkout.yaml')]);
    const compiled = compile(input, { format: 'prometheus', longWindows: 'exact', emitTests: true });
    await writeCompiledRules(dir, compiled);
    const rulePath = join(dir, 'checkout-availability.rules.yaml');
    await writeFile(rulePath, (await readFile(rulePath, 'utf8')).replaceAll('(14.4 * 0.001)', '(28.8 * 0.001)').replaceAll('(6 * 0.001)', '(28.8 * 0.001)'));
    const result = await promtool(['test', 'rules', 'checkout-availability.test.yaml'], join(dir, 'tests'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('a 20x error-budget burn pages');
  });
});

/** The scheme, computed independently: the error ratio over [t - w, t] of a steady 20x burn between start and end. */
const MINUTE = 60_000;
function schemeSeverities(tMin: number, burn: { startMin: number; endMin: number; factor: number }): Array<'page' | 'ticket'> {
  const windows = burnRateWindows(30 * 1440 * MINUTE);
  const burnOver = (windowMs: number) => {
    const from = Math.max(0, tMin - windowMs / MINUTE);
    const overlap = Math.max(0, Math.min(tMin, burn.endMin) - Math.max(from, burn.startMin));
    return (burn.factor * overlap) / (tMin - from);
  };
  const pairFires = (pair: { shortWindow: number; longWindow: number; factor: number }) =>
    burnOver(pair.shortWindow) > pair.factor && burnOver(pair.longWindow) > pair.factor;
  const result: Array<'page' | 'ticket'> = [];
  if (pairFires(windows.pageQuick) || pairFires(windows.pageSlow)) result.push('page');
  if (pairFires(windows.ticketQuick) || pairFires(windows.ticketSlow)) result.push('ticket');
  return result;
}

describe('burn-rate timing parity on the Sloth example (promtool replays the series)', () => {
  // Three days of clean traffic first, so even the 3d window sees a full history; then a 4h burn at 20x.
  const PREFIX = 3 * 1440;
  const burn = { startMin: PREFIX, endMin: PREFIX + 240, factor: 20 };
  const lastMinute = PREFIX + 420;
  // Minutes into the burn: before it, just under and over the 1h page threshold (43.2m), mid-burn, ticket on
  // (1d window over 3x after 216m), 10m after the end (the 30m/6h pair still pages), 35m after, 3h after.
  const evalMinutes = [-10, 35, 50, 150, 235, 250, 275, 420].map((minutes) => PREFIX + minutes);

  test('the scheme expectations are stable 3 minutes either side (so Prometheus extrapolation cannot flip them)', () => {
    for (const t of evalMinutes) {
      expect([schemeSeverities(t - 3, burn), schemeSeverities(t + 3, burn)]).toEqual([schemeSeverities(t, burn), schemeSeverities(t, burn)]);
    }
    expect(evalMinutes.map((t) => schemeSeverities(t, burn).join('+') || 'none')).toEqual([
      'none', 'none', 'page', 'page', 'page+ticket', 'page+ticket', 'ticket', 'ticket',
    ]);
  });

  test.each([
    ['the compiled alerts fire exactly at the expected eval times', false],
    ['a wrong expectation (page already 35m into the burn) makes promtool fail', true],
  ])('%s', async (_description, tamper) => {
    const input = await loadSpecs([join(EXAMPLES, 'sloth-myservice.yaml')]);
    const slo = input.slos[0]!;
    const compiled = compile(input, { format: 'prometheus', longWindows: 'exact', emitTests: false });
    await writeCompiledRules(dir, compiled);
    const ruleFile = compiled.files[0]!.path;
    const alertRules = (parse(compiled.files[0]!.content) as { groups: Array<{ rules: Array<Record<string, any>> }> }).groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.alert !== undefined);
    const resultLabels = { sloth_id: slo.slothId, sloth_service: slo.service, sloth_slo: slo.slothSlo, ...slo.labels };
    const expectedAlert = (severity: string) => {
      const rule = alertRules.find((candidate) => candidate.labels.slo_severity === severity)!;
      const labels: Record<string, string> = { ...resultLabels, ...rule.labels };
      const annotations = Object.fromEntries(
        Object.entries(rule.annotations as Record<string, string>).map(([key, value]) => [key, value.replace(/\{\{\$labels\.(\w+)\}\}/g, (_, name: string) => labels[name]!)]),
      );
      return { exp_labels: labels, exp_annotations: annotations };
    };
    // 1000 requests a minute; 2% of them fail (20x a 0.1% budget) between the burn start and end.
    const counter = (perMinute: (minute: number) => number) => {
      let value = 0;
      const values: number[] = [];
      for (let minute = 0; minute <= lastMinute; minute += 1) {
        values.push(Number(value.toFixed(6)));
        value += perMinute(minute + 1);
      }
      return values.join(' ');
    };
    const burning = (minute: number) => minute > burn.startMin && minute <= burn.endMin;
    const test = {
      rule_files: [ruleFile],
      // Rules every 5m (eval times are multiples of 5m) keep the 3-day replay quick; samples stay 1m apart.
      evaluation_interval: '5m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_request_duration_seconds_count{job="myservice",code="500"}', values: counter((m) => (burning(m) ? 20 : 0)) },
            { series: 'http_request_duration_seconds_count{job="myservice",code="200"}', values: counter((m) => (burning(m) ? 980 : 1000)) },
          ],
          alert_rule_test: evalMinutes.map((t) => ({
            eval_time: `${t}m`,
            alertname: slo.alerting.name,
            exp_alerts: (tamper && t === PREFIX + 35 ? ['page' as const] : schemeSeverities(t, burn)).map(expectedAlert),
          })),
        },
      ],
    };
    await writeFile(join(dir, 'timing.test.yaml'), stringify(test));
    const result = await promtool(['test', 'rules', 'timing.test.yaml'], dir);
    if (tamper) {
      expect(result.ok).toBe(false);
      expect(result.output).toContain(`time: ${formatPromDuration((PREFIX + 35) * MINUTE)},`);
    } else if (!result.ok) {
      throw new Error(result.output);
    }
  });
});

describe('long windows under promtool: both forms give the ratio of counts, not a mean of ratios', () => {
  // 12h of light traffic failing 10% (100/min), then 12h of heavy clean traffic (1000/min). Over 1d the error
  // ratio is 7200 / 792000 = 0.00909; a mean of the 5m ratios would say 0.05.
  test.each([['exact'], ['reuse']] as const)('%s: slo:sli_error:ratio_rate1d at 24h is 0.00909', async (mode) => {
    const { makeSlo } = await import('./rules/fixtures.js');
    const compiled = compile({ slos: [makeSlo()], inlineRules: [] }, { format: 'prometheus', longWindows: mode, emitTests: false });
    await writeCompiledRules(dir, compiled);
    const counter = (perMinute: (minute: number) => number) => {
      let value = 0;
      const values: number[] = [];
      for (let minute = 0; minute <= 1440; minute += 1) {
        values.push(value);
        value += perMinute(minute + 1);
      }
      return values.join(' ');
    };
    const light = (minute: number) => minute <= 720;
    const test = {
      rule_files: [compiled.files[0]!.path],
      evaluation_interval: '5m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_requests_total{job="checkout",code="500"}', values: counter((m) => (light(m) ? 10 : 0)) },
            { series: 'http_requests_total{job="checkout",code="200"}', values: counter((m) => (light(m) ? 90 : 1000)) },
          ],
          promql_expr_test: [
            {
              expr: 'count((slo:sli_error:ratio_rate1d > 0.0088) < 0.0094)',
              eval_time: '24h',
              exp_samples: [{ labels: '{}', value: 1 }],
            },
          ],
        },
      ],
    };
    await writeFile(join(dir, 'long-window.test.yaml'), stringify(test));
    const result = await promtool(['test', 'rules', 'long-window.test.yaml'], dir);
    if (!result.ok) throw new Error(result.output);
  });
});
