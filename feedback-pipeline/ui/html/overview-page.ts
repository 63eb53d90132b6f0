/** The overview page: the filter form, one table row per guarded Deployment, the pages. */
import { html, type Html } from './html.js';
import { guardState, images, prometheusNote, reading, statusBadge, time } from './format.js';
import { page } from './layout.js';
import { deploymentPath, overviewPath, sloPath } from './paths.js';
import { MAX_PER_PAGE } from '../overview.js';
import type { Overview, OverviewRow } from '../view-model.js';

const PER_PAGE_CHOICES = [25, 50, 100].filter((choice) => choice <= MAX_PER_PAGE);

/** One value per SLO; named when several SLOs guard the Deployment. */
function perSlo(entry: OverviewRow, value: (slo: OverviewRow['slos'][number]) => Html): Html {
  const named = entry.slos.length > 1;
  return html`<ul class="plain">${entry.slos.map((slo) => html`<li>${named ? html`<span class="slo-name">${slo.id}:</span> ` : ''}${value(slo)}</li>`)}</ul>`;
}

function row(entry: OverviewRow): Html {
  const rollback = entry.lastRollback;
  return html`<tr class="row-${entry.status}">
<th scope="row"><a href="${deploymentPath(entry)}"><span class="namespace">${entry.namespace}</span>/<span class="name">${entry.name}</span></a></th>
<td>${statusBadge(entry.status)}<div class="reason">${entry.statusReason}</div>${entry.problems.length > 0 ? html`<ul class="problems">${entry.problems.map((problem) => html`<li>${problem}</li>`)}</ul>` : ''}</td>
<td>${images(entry.images)}</td>
<td>${time(entry.deployedAt)}</td>
<td><ul class="plain">${entry.slos.map((slo) => html`<li><a href="${sloPath(slo.id)}">${slo.id}</a></li>`)}${entry.guards.map(
    (guard) => html`<li class="guard">${guard.alert} <span class="severity">${guard.severity}</span> ${guardState(guard.state)}</li>`,
  )}</ul></td>
<td>${perSlo(entry, (slo) => reading(slo.budgetRemaining, 'percent'))}</td>
<td>${perSlo(entry, (slo) => reading(slo.currentBurnRate, 'factor'))}</td>
<td>${rollback ? html`${time(rollback.time)}<div class="reason">${rollback.reason}</div>` : html`<span class="none">none</span>`}</td>
</tr>`;
}

function pagination(overview: Overview): Html {
  const { page: current, perPage } = overview.query;
  const link = (target: number, text: string, rel: string): Html =>
    html`<a href="${overviewPath({ ...overview.query, page: target })}" rel="${rel}">${text}</a>`;
  return html`<nav class="pages" aria-label="Pages">
${current > 1 ? link(current - 1, 'Previous page', 'prev') : ''}
<span>Page ${current} of ${overview.pages} (${perPage} per page)</span>
${current < overview.pages ? link(current + 1, 'Next page', 'next') : ''}
</nav>`;
}

export function overviewPage(overview: Overview): string {
  const { query } = overview;
  const first = overview.matched === 0 ? 0 : (query.page - 1) * query.perPage + 1;
  const last = Math.min(query.page * query.perPage, overview.matched);
  const body = html`<h1>Guarded Deployments</h1>
${prometheusNote(overview.prometheus)}
<form class="filters" method="get" action="/" role="search" aria-label="Filter Deployments">
<label for="filter-namespace">Namespace</label>
<input id="filter-namespace" name="namespace" value="${query.namespace ?? ''}" placeholder="all namespaces" autocomplete="off">
<label for="filter-name">Name contains</label>
<input id="filter-name" name="name" value="${query.name ?? ''}" autocomplete="off">
<label for="filter-per-page">Per page</label>
<select id="filter-per-page" name="per_page">${PER_PAGE_CHOICES.map((choice) => html`<option value="${choice}"${choice === query.perPage ? html` selected` : ''}>${choice}</option>`)}</select>
<button type="submit">Filter</button>
</form>
<p class="summary" id="summary">${overview.matched === 0 ? 'No Deployment matches' : `Deployments ${first}–${last} of ${overview.matched} matching`} (${overview.guarded} guarded in all).</p>
${
  overview.rows.length > 0
    ? html`<table class="deployments" aria-describedby="summary">
<caption>Guarded Deployments, by namespace and name</caption>
<thead><tr><th scope="col">Deployment</th><th scope="col">Status</th><th scope="col">Images</th><th scope="col">Deployed at</th><th scope="col">Guarded by</th><th scope="col">Error budget remaining</th><th scope="col">Burn rate (5m)</th><th scope="col">Last rollback</th></tr></thead>
<tbody>
${overview.rows.map(row)}
</tbody>
</table>
${pagination(overview)}`
    : html`<p>Deployments are guarded by a <code>metricops.io/slo</code> or <code>metricops.io/rule</code> annotation (see docs/design.md).</p>`
}`;
  return page({ title: 'Guarded Deployments', body });
}
