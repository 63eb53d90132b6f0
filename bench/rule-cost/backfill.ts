/**
 * Backfills the benchmark's TSDB with `promtool tsdb create-blocks-from openmetrics`: the raw series scraped every
 * `scrapes.interval` seconds, plus the history of the recorded series the rules read over long ranges (computed the
 * way Prometheus computes them, bench/rule-cost/prometheus-rate.ts). One OpenMetrics file per UTC day, each turned
 * into one 1-day block (promtool re-reads its whole input once per block, so one file per block keeps it linear),
 * two promtools at a time.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Scrapes } from './prometheus-rate.js';
import type { Traffic } from './traffic.js';

const run = promisify(execFile);
const DAY = 86_400;

/** A recorded series to backfill: its samples every `step` seconds (at `phase`) within [from, to]. */
export interface RecordedHistory {
  text: string;
  from: number;
  to: number;
  step: number;
  phase: number;
  value: (seconds: number) => number | null;
}

export function seriesText(name: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(',');
  return `${name}{${body}}`;
}

async function writeDay(path: string, day: number, traffic: Traffic, scrapes: Scrapes, from: number, to: number, recorded: RecordedHistory[]): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 4 * 2 ** 20 });
  const write = (text: string) => (out.write(text) ? Promise.resolve() : once(out, 'drain').then(() => undefined));
  const start = Math.max(day, from);
  const end = Math.min(day + DAY - 1, to);
  let samples = 0;
  for (const series of traffic.series) {
    let chunk = '';
    for (let t = Math.ceil((start - scrapes.phase) / scrapes.interval) * scrapes.interval + scrapes.phase; t <= end; t += scrapes.interval) {
      chunk += `${series.text} ${traffic.value(series, t).toFixed(3)} ${t}\n`;
      samples += 1;
    }
    await write(chunk);
  }
  for (const history of recorded) {
    let chunk = '';
    const first = Math.max(start, history.from);
    const last = Math.min(end, history.to);
    for (let t = Math.ceil((first - history.phase) / history.step) * history.step + history.phase; t <= last; t += history.step) {
      const value = history.value(t);
      if (value === null || !Number.isFinite(value)) continue;
      chunk += `${history.text} ${value} ${t}\n`;
      samples += 1;
    }
    if (chunk !== '') await write(chunk);
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}

/** Writes and converts every day in [from, to]; returns the number of samples backfilled. */
export async function backfill(tsdb: string, work: string, traffic: Traffic, scrapes: Scrapes, from: number, to: number, recorded: RecordedHistory[]): Promise<number> {
  const days: number[] = [];
  for (let day = Math.floor(from / DAY) * DAY; day <= to; day += DAY) days.push(day);
  let samples = 0;
  const convert = async (day: number) => {
    const file = join(work, `day-${day}.om`);
    samples += await writeDay(file, day, traffic, scrapes, from, to, recorded);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=24h', file, tsdb], { maxBuffer: 64 * 2 ** 20 });
    await rm(file);
  };
  // Writing a day (this process) overlaps with converting the previous one (promtool): two at a time.
  let pending: Promise<void> | undefined;
  for (const day of days) {
    const current = convert(day);
    if (pending) await pending;
    pending = current;
  }
  await pending;
  return samples;
}
