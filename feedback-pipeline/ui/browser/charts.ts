/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The pages' one script (served as /assets/charts.js, an ES module; uPlot is loaded before it as a classic script):
 * draws each `[data-chart]` element from its JSON data block (html/chart.ts) with uPlot, and places the rollout and
 * rollback markers over the plot at their times. Reads the data only as JSON and writes text only with textContent,
 * so nothing in the data can run as script (the Content-Security-Policy allows no inline script either).
 */
import type uPlotType from 'uplot';
import type { ChartData, TimelineMarker } from '../view-model.js';

declare const uPlot: typeof uPlotType;

const COLORS = ['#0550ae', '#bc4c00', '#116329', '#8250df', '#a40e26', '#4d2d00', '#1b7c83', '#57606a'];
const HEIGHT = 320;

function significant(value: number, digits: number): string {
  return value === 0 ? '0' : String(Number(value.toPrecision(digits)));
}

function formatter(unit: string | undefined): (value: number | null) => string {
  if (unit === 'percent') return (value) => (value === null ? '–' : `${significant(value * 100, 3)}%`);
  return (value) => (value === null ? '–' : `${significant(value, 3)}x`);
}

function utc(seconds: number): Date {
  return uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');
}

function placeMarkers(plot: uPlotType, markers: readonly TimelineMarker[]): void {
  for (const old of plot.over.querySelectorAll('.marker')) old.remove();
  markers.forEach((marker, index) => {
    const seconds = Date.parse(marker.time) / 1000;
    const left = plot.valToPos(seconds, 'x');
    const element = document.createElement('div');
    element.className = `marker marker-${marker.kind}`;
    element.dataset.time = marker.time;
    element.dataset.kind = marker.kind;
    element.style.left = `${left}px`;
    element.title = `${marker.kind} at ${marker.time}: ${marker.label}`;
    const label = document.createElement('span');
    label.className = 'marker-label';
    label.textContent = marker.kind;
    // Labels of neighbouring markers alternate between two lines, so close ones stay readable.
    label.style.top = `${2 + (index % 2) * 16}px`;
    element.append(label);
    plot.over.append(element);
  });
  const x = plot.scales.x!;
  const chart = plot.root.parentElement!;
  chart.dataset.xMin = String(x.min);
  chart.dataset.xMax = String(x.max);
  chart.dataset.plotWidth = String(plot.over.clientWidth);
}

function draw(element: HTMLElement): void {
  const source = document.getElementById(element.dataset.chart ?? '');
  if (!source?.textContent) return;
  const data = JSON.parse(source.textContent) as ChartData;
  const format = formatter(element.dataset.unit);
  const clock = uPlot.fmtDate('{YYYY}-{MM}-{DD} {HH}:{mm}');
  const hours = uPlot.fmtDate('{HH}:{mm}');
  const span = data.end - data.start;
  const options: uPlotType.Options = {
    width: Math.max(element.clientWidth, 320),
    height: HEIGHT,
    tzDate: utc,
    scales: { x: { time: true, range: [data.start, data.end] } },
    series: [
      { label: 'time (UTC)', value: (_plot: uPlotType, seconds: number | null) => (seconds === null ? '–' : clock(utc(seconds))) },
      ...data.series.map((series, index) => ({
        label: series.label,
        stroke: COLORS[index % COLORS.length]!,
        width: series.kind === 'threshold' ? 1 : 2,
        ...(series.kind === 'threshold' ? { dash: [6, 4], spanGaps: true } : {}),
        // A series with only a sample or two draws no line: show its points.
        ...(series.values.filter((value) => value !== null).length < 3 ? { points: { show: true, size: 7 } } : {}),
        value: (_plot: uPlotType, value: number | null) => format(value),
      })),
    ],
    axes: [{ values: (_plot: uPlotType, splits: number[]) => splits.map((seconds) => (span > 2 * 86_400 ? clock(utc(seconds)).slice(5, 10) : hours(utc(seconds)))) }, { size: 70, values: (_plot: uPlotType, values: number[]) => values.map((value) => format(value)) }],
    hooks: { draw: [(plot: uPlotType) => placeMarkers(plot, data.markers)] },
  };
  const plot = new uPlot(options, [data.times, ...data.series.map((series) => series.values)] as uPlotType.AlignedData, element);
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => plot.setSize({ width: Math.max(element.clientWidth, 320), height: HEIGHT }));
  });
}

for (const element of document.querySelectorAll<HTMLElement>('[data-chart]')) draw(element);
