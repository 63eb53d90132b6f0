/**
 * The real Prometheus rule engine is the judge, in both versions users run (promtool 2.42 from Debian and
 * promtool 3, whose range selectors are left-open): promtool checks every compiled example and runs the emitted
 * unit tests in both output formats and both long-window modes; a timing test replays a burn through the rules of
 * the Sloth example; and the `counts` mode's promises are checked on series built for them: a period SLI equal to
 * errors/events where Sloth's is far off, and what the windows say in the first hours after the rules are deployed.
 */
import { jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { compile } from '../../../slo-compiler/compile.js';
import { writeCompiledRules } from '../../../slo-compiler/output/write.js';
import { loadSpecs } from '../../../slo-compiler/inputs/load.js';
import { burnRateWindows } from '../../../slo-compiler/rules/burn-rate.js';
import { formatPromDuration } from '../../../slo-compiler/rules/prom-duration.js';
import { errorRatioExpr } from '../../../slo-compiler/rules/sli-expression.js';
import type { LongWindowMode } from '../../../slo-compiler/rules/sli-rules.js';
import { PROMTOOLS, runPromtool, type Promtool } from './promtools.js';
import { indicators, makeSlo } from './rules/fixtures.js';

const EXAMPLES = 'examples/slos';
const MODES: LongWindowMode[] = ['counts', 'sloth'];

jest.setTimeout(180_000);

/**
 * The tests run concurrently (test.concurrent: each promtool run is a process of its own, and CI time matters),
 * each in a folder of its own.
 */
const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'metricops-promtool-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes a promtool test file next to the rules and runs it; throws promtool's output when it fails. */
async function passes(promtool: Promtool, test: object, dir: string): Promise<void> {
  await writeFile(join(dir, 'check.test.yaml'), stringify(test));
  const result = await runPromtool(promtool, ['test', 'rules', 'check.test.yaml'], dir);
  if (!result.ok) throw new Error(`${promtool.name}:\n${result.output}`);
}

/** promtool's series notation for a counter growing by `perMinute(minute)` in each minute 1..minutes. */
function counter(minutes: number, perMinute: (minute: number) => number): string {
  let value = 0;
  const values: number[] = [];
  for (let minute = 0; minute <= minutes; minute += 1) {
    values.push(Number(value.toFixed(6)));
    value += perMinute(minute + 1);
  }
  return values.join(' ');
}

describe.each(PROMTOOLS)('compiled examples under $name', (promtool) => {
  // PrometheusRule objects get the same emitted tests on a plain copy of the same rules (compile.test.ts checks the
  // copy and the objects), so promtool runs the plain files only.
  test.concurrent.each([
    ['prometheus rule files, counts (the default)', 'prometheus', 'counts', {}],
    ['prometheus rule files, Sloth\'s expressions', 'prometheus', 'sloth', {}],
    ['--layout input (tests read the per-input files), counts, --min-events 100 (thin-traffic and no-traffic tests too)', 'prometheus', 'counts', { minEvents: 100, layout: 'input' }],
  ] as const)('%s: rules check clean and every emitted test passes', async (_description, format: 'prometheus' | 'operator', longWindows, extra: { minEvents?: number; layout?: 'input' }) => {
    const dir = await freshDir();
    const input = await loadSpecs([EXAMPLES], extra.minEvents ? { minEvents: extra.minEvents } : {});
    const compiled = compile(input, { format, longWindows, emitTests: true, ...(extra.layout ? { layout: extra.layout } : {}) });
    expect(compiled.skippedTests).toEqual([]);
    await writeCompiledRules(dir, compiled);
    const ruleDir = format === 'operator' ? join(dir, 'tests') : dir;
    const ruleFiles = (await readdir(ruleDir)).filter((name) => (extra.layout ? /\.ya?ml$/.test(name) : name.endsWith('.rules.yaml')));
    expect(ruleFiles.length).toBeGreaterThanOrEqual(input.slos.length);
    const check = await runPromtool(promtool, ['check', 'rules', ...ruleFiles], ruleDir);
    expect(check).toMatchObject({ ok: true });
    const tests = (await readdir(join(dir, 'tests'))).filter((name) => name.endsWith('.test.yaml'));
    expect(tests).toHaveLength(input.slos.length);
    const result = await runPromtool(promtool, ['test', 'rules', ...tests], join(dir, 'tests'));
    if (!result.ok) throw new Error(result.output);
  });

  test.concurrent.each([
    ['with the burn threshold doubled the 20x test no longer holds', 'a 20x error-budget burn pages', (rules: string) => rules.replaceAll('(14.4 * 0.001)', '(28.8 * 0.001)').replaceAll('(6 * 0.001)', '(28.8 * 0.001)')],
    [
      'with the 30m window summed from the 5m rates (2 minutes late) the page no longer follows the raw windows',
      'slo_severity=\\"page\\"}) or vector(0))',
      (rules: string) =>
        rules.replace(
          /expr: \|\n {6}\(sum\(rate\(http_requests_total\{job="checkout",code=~"5\.\."\}\[30m\]\)\)\)\n.*\n.*\n/,
          'expr: sum_over_time(slo:sli_error_events:rate5m[30m]) / sum_over_time(slo:sli_events:rate5m[30m])\n',
        ),
    ],
  ])('an emitted test can fail: %s', async (_description, failingTest, tamper) => {
    const dir = await freshDir();
    const input = await loadSpecs([join(EXAMPLES, 'checkout.yaml')]);
    const compiled = compile(input, { format: 'prometheus', longWindows: 'counts', emitTests: true });
    await writeCompiledRules(dir, compiled);
    const rulePath = join(dir, 'checkout-availability.rules.yaml');
    const original = await readFile(rulePath, 'utf8');
    const tampered = tamper(original);
    expect(tampered).not.toBe(original);
    await writeFile(rulePath, tampered);
    const result = await runPromtool(promtool, ['test', 'rules', 'checkout-availability.test.yaml'], join(dir, 'tests'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain(failingTest);
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

describe('burn-rate timing on the Sloth example (promtool replays the series)', () => {
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

  const cases = PROMTOOLS.flatMap((promtool) =>
    MODES.map((mode) => [
      `${promtool.name}, ${mode}: the compiled alerts fire exactly at the expected eval times, and a wrong expectation (page already 35m into the burn) fails`,
      promtool,
      mode,
    ] as const),
  );
  test.concurrent.each(cases)('%s', async (_description, promtool, mode) => {
    const dir = await freshDir();
    const input = await loadSpecs([join(EXAMPLES, 'sloth-myservice.yaml')]);
    const slo = input.slos[0]!;
    const compiled = compile(input, { format: 'prometheus', longWindows: mode, emitTests: false });
    await writeCompiledRules(dir, compiled);
    const ruleFile = compiled.files[0]!.path;
    const groups = (parse(compiled.files[0]!.content) as { groups: Array<{ name: string; rules: Array<Record<string, any>> }> }).groups;
    const alertRules = groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
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
    const burning = (minute: number) => minute > burn.startMin && minute <= burn.endMin;
    const replay = (name: string, tamper: boolean) => ({
      name,
      interval: '1m',
      input_series: [
        { series: 'http_request_duration_seconds_count{job="myservice",code="500"}', values: counter(lastMinute, (m) => (burning(m) ? 20 : 0)) },
        { series: 'http_request_duration_seconds_count{job="myservice",code="200"}', values: counter(lastMinute, (m) => (burning(m) ? 980 : 1000)) },
      ],
      alert_rule_test: evalMinutes.map((t) => ({
        eval_time: `${t}m`,
        alertname: slo.alerting.name,
        exp_alerts: (tamper && t === PREFIX + 35 ? ['page' as const] : schemeSeverities(t, burn)).map(expectedAlert),
      })),
    });
    // Both in one promtool run: the exact expectations must hold and the tampered ones must fail, at minute 35 only.
    const test = {
      rule_files: [ruleFile],
      // Rules every 5m (eval times are multiples of 5m) keep the 3-day replay quick; samples stay 1m apart.
      evaluation_interval: '5m',
      group_eval_order: groups.map((group) => group.name),
      tests: [replay('exact', false), replay('tampered', true)],
    };
    await writeFile(join(dir, 'timing.test.yaml'), stringify(test));
    const result = await runPromtool(promtool, ['test', 'rules', 'timing.test.yaml'], dir);
    expect(result.ok).toBe(false);
    expect(result.output).not.toContain('name: exact,');
    expect(result.output).toContain('name: tampered,');
    expect(result.output.match(/time: [0-9hmd]+,/g)).toEqual([`time: ${formatPromDuration((PREFIX + 35) * MINUTE)},`]);
  });
});

const checkoutSeries = (minutes: number, errors: (minute: number) => number, total: (minute: number) => number) => [
  { series: 'http_requests_total{job="checkout",code="500"}', values: counter(minutes, errors) },
  { series: 'http_requests_total{job="checkout",code="200"}', values: counter(minutes, (m) => total(m) - errors(m)) },
];
const SLI = (window: string) => `slo:sli_error:ratio_rate${window}{sloth_id="checkout-availability"}`;
/** A check that passes when the recorded SLI is within `tolerance` of `value` (relative), and fails otherwise. */
const within = (expr: string, value: number, tolerance: number, evalTime: string) => ({
  expr: `count(abs(${expr} / ${value} - 1) < ${tolerance})`,
  eval_time: evalTime,
  exp_samples: [{ labels: '{}', value: 1 }],
});
const beyond = (expr: string, value: number, tolerance: number, evalTime: string) => ({
  expr: `count(abs(${expr} / ${value} - 1) > ${tolerance})`,
  eval_time: evalTime,
  exp_samples: [{ labels: '{}', value: 1 }],
});

async function compiledCheckout(dir: string, mode: LongWindowMode, window = '30d'): Promise<{ ruleFile: string; groups: string[] }> {
  const compiled = compile({ slos: [makeSlo({ window })], inlineRules: [] }, { format: 'prometheus', longWindows: mode, emitTests: false });
  await writeCompiledRules(dir, compiled);
  const groups = (parse(compiled.files[0]!.content) as { groups: Array<{ name: string }> }).groups.map((group) => group.name);
  return { ruleFile: compiled.files[0]!.path, groups };
}

describe.each(PROMTOOLS)('long windows under $name: ratios of counts, not means of ratios', (promtool) => {
  // 12h of light traffic failing 10% (100/min), then 12h of heavy clean traffic (1000/min). Over 1d the error
  // ratio is 7200 / 792000 = 0.00909; a mean of the 5m ratios would say 0.05.
  test.concurrent.each(MODES)('%s: slo:sli_error:ratio_rate1d at 24h is 0.00909', async (mode) => {
    const dir = await freshDir();
    const { ruleFile, groups } = await compiledCheckout(dir, mode);
    const light = (minute: number) => minute <= 720;
    await passes(promtool, {
      rule_files: [ruleFile],
      evaluation_interval: '5m',
      group_eval_order: groups,
      tests: [
        {
          interval: '1m',
          input_series: checkoutSeries(1440, (m) => (light(m) ? 10 : 0), (m) => (light(m) ? 100 : 1000)),
          promql_expr_test: [within(SLI('1d'), 7200 / 792_000, 0.02, '24h')],
        },
      ],
    }, dir);
  });

  /**
   * Two days of traffic swinging 10x over the day (100/min at night to 1000/min at the afternoon peak) with the
   * error ratio highest at night (up to 2%, 0.05% at the peak), constant within each hour. promtool runs every group
   * at every evaluation step (it ignores a group's interval), so the test evaluates every hour, as Prometheus runs
   * the hourly group. Each hourly evaluation averages the 5m rates recorded in the hour that ended a second earlier:
   * here the one recorded at the end of the previous hour, which is that hour's rate. So at hour 48 the period covers
   * the 47 hours whose rates were recorded by the hour before: errors/events over those hours is the truth.
   */
  const HOURS = 48;
  const traffic = (hour: number) => {
    const day = (1 - Math.cos((2 * Math.PI * (hour % 24)) / 24)) / 2; // 0 at midnight, 1 at noon
    const total = Math.round(100 + 900 * day);
    return { total, errors: Math.round(total * (0.0005 + 0.0195 * (1 - day))) };
  };
  const hourOf = (minute: number) => Math.ceil(minute / 60) - 1;
  const truthOver = (hours: number) => {
    let errors = 0;
    let total = 0;
    for (let hour = 0; hour < hours; hour += 1) {
      errors += 60 * traffic(hour).errors;
      total += 60 * traffic(hour).total;
    }
    return errors / total;
  };
  const truth = truthOver(HOURS - 1);
  const series = () => checkoutSeries(HOURS * 60, (m) => traffic(hourOf(m)).errors, (m) => traffic(hourOf(m)).total);

  test('the test traffic varies 10x and its errors/events differ from the mean of hourly ratios by more than 10%', () => {
    const totals = Array.from({ length: 24 }, (_, hour) => traffic(hour).total);
    expect(Math.max(...totals) / Math.min(...totals)).toBeGreaterThanOrEqual(9.9);
    const meanOfRatios = Array.from({ length: HOURS }, (_, hour) => traffic(hour).errors / traffic(hour).total).reduce((a, b) => a + b) / HOURS;
    expect(Math.abs(meanOfRatios / truthOver(HOURS) - 1)).toBeGreaterThan(0.1);
  });

  test.concurrent('counts: the 30d SLI after two such days is errors/events (over the hours the hourly group has read) to 1e-9', async () => {
    const dir = await freshDir();
    const { ruleFile, groups } = await compiledCheckout(dir, 'counts');
    await passes(promtool, {
      rule_files: [ruleFile],
      evaluation_interval: '1h',
      group_eval_order: groups,
      tests: [{ interval: '1m', input_series: series(), promql_expr_test: [within(SLI('30d'), truth, 1e-9, `${HOURS}h`)] }],
    }, dir);
  });

  test.concurrent('sloth: Sloth\'s 30d SLI (mean of the 5m ratios, every 5 minutes) is more than 10% off on the same series', async () => {
    const dir = await freshDir();
    const { ruleFile, groups } = await compiledCheckout(dir, 'sloth');
    await passes(promtool, {
      rule_files: [ruleFile],
      evaluation_interval: '5m',
      group_eval_order: groups,
      tests: [{ interval: '1m', input_series: series(), promql_expr_test: [beyond(SLI('30d'), truthOver(HOURS), 0.1, `${HOURS}h`)] }],
    }, dir);
  });
});

/**
 * Rules deployed at hour 24 on a service with a day of history: Prometheus starts evaluating them then, so the
 * recorded series start then. The test gates every rule with `and on() (vector(time()) >= deploy)`, which is
 * exactly "not evaluated before the deploy". Until hour 23 the service failed 1% of 1000 requests a minute; from
 * then on 0.05%.
 */
describe.each(PROMTOOLS)('the first day after deploying counts rules, under $name', (promtool) => {
  const DEPLOY_MIN = 24 * 60;
  const CHANGE_MIN = DEPLOY_MIN - 60;
  const END_MIN = DEPLOY_MIN + 26 * 60;
  const errorsPerMinute = (minute: number) => (minute <= CHANGE_MIN ? 10 : 0.5);
  const AFTER = 0.0005;

  /** The rules gated from the deploy on; the hourly group's from `hourlyFromMin` on (promtool runs it every step). */
  async function gatedRules(dir: string, hourlyFromMin = DEPLOY_MIN): Promise<{ ruleFile: string; groups: string[] }> {
    const { ruleFile, groups } = await compiledCheckout(dir, 'counts');
    const path = join(dir, ruleFile);
    const rules = parse(await readFile(path, 'utf8')) as { groups: Array<{ name: string; rules: Array<{ expr: string }> }> };
    for (const group of rules.groups) {
      const from = group.name.startsWith('metricops-slo-sli-hourly-') ? hourlyFromMin : DEPLOY_MIN;
      for (const rule of group.rules) rule.expr = `(${rule.expr.trim()})\nand on() (vector(time()) >= ${from * 60})`;
    }
    await writeFile(path, stringify(rules));
    return { ruleFile, groups };
  }

  test.concurrent('before: nothing; 6h after: 1d, 3d and the period cover the time since the deploy (0.05%) while the raw 1d still sees the 1% day; a day later the 1d window is the raw one', async () => {
    const dir = await freshDir();
    const { ruleFile, groups } = await gatedRules(dir);
    const raw1d = errorRatioExpr(indicators.ratio!, '1d').replace(/\n/g, ' ');
    const rawAt6h = (18 * 60 * 10 - 60 * 10 + 7 * 60 * 0.5) / (24 * 60 * 1000); // 17h at 1%, 7h at 0.05%
    const sixHoursAfter = `${DEPLOY_MIN / 60 + 6}h`;
    const dayAfter = `${END_MIN / 60}h`;
    await passes(promtool, {
      rule_files: [ruleFile],
      evaluation_interval: '1m',
      group_eval_order: groups,
      tests: [
        {
          interval: '1m',
          input_series: checkoutSeries(END_MIN, errorsPerMinute, () => 1000),
          promql_expr_test: [
            { expr: `absent(${SLI('5m')})`, eval_time: `${DEPLOY_MIN - 10}m`, exp_samples: [{ labels: '{sloth_id="checkout-availability"}', value: 1 }] },
            within(SLI('5m'), AFTER, 1e-9, sixHoursAfter),
            within(SLI('1d'), AFTER, 1e-9, sixHoursAfter),
            within(SLI('3d'), AFTER, 1e-9, sixHoursAfter),
            within(SLI('30d'), AFTER, 1e-9, sixHoursAfter),
            within(`(${raw1d})`, rawAt6h, 0.01, sixHoursAfter),
            within(SLI('1d'), AFTER, 1e-9, dayAfter),
            within(`(${raw1d})`, AFTER, 1e-9, dayAfter),
          ],
        },
      ],
    }, dir);
  });

  test.concurrent('the first hour, before the hourly group first runs: the period SLI is the ratio of the 5m rates recorded since the deploy, then the hourly sums take over', async () => {
    const dir = await freshDir();
    const { ruleFile, groups } = await gatedRules(dir, DEPLOY_MIN + 60);
    const halfHourAfter = `${DEPLOY_MIN + 30}m`;
    await passes(promtool, {
      rule_files: [ruleFile],
      evaluation_interval: '1m',
      group_eval_order: groups,
      tests: [
        {
          interval: '1m',
          input_series: checkoutSeries(DEPLOY_MIN + 120, errorsPerMinute, () => 1000),
          promql_expr_test: [
            { expr: 'absent(slo:sli_events_hourly:rate1h)', eval_time: halfHourAfter, exp_samples: [{ labels: '{}', value: 1 }] },
            within(SLI('30d'), AFTER, 1e-9, halfHourAfter),
            { expr: 'count(slo:sli_events_hourly:rate1h)', eval_time: `${DEPLOY_MIN + 90}m`, exp_samples: [{ labels: '{}', value: 1 }] },
            within(SLI('30d'), AFTER, 1e-9, `${DEPLOY_MIN + 90}m`),
          ],
        },
      ],
    }, dir);
  });
});

/** Runs one promtool command on both promtools at once; their outputs, or the first failure thrown. */
async function onBoth(args: string[], cwd: string): Promise<void> {
  const results = await Promise.all(PROMTOOLS.map(async (promtool) => ({ promtool, result: await runPromtool(promtool, args, cwd) })));
  for (const { promtool, result } of results) if (!result.ok) throw new Error(`${promtool.name}:\n${result.output}`);
}

describe("Sloth's examples and plugin cases compile into rules promtool 2.42 and 3 load", () => {
  const SLOTH = 'test/unit/slo-compiler/fixtures/sloth-v0.16';
  const PLUGINS = 'test/unit/slo-compiler/fixtures/sloth-plugins';
  // Left out: the MetricsQL (VictoriaMetrics) example, which no promtool parses (nor Sloth's own output of it), and
  // the three metricops refuses (sloth-examples.test.ts).
  const skipped = new Set(['victoria-metrics.yml', 'plugin-getting-started.yml', 'plugin-k8s-getting-started.yml', 'contrib-slo-plugins.yml']);
  const specs = [
    ...readdirSync(SLOTH).filter((name) => /\.ya?ml$/.test(name) && !skipped.has(name)).map((name) => join(SLOTH, name)),
    ...readdirSync(PLUGINS).filter((name) => /\.ya?ml$/.test(name) && !name.startsWith('windows-')).map((name) => join(PLUGINS, name)),
  ];

  test.concurrent.each(MODES)('%s: every file checks clean (one promtool run per promtool for all of them)', async (mode) => {
    const dir = await freshDir();
    // One compile per spec file: several examples are one SLO in two formats (the same `slo` name).
    const written: string[] = [];
    for (const [index, spec] of specs.entries()) {
      const compiled = compile(await loadSpecs([spec]), { format: 'prometheus', longWindows: mode, emitTests: false });
      for (const file of compiled.files) {
        const path = `${index}-${file.path}`;
        await writeFile(join(dir, path), file.content);
        written.push(path);
      }
    }
    expect(written.length).toBeGreaterThanOrEqual(specs.length);
    await onBoth(['check', 'rules', ...written], dir);
  });
});

/**
 * Thin traffic (docs/design.md, "Thin traffic"), in numbers: the checkout SLO (99.9%, 30d) on 10 requests an hour
 * failing 10% (100x its budget). Without a minimum the page fires at 2h. With minEvents 100 nothing fires at 2h or
 * 8h (the 6h window holds 60 events, the 1d window 80); at 13h the 1d window holds 130 and the ticket fires, while
 * the page (its longest window 6h: 60 events) never does. The same burn on 1000 requests a minute pages (the emitted
 * tests). Traffic that stops after two hours of 1000 a minute pages MetricopsNoTraffic 10 minutes later, whether the
 * counters stay (flat) or disappear (a crashed rollout's pods).
 */
describe('thin traffic under promtool 2.42 and 3', () => {
  const thin = (minutes: number) => checkoutSeries(minutes, () => 1 / 60, () => 1 / 6);
  const alertsAt = (slo: ReturnType<typeof makeSlo>, evalTime: string, severities: Array<'page' | 'ticket'>) => ({
    eval_time: evalTime,
    alertname: slo.alerting.name,
    exp_alerts: severities.map((severity) => ({
      exp_labels: { ...slo.labels, sloth_id: slo.slothId, sloth_service: slo.service, sloth_slo: slo.slothSlo, slo: slo.name, slo_severity: severity, namespace: 'shop', deployment: 'checkout' },
      exp_annotations: {
        title: `(${severity}) ${slo.service} ${slo.slothSlo} SLO error budget burn rate is too fast.`,
        summary: `${slo.service} ${slo.slothSlo} SLO error budget burn rate is over expected.`,
      },
    })),
  });

  async function thinTest(slo: ReturnType<typeof makeSlo>, alertTests: object[], series: object[], minutes: number): Promise<void> {
    const dir = await freshDir();
    const compiled = compile({ slos: [slo], inlineRules: [] }, { format: 'prometheus', longWindows: 'counts', emitTests: false });
    await writeCompiledRules(dir, compiled);
    const groups = (parse(compiled.files[0]!.content) as { groups: Array<{ name: string }> }).groups.map((group) => group.name);
    void minutes;
    await writeFile(join(dir, 'thin.test.yaml'), stringify({ rule_files: [compiled.files[0]!.path], evaluation_interval: '1m', group_eval_order: groups, tests: [{ interval: '1m', input_series: series, alert_rule_test: alertTests }] }));
    await onBoth(['test', 'rules', 'thin.test.yaml'], dir);
  }

  test.concurrent('without minEvents, 10 requests an hour failing 10% page at 2h', async () => {
    const slo = makeSlo();
    await thinTest(slo, [alertsAt(slo, '2h', ['page', 'ticket'])], thin(130), 130);
  });

  test.concurrent('with minEvents 100: nothing at 2h or 8h, the ticket at 13h (1d window: 130 events), never the page', async () => {
    const slo = makeSlo();
    slo.alerting.minEvents = 100;
    await thinTest(slo, [alertsAt(slo, '2h', []), alertsAt(slo, '8h', []), alertsAt(slo, '13h', ['ticket'])], thin(790), 790);
  });

  test.concurrent.each([
    ['the counters stay, flat', (minute: number) => (minute <= 120 ? 1000 : 0), false],
    ['the series disappear', (minute: number) => (minute <= 120 ? 1000 : 0), true],
  ] as const)('traffic that stops after 2h (%s) pages MetricopsNoTraffic at 2h10m, not before; the burn alerts stay quiet', async (_description, perMinute, vanish) => {
    const slo = makeSlo();
    slo.alerting.minEvents = 100;
    const series = checkoutSeries(160, () => 0, perMinute).map((input) => ({
      ...input,
      values: vanish ? input.values.split(' ').map((value, minute) => (minute > 120 ? '_' : value)).join(' ') : input.values,
    }));
    const noTraffic = (evalTime: string, firing: boolean) => ({
      eval_time: evalTime,
      alertname: 'MetricopsNoTraffic',
      exp_alerts: firing
        ? [{
          exp_labels: { ...slo.labels, sloth_id: slo.slothId, sloth_service: slo.service, sloth_slo: slo.slothSlo, slo: slo.name, slo_severity: 'page', namespace: 'shop', deployment: 'checkout' },
          exp_annotations: {
            title: `(page) ${slo.service} ${slo.slothSlo} SLO has no traffic.`,
            summary: `${slo.service} ${slo.slothSlo} SLO received no events for 10m after at least 120 in the hour before.`,
          },
        }]
        : [],
    });
    await thinTest(slo, [noTraffic('2h', false), noTraffic('2h8m', false), noTraffic('2h12m', true), noTraffic('2h40m', true), alertsAt(slo, '2h12m', [])], series, 160);
  });
});
