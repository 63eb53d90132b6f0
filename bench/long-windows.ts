/**
 * `npm run bench -- long-windows`: what the sloth and the counts long-window forms cost a real Prometheus.
 * Backfills three days of raw counters (and the 5m event rates that `--long-windows counts` records) into a TSDB
 * with promtool, starts Prometheus on it (127.0.0.1), and evaluates the slo:sli_error:ratio_rate3d expression of
 * both modes through the HTTP API with stats=all: samples touched and evaluation time.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { compile } from '../slo-compiler/compile.js';
import type { Slo } from '../slo-compiler/model.js';
import type { BenchPart } from './run.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 20);
const SCRAPE_SECONDS = 30;
const RECORD_SECONDS = 60;
const HISTORY_SECONDS = 3 * 86_400 + 3_600;
const REPEATS = 15;

const slo: Slo = {
  name: 'bench-availability',
  slothId: 'bench-availability',
  service: 'bench',
  slothSlo: 'bench-availability',
  description: '',
  objective: 99.9,
  window: '30d',
  labels: {},
  indicator: { kind: 'ratio', errors: 'http_requests_total{job="bench",code="500"}', total: 'http_requests_total{job="bench"}' },
  alerting: {
    name: 'BenchSLO',
    labels: {},
    annotations: {},
    page: { disabled: false, labels: {}, annotations: {} },
    ticket: { disabled: false, labels: {}, annotations: {} },
  },
  format: 'metricops',
  location: { source: 'bench' },
};

/** The slo:sli_error:ratio_rate3d expression the compiler emits in the given mode. */
function threeDayExpr(mode: 'sloth' | 'counts'): string {
  const { files } = compile({ slos: [slo], inlineRules: [] }, { format: 'prometheus', longWindows: mode, emitTests: false });
  const content = files[0]!.content;
  const start = content.indexOf('record: slo:sli_error:ratio_rate3d');
  const block = content.slice(start).split('\n  - record:')[0]!;
  const lines = block.split('\n');
  const exprAt = lines.findIndex((line) => line.trim().startsWith('expr:'));
  const first = lines[exprAt]!.trim().slice('expr:'.length).trim();
  if (first !== '|') return first;
  const body: string[] = [];
  for (const line of lines.slice(exprAt + 1)) {
    if (!line.startsWith('      ')) break;
    body.push(line.slice(6));
  }
  return body.join('\n');
}

async function writeOpenMetrics(path: string, endSeconds: number): Promise<number> {
  const out = createWriteStream(path);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : once(out, 'drain').then(() => undefined));
  const start = endSeconds - HISTORY_SECONDS;
  let samples = 0;
  await write('# TYPE http_requests_total gauge\n');
  for (let instance = 0; instance < INSTANCES; instance += 1) {
    for (const [code, perScrape] of [['200', 299.7], ['500', 0.3]] as const) {
      let value = 0;
      let chunk = '';
      for (let t = start; t <= endSeconds; t += SCRAPE_SECONDS) {
        chunk += `http_requests_total{job="bench",instance="i${instance}",code="${code}"} ${value.toFixed(1)} ${t}\n`;
        value += perScrape;
        samples += 1;
      }
      await write(chunk);
    }
  }
  const ids = 'sloth_id="bench-availability",sloth_service="bench",sloth_slo="bench-availability",sloth_window="5m"';
  for (const [name, value] of [['slo:sli_error_events:rate5m', (0.3 / SCRAPE_SECONDS) * INSTANCES], ['slo:sli_events:rate5m', (300 / SCRAPE_SECONDS) * INSTANCES]] as const) {
    await write(`# TYPE ${name.replaceAll(':', '_')} gauge\n`);
    let chunk = '';
    for (let t = start; t <= endSeconds; t += RECORD_SECONDS) {
      chunk += `${name}{${ids}} ${value} ${t}\n`;
      samples += 1;
    }
    await write(chunk);
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}


interface QueryStats {
  evalSeconds: number;
  samples: number;
  value: string;
}

async function query(base: string, expr: string, time: number): Promise<QueryStats> {
  const url = `${base}/api/v1/query?stats=all&time=${time}&query=${encodeURIComponent(expr)}`;
  const body = (await (await fetch(url)).json()) as any;
  if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
  return {
    evalSeconds: body.data.stats.timings.evalTotalTime,
    samples: body.data.stats.samples.totalQueryableSamples,
    value: body.data.result[0]?.value?.[1] ?? 'none',
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const part: BenchPart = {
  name: 'long-windows',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-bench-lw-'));
    const end = Math.floor(Date.now() / 1000 / 60) * 60 - 120;
    const samples = await writeOpenMetrics(join(dir, 'data.om'), end);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'tsdb')], { maxBuffer: 64 * 2 ** 20 });
    await rm(join(dir, 'data.om'));
    await writeFile(join(dir, 'prometheus.yml'), 'global: {}\n');
    const port = await freePort();
    const prometheus = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      '--storage.tsdb.retention.time=30d',
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let attempt = 0; ; attempt += 1) {
        const ready = await fetch(`${base}/-/ready`).then((response) => response.ok, () => false);
        if (ready) break;
        if (attempt > 120) throw new Error('Prometheus did not become ready');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const rows: string[] = [];
      const results: Record<string, QueryStats[]> = {};
      for (const mode of ['sloth', 'counts'] as const) {
        const expr = threeDayExpr(mode);
        results[mode] = [];
        for (let index = 0; index < REPEATS; index += 1) results[mode].push(await query(base, expr, end));
        const stats = results[mode];
        rows.push(`| ${mode} | ${stats[0]!.samples} | ${(median(stats.map((s) => s.evalSeconds)) * 1000).toFixed(2)} | ${Number(stats[0]!.value).toPrecision(6)} |`);
      }
      const sloth = results.sloth!;
      const counts = results.counts!;
      return [
        `Three days of history: ${INSTANCES} instances x 2 status codes scraped every ${SCRAPE_SECONDS}s (${samples} samples backfilled with promtool),`,
        `queried on Prometheus 2.42 at the end of the data; median of ${REPEATS} instant queries of slo:sli_error:ratio_rate3d.`,
        '',
        '| long windows | samples read | eval ms (median) | error ratio |',
        '|---|---|---|---|',
        ...rows,
        '',
        `counts reads ${(sloth[0]!.samples / counts[0]!.samples).toFixed(1)}x fewer samples and evaluates ${(median(sloth.map((s) => s.evalSeconds)) / median(counts.map((s) => s.evalSeconds))).toFixed(1)}x faster; both give the same error ratio.`,
      ].join('\n');
    } finally {
      prometheus.kill('SIGTERM');
      await once(prometheus, 'exit').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default part;

if (process.argv[1]?.endsWith('long-windows.js') && process.argv.includes('--standalone')) {
  process.stdout.write(`${await part.run()}\n`);
}
