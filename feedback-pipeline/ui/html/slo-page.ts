/** One SLO's page: its numbers, the budget burndown, each alert's windows against their thresholds. */
import type { SloAlertView, SloDetail, WindowCondition } from '../view-model.js';
import { chart, rangeForm } from './chart.js';
import { guardState, number, prometheusNote, reading } from './format.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { deploymentPath, sloPath } from './paths.js';

function over(condition: WindowCondition): Html {
  if (condition.over === null) return html`<span class="none">no data</span>`;
  return condition.over ? html`<span class="over"><span aria-hidden="true">▲</span> over</span>` : html`<span class="under">under</span>`;
}

function alertTable(alert: SloAlertView, index: number): Html {
  const rows = alert.groups.flatMap((group, groupIndex) =>
    group.map(
      (condition) => html`<tr><td>${groupIndex + 1}</td><th scope="row">${condition.window}</th><td>${number(condition.burnRate, 'factor')}</td><td>${number(condition.thresholdBurnRate, 'factor')}</td><td>${number(condition.errorRatio?.value ?? null, 'percent')}</td><td>${number(condition.thresholdErrorRatio, 'percent')}</td><td>${over(condition)}</td></tr>`,
    ),
  );
  return html`<table class="windows" id="alert-${index}">
<caption>${alert.alert} (${alert.severity}) ${guardState(alert.state)}: fires when every window of one condition is over its threshold</caption>
<thead><tr><th scope="col">Condition</th><th scope="col">Window</th><th scope="col">Burn rate now</th><th scope="col">Threshold</th><th scope="col">Error ratio now</th><th scope="col">Error ratio threshold</th><th scope="col">Over?</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function sloPage(detail: SloDetail): string {
  const self = sloPath(detail.id);
  const labels = Object.entries(detail.labels);
  const body = html`<h1>SLO <span class="name">${detail.id}</span></h1>
${prometheusNote(detail.prometheus)}
${detail.prometheus.state === 'ok' && !detail.found ? html`<p class="note note-failed" role="status">Prometheus has no series with <code>sloth_id="${detail.id}"</code>: are its compiled rules loaded?</p>` : ''}
<dl class="facts">
<dt>Service</dt><dd>${detail.service ?? html`<span class="none">unknown</span>`}</dd>
<dt>Objective</dt><dd>${reading(detail.objective, 'percent')}</dd>
<dt>Error budget</dt><dd>${reading(detail.errorBudget, 'percent')}</dd>
<dt>Period</dt><dd>${detail.period ?? html`<span class="none">unknown</span>`}</dd>
<dt>Error budget remaining</dt><dd id="budget-remaining">${reading(detail.budgetRemaining, 'percent')}</dd>
<dt>Burn rate (5m)</dt><dd>${reading(detail.currentBurnRate, 'factor')}</dd>
<dt>Burn rate over the period</dt><dd>${reading(detail.periodBurnRate, 'factor')}</dd>
<dt>Labels</dt><dd>${labels.length > 0 ? html`<ul class="plain">${labels.map(([name, value]) => html`<li><code>${name}=${value}</code></li>`)}</ul>` : html`<span class="none">none</span>`}</dd>
<dt>Guards</dt><dd>${detail.deployments.length > 0 ? html`<ul class="plain">${detail.deployments.map((ref) => html`<li><a href="${deploymentPath(ref)}">${ref.namespace}/${ref.name}</a></li>`)}</ul>` : html`<span class="none">no Deployment in the cache</span>`}</dd>
</dl>
<h2>Error budget remaining</h2>
${rangeForm(self, detail.range.choice)}
${chart({
  id: 'burndown',
  title: `Error budget remaining of ${detail.id} (${detail.period ? `the ${detail.period} period` : 'its period'})`,
  description: `Line chart of the share of the error budget of ${detail.id} that remains, over time.`,
  data: detail.burndown,
  unit: 'percent',
  missing: detail.prometheus.state === 'off' ? 'No chart: no Prometheus configured.' : 'No samples in this range.',
})}
<h2>Burn rate of each alert window</h2>
${detail.alerts.length > 0 ? detail.alerts.map(alertTable) : html`<p class="none">${detail.prometheus.state === 'off' ? 'No Prometheus configured: the alert rules are read from Prometheus.' : 'No alerting rule with this slo label is loaded in Prometheus.'}</p>`}
${chart({
  id: 'burnrates',
  title: `Burn rate of ${detail.id} per alert window, with the alert thresholds`,
  description: `Line chart of the burn rate of each alert window of ${detail.id} over time, and a horizontal line at each alert threshold.`,
  data: detail.burnRates,
  unit: 'factor',
  missing: detail.prometheus.state === 'off' ? 'No chart: no Prometheus configured.' : 'No samples in this range.',
})}`;
  return page({ title: `SLO ${detail.id}`, body, charts: detail.burndown !== undefined || detail.burnRates !== undefined });
}
