/** How the pages write times, numbers, statuses and images. Pure. */
import { html, type Html } from './html.js';
import type { DeploymentStatus, GuardState, PrometheusStatus, Reading } from '../view-model.js';

/** `2026-11-30 13:25:44 UTC` in a <time> element carrying the RFC 3339 value. */
export function time(iso: string | undefined): Html {
  if (!iso) return html`<span class="none">none</span>`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`<span>${iso}</span>`;
  return html`<time datetime="${date.toISOString()}">${date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')}</time>`;
}

function significant(value: number, digits: number): string {
  if (value === 0) return '0';
  return String(Number(value.toPrecision(digits)));
}

/** A ratio as a percentage: 0.99841 -> 99.84%; 0.00123 -> 0.123%. */
export function percentText(value: number): string {
  const percent = value * 100;
  return Math.abs(percent) >= 1 ? `${percent.toFixed(2)}%` : `${significant(percent, 3)}%`;
}

/** A burn rate (multiple of the error budget): 2.345 -> 2.35x. */
export function factorText(value: number): string {
  return `${significant(value, 3)}x`;
}

/** A sample shown as text, with Prometheus' own value in the <data> element (the page says exactly what Prometheus said). */
export function reading(value: Reading | undefined, as: 'percent' | 'factor'): Html {
  if (!value) return html`<span class="none">no data</span>`;
  const text = value.value === null ? value.text : as === 'percent' ? percentText(value.value) : factorText(value.value);
  return html`<data value="${value.text}">${text}</data>`;
}

export function number(value: number | null, as: 'percent' | 'factor'): Html {
  if (value === null) return html`<span class="none">no data</span>`;
  return html`<data value="${String(value)}">${as === 'percent' ? percentText(value) : factorText(value)}</data>`;
}

const STATUS_TEXT: Record<DeploymentStatus, { text: string; symbol: string }> = {
  healthy: { text: 'healthy', symbol: '✓' },
  burning: { text: 'burning', symbol: '▲' },
  'rolled-back': { text: 'rolled back', symbol: '↺' },
  paused: { text: 'paused', symbol: '❚❚' },
  unknown: { text: 'unknown', symbol: '?' },
};

export function statusText(status: DeploymentStatus): string {
  return STATUS_TEXT[status].text;
}

/** The status in words and a symbol, coloured: the colour is never the only signal. */
export function statusBadge(status: DeploymentStatus): Html {
  const { text, symbol } = STATUS_TEXT[status];
  return html`<span class="status status-${status}"><span aria-hidden="true">${symbol}</span> ${text}</span>`;
}

export function guardState(state: GuardState): Html {
  return html`<span class="alert-state alert-${state}">${state}</span>`;
}

export function images(map: Readonly<Record<string, string>>): Html {
  const entries = Object.entries(map);
  if (entries.length === 0) return html`<span class="none">not stamped</span>`;
  return html`<ul class="plain">${entries.map(([container, image]) => html`<li><span class="container">${container}</span> <code>${image}</code></li>`)}</ul>`;
}

export function imagesText(map: Readonly<Record<string, string>>): string {
  return Object.entries(map)
    .map(([container, image]) => `${container}=${image}`)
    .join(', ');
}

/** Where the SLO numbers come from, or why there are none: one sentence for the top of every page. */
export function prometheusNote(status: PrometheusStatus): Html {
  if (status.state === 'off') {
    return html`<p class="note note-off" role="status">No Prometheus configured: error budgets, burn rates and alert states are not shown. Start <code>metricops feedback</code> with <code>--prometheus-url</code> to see them.</p>`;
  }
  if (status.state === 'failed') {
    return html`<p class="note note-failed" role="status"><strong>Prometheus did not answer</strong> (${status.problem}): ${status.message}. SLO numbers that are missing below could not be read; everything else comes from the cluster and the audit log.</p>`;
  }
  return html`<p class="note" role="status">SLO numbers from Prometheus at <code>${status.url}</code>, evaluated at ${time(status.at)}.</p>`;
}
