/**
 * `npm run bench -- rule-cost`: what the SLO rules cost a real Prometheus, and how true their 30d SLI is.
 * 100 SLOs from the compiler bench generator (bench/compiler/sloth-specs.ts: 90 events SLIs, 10 raw), 30 days of
 * their raw series backfilled with promtool (bench/rule-cost/traffic.ts: daily swing, weekends, incidents), plus the
 * history of the recorded series the rules read over long ranges. One Debian Prometheus (2.42) on that TSDB scrapes
 * the same series live from 127.0.0.1 and loads the rule sets one after another (Sloth v0.16's own output, then
 * metricops in each --long-windows mode), each for a warm-up and a measured window.
 * Reported per rule set: rule group evaluation time per cycle (prometheus_rule_group_last_duration_seconds; the
 * hourly groups amortized from the query API's evaluation time), Prometheus CPU per cycle above a no-rules baseline
 * (process_cpu_seconds_total), samples read per cycle (the query API's stats for every rule), and the 30d SLI
 * against the truth (errors / events over the same 30 days, exact from the traffic model).
 * Env: BENCH_SLOS (100), BENCH_DAYS (30), BENCH_INTERVAL (scrape and evaluation, 30 s), BENCH_CYCLES (6 measured
 * cycles per rule set), BENCH_WARMUP_S (90), BENCH_SCRAPE_WARMUP_S (330).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeSlothSpecs } from './compiler/sloth-specs.js';
import { backfill, seriesText, type RecordedHistory } from './rule-cost/backfill.js';
import { startExporter } from './rule-cost/exporter.js';
import { BenchPrometheus } from './rule-cost/prometheus.js';
import { promRate, type Scrapes } from './rule-cost/prometheus-rate.js';
import { metricopsRuleSet, recordedLabels, slothRuleSet, type RuleSet } from './rule-cost/rule-sets.js';
import { Traffic } from './rule-cost/traffic.js';
import type { BenchPart } from './run.js';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SLOS = Number(process.env.BENCH_SLOS ?? 100);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 30);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 6);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 90);
/** Scraping before the baseline: every 5m window then has live data again after the backfilled history ends. */
const SCRAPE_WARMUP_S = Number(process.env.BENCH_SCRAPE_WARMUP_S ?? 330);
const HOUR = 3600;
const DAY = 86_400;

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** The recorded series whose history the rules read over long ranges, with the values Prometheus would have recorded. */
function histories(traffic: Traffic, sets: RuleSet[], scrapes: Scrapes, from: number, end: number): RecordedHistory[] {
  const found = new Map<string, RecordedHistory>();
  const add = (labels: Record<string, string> | undefined, record: string, history: Omit<RecordedHistory, 'text'>) => {
    if (!labels) return;
    const text = seriesText(record, labels);
    if (!found.has(text)) found.set(text, { text, ...history });
  };
  const fast = { step: INTERVAL, phase: INTERVAL / 2, to: end };
  traffic.routes.forEach((route, index) => {
    const errors = (seconds: number) => traffic.counts(index, seconds).errors;
    const total = (seconds: number) => traffic.counts(index, seconds).total;
    const rate = (counter: (seconds: number) => number, range: number) => (t: number) => promRate(counter, scrapes, t, range);
    const ratio = (range: number) => (t: number) => {
      const e = promRate(errors, scrapes, t, range);
      const n = promRate(total, scrapes, t, range);
      return e === null || n === null || n <= 0 ? null : e / n;
    };
    // The hourly group averages the 5m rates (raw SLIs: the 5m ratio) the fast group recorded in the hour ending
    // a second before it runs.
    const hourMean = (value: (t: number) => number | null) => (t: number) => {
      const values: number[] = [];
      for (let s = Math.ceil((t - HOUR - 1 - fast.phase) / INTERVAL) * INTERVAL + fast.phase; s <= t - 1; s += INTERVAL) {
        const v = value(s);
        if (v !== null) values.push(v);
      }
      return values.length === 0 ? null : mean(values);
    };
    for (const set of sets) {
      // Sloth's period SLI averages the 5m ratios over 30 days.
      add(recordedLabels(set, route.slothId, 'slo:sli_error:ratio_rate5m'), 'slo:sli_error:ratio_rate5m', { ...fast, from: from + 300, value: ratio(300) });
      // counts: 1d and 3d sum the recorded 5m rates; the period sums their hourly means.
      add(recordedLabels(set, route.slothId, 'slo:sli_error_events:rate5m'), 'slo:sli_error_events:rate5m', { ...fast, from: end - 3 * DAY - HOUR, value: rate(errors, 300) });
      add(recordedLabels(set, route.slothId, 'slo:sli_events:rate5m'), 'slo:sli_events:rate5m', { ...fast, from: end - 3 * DAY - HOUR, value: rate(total, 300) });
      const hourly = { step: HOUR, phase: 17 * 60 + 11, from: from + 2 * HOUR, to: end };
      add(recordedLabels(set, route.slothId, 'slo:sli_error_events_hourly:rate1h'), 'slo:sli_error_events_hourly:rate1h', { ...hourly, value: hourMean(rate(errors, 300)) });
      add(recordedLabels(set, route.slothId, 'slo:sli_events_hourly:rate1h'), 'slo:sli_events_hourly:rate1h', { ...hourly, value: hourMean(rate(total, 300)) });
      add(recordedLabels(set, route.slothId, 'slo:sli_error_hourly:ratio_rate1h'), 'slo:sli_error_hourly:ratio_rate1h', { ...hourly, value: hourMean(ratio(300)) });
    }
  });
  return [...found.values()];
}

interface Measured {
  set: RuleSet;
  groupEvalSeconds: number;
  hourlyEvalSeconds: number;
  cpuSeconds: number;
  samples: number;
  hourlySamples: number;
  eventErrors: number[];
  rawErrors: number[];
  missing: number;
  rules: number;
}

async function cpuSeconds(prometheus: BenchPrometheus): Promise<number> {
  return (await prometheus.metrics(['process_cpu_seconds_total']))[0]!.value;
}

/** CPU seconds per cycle over CYCLES cycles, and per poll the summed last duration of every group evaluated each cycle. */
async function window(prometheus: BenchPrometheus): Promise<{ cpuPerCycle: number; groupSeconds: number[] }> {
  const start = await cpuSeconds(prometheus);
  const startedAt = performance.now();
  const groupSeconds: number[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    await sleep(INTERVAL);
    const found = await prometheus.metrics(['prometheus_rule_group_last_duration_seconds', 'prometheus_rule_group_interval_seconds']);
    const intervals = new Map(found.filter((m) => m.name === 'prometheus_rule_group_interval_seconds').map((m) => [m.labels, m.value]));
    const fastGroups = found.filter((m) => m.name === 'prometheus_rule_group_last_duration_seconds' && intervals.get(m.labels) === INTERVAL);
    groupSeconds.push(fastGroups.reduce((sum, m) => sum + m.value, 0));
  }
  const cycles = (performance.now() - startedAt) / 1000 / INTERVAL;
  return { cpuPerCycle: ((await cpuSeconds(prometheus)) - start) / cycles, groupSeconds };
}

async function measure(prometheus: BenchPrometheus, set: RuleSet, traffic: Traffic, baselineCpu: number, end: number): Promise<Measured> {
  await prometheus.loadRules(set.files);
  await sleep(WARMUP_S);
  const { cpuPerCycle, groupSeconds } = await window(prometheus);
  // Samples and evaluation time of every rule, through the query API at one instant.
  const at = Math.floor(Date.now() / 1000);
  let samples = 0;
  let hourlySamples = 0;
  let hourlyEvalSeconds = 0;
  for (const rule of set.rules) {
    const stats = await prometheus.query(rule.expr, at);
    if (rule.interval === INTERVAL) samples += stats.samples;
    else {
      hourlySamples += (stats.samples * INTERVAL) / rule.interval;
      hourlyEvalSeconds += (stats.evalSeconds * INTERVAL) / rule.interval;
    }
  }
  // The 30d SLI of every SLO as its rule computes it at the end of the backfilled history (where every input has
  // its full history, as in a Prometheus that has run the rules for 30 days), against errors / events over those 30 days.
  const eventErrors: number[] = [];
  const rawErrors: number[] = [];
  let missing = 0;
  for (const rule of set.rules.filter((candidate) => candidate.record === `slo:sli_error:ratio_rate${DAYS}d`)) {
    const index = traffic.routes.findIndex((route) => route.slothId === rule.labels.sloth_id);
    const value = (await prometheus.query(rule.expr, end)).result[0]?.value[1];
    if (value === undefined) {
      missing += 1;
      continue;
    }
    const error = Math.abs(Number(value) / traffic.errorRatio(index, end - DAYS * DAY, end) - 1);
    (traffic.routes[index]!.raw ? rawErrors : eventErrors).push(error);
  }
  return {
    set,
    groupEvalSeconds: mean(groupSeconds) + hourlyEvalSeconds,
    hourlyEvalSeconds,
    cpuSeconds: cpuPerCycle - baselineCpu,
    samples: samples + hourlySamples,
    hourlySamples,
    eventErrors,
    rawErrors,
    missing,
    rules: set.rules.length,
  };
}

const percent = (value: number) => `${(value * 100).toFixed(value < 0.001 ? 4 : 2)}%`;

const part: BenchPart = {
  name: 'rule-cost',
  async run() {
    const began = performance.now();
    const { stdout: slothPath } = await run('bash', [join(repoRoot, 'bench', 'build-sloth.sh')], { maxBuffer: 64 * 2 ** 20 });
    const sloth = slothPath.trim().split('\n').pop()!;
    const slothVersion = (await run(sloth, ['version'])).stdout.trim();
    const work = await mkdtemp(join(tmpdir(), 'metricops-bench-rule-cost-'));
    let prometheus: BenchPrometheus | undefined;
    let exporter: Awaited<ReturnType<typeof startExporter>> | undefined;
    try {
      const specs = join(work, 'specs');
      await writeSlothSpecs(specs, SLOS);
      const sets = [
        await slothRuleSet(sloth, slothVersion, specs, join(work, 'rules-sloth'), INTERVAL),
        await metricopsRuleSet('sloth', specs, join(work, 'rules-metricops-sloth'), INTERVAL),
        await metricopsRuleSet('counts', specs, join(work, 'rules-metricops-counts'), INTERVAL),
      ];
      const end = Math.floor(Date.now() / 1000 / INTERVAL) * INTERVAL - INTERVAL;
      const from = end - DAYS * DAY - 3 * HOUR;
      const traffic = new Traffic(SLOS, Math.floor(from / 60) - 70, Math.floor(end / 60) + 12 * 60);
      const scrapes: Scrapes = { interval: INTERVAL, phase: 0 };
      const backfillStart = performance.now();
      const recorded = histories(traffic, sets, scrapes, from, end);
      const samples = await backfill(join(work, 'tsdb'), work, traffic, scrapes, from, end, recorded);
      const backfillSeconds = (performance.now() - backfillStart) / 1000;

      exporter = await startExporter(traffic);
      prometheus = await BenchPrometheus.start(work, join(work, 'tsdb'), exporter.port, INTERVAL);
      // Scrape for a while first, so every 5m window has live data again after the backfill; then the baseline.
      await sleep(Math.max(0, SCRAPE_WARMUP_S - CYCLES * INTERVAL));
      const baseline = await window(prometheus);
      const results: Measured[] = [];
      for (const set of sets) results.push(await measure(prometheus, set, traffic, baseline.cpuPerCycle, end));
      const sloth0 = results[0]!;
      const row = (m: Measured) => {
        const events = m.eventErrors;
        return (
          `| ${m.set.name} | ${m.rules} | ${m.groupEvalSeconds.toFixed(3)} | ${(m.groupEvalSeconds / sloth0.groupEvalSeconds).toFixed(2)} | ` +
          `${m.cpuSeconds.toFixed(3)} | ${(m.cpuSeconds / sloth0.cpuSeconds).toFixed(2)} | ${(m.samples / 1e6).toFixed(2)} M | ` +
          `${percent(mean(events))} / ${percent(Math.max(...events))} | ${events.filter((error) => error <= 0.001).length}/${events.length} | ` +
          `${percent(mean(m.rawErrors))} / ${percent(Math.max(...m.rawErrors))} |`
        );
      };
      const counts = results.find((m) => m.set.name.endsWith('counts'))!;
      const minutes = (performance.now() - began) / 60_000;
      return [
        `${SLOS} SLOs (bench/compiler/sloth-specs.ts: ${traffic.routes.filter((r) => !r.raw).length} events SLIs, ${traffic.routes.filter((r) => r.raw).length} raw), ` +
          `${traffic.series.length} raw series scraped every ${INTERVAL}s, ${DAYS} days backfilled (${(samples / 1e6).toFixed(1)} M samples incl. recorded history, ` +
          `${backfillSeconds.toFixed(0)} s with promtool); traffic swings 0.15x-1.85x over the day, 0.6x at weekends, error ratios 0.02-0.2% ` +
          'with 2-4 incidents per SLO at 2-20% (bench/rule-cost/traffic.ts).',
        `One Debian Prometheus (${(await run('prometheus', ['--version'])).stdout.split('\n')[0]}), evaluation interval ${INTERVAL}s, scraping the ` +
          `same series live; rule sets loaded one after another: ${WARMUP_S} s warm-up, then ${CYCLES} measured cycles. ${cpus().length} cores shared with other work.`,
        `30d SLI: each rule set's period expression evaluated at the end of the backfilled history, against errors / events over those 30 days (exact, from the traffic model). Whole run: ${minutes.toFixed(0)} minutes.`,
        '',
        '| rule set | rules | group eval s / cycle | vs Sloth | CPU s / cycle (above no-rules) | vs Sloth | samples / cycle | 30d SLI error, mean / max (events SLIs) | events SLIs within 0.1% | raw SLIs, mean / max |',
        '|---|---|---|---|---|---|---|---|---|---|',
        ...results.map(row),
        '',
        `No-rules baseline (scraping ${traffic.series.length} series): ${baseline.cpuPerCycle.toFixed(3)} CPU s per cycle. ` +
          `The hourly group of \`counts\` is counted at 1/${HOUR / INTERVAL} of its cost per cycle: ${counts.hourlyEvalSeconds.toFixed(4)} s and ` +
          `${(counts.hourlySamples / 1e3).toFixed(1)} k samples. SLOs without a 30d SLI at the end: ${results.map((m) => `${m.set.name} ${m.missing}`).join(', ')}.`,
        '',
        `Goal: \`counts\` (the default) at <= 0.5x Sloth's evaluation time and CPU, 30d SLI within 0.1% of the truth: ` +
          `eval ${(counts.groupEvalSeconds / sloth0.groupEvalSeconds).toFixed(2)}x, CPU ${(counts.cpuSeconds / sloth0.cpuSeconds).toFixed(2)}x, ` +
          `${counts.eventErrors.filter((error) => error <= 0.001).length}/${counts.eventErrors.length} events SLIs within 0.1% — ` +
          `${counts.groupEvalSeconds <= 0.5 * sloth0.groupEvalSeconds && counts.cpuSeconds <= 0.5 * sloth0.cpuSeconds && counts.eventErrors.every((error) => error <= 0.001) ? 'met' : 'NOT met'}.`,
        'Raw SLIs have no counts: their 30d SLI is a time average of the ratio (Sloth: of 5m ratios; counts: of hourly ratios), so the truth is not theirs to meet.',
      ].join('\n');
    } finally {
      await prometheus?.stop();
      await exporter?.close();
      await rm(work, { recursive: true, force: true });
    }
  },
};

export default part;
