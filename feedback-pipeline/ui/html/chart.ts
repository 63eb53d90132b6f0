/**
 * A chart as the page carries it: a figure with a caption, the data in a JSON block that the chart script
 * (browser/charts.ts, with uPlot) draws, and the same facts as text for readers without the picture.
 */
import { html, jsonScript, type Html } from './html.js';
import { RANGE_CHOICES } from '../chart-data.js';
import type { ChartData } from '../view-model.js';

export type ChartUnit = 'percent' | 'factor';

export function chart(options: { id: string; title: string; description: string; data: ChartData | undefined; unit: ChartUnit; missing: string }): Html {
  const { id, data } = options;
  const hasSamples = data?.series.some((series) => series.kind !== 'threshold' && series.values.some((value) => value !== null)) ?? false;
  if (!data || !hasSamples) {
    return html`<figure class="chart-figure" aria-labelledby="${id}-caption"><figcaption id="${id}-caption">${options.title}</figcaption><p class="none">${options.missing}</p></figure>`;
  }
  return html`<figure class="chart-figure" aria-labelledby="${id}-caption">
<figcaption id="${id}-caption">${options.title}</figcaption>
<div class="chart" id="${id}" data-chart="${id}-data" data-unit="${options.unit}" role="img" aria-label="${options.description}"></div>
${jsonScript(`${id}-data`, data)}
</figure>`;
}

/** The chart's range control: a labelled select and a button (a plain GET form, no script needed). */
export function rangeForm(action: string, current: string): Html {
  return html`<form class="range" method="get" action="${action}">
<label for="range">Time range</label>
<select id="range" name="range">${RANGE_CHOICES.map((choice) => html`<option value="${choice}"${choice === current ? html` selected` : ''}>${choice === 'auto' ? 'automatic' : `last ${choice}`}</option>`)}</select>
<button type="submit">Show</button>
</form>`;
}
