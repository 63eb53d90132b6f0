/** One Deployment's page: status, the error-ratio timeline with rollouts and rollbacks, SLOs, revisions, decisions. */
import { namespacedName } from '../../../common/contract/deployment-ref.js';
import type { DecisionRecord } from '../../model.js';
import type { DeploymentDetail, RevisionView, TimelineMarker } from '../view-model.js';
import { chart, rangeForm } from './chart.js';
import { guardState, images, imagesText, prometheusNote, reading, statusBadge, time } from './format.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { sloPath } from './paths.js';

function marker(entry: TimelineMarker): Html {
  return html`<li class="event event-${entry.kind}"><span class="marker-key" aria-hidden="true"></span>${time(entry.time)} <strong>${entry.kind}</strong>: ${entry.label}</li>`;
}

function revision(entry: RevisionView): Html {
  const state = entry.bad
    ? html`<span class="status status-bad"><span aria-hidden="true">✗</span> bad</span><div class="reason">${entry.bad.reason}${entry.bad.time ? html` (${time(entry.bad.time)})` : ''}</div>`
    : entry.current
      ? html`<span class="status status-current"><span aria-hidden="true">●</span> current</span>`
      : html`<span class="none">earlier</span>`;
  return html`<tr><th scope="row">${entry.revision}</th><td><code>${entry.replicaSet}</code></td><td>${images(entry.images)}</td><td>${time(entry.deployedAt)}</td><td>${state}</td></tr>`;
}

function record(entry: DecisionRecord): Html {
  const change = entry.from || entry.to ? `${entry.from ? `revision ${entry.from.revision ?? '?'} (${imagesText(entry.from.images)})` : '?'} → ${entry.to ? `revision ${entry.to.revision} (${imagesText(entry.to.images)})` : '?'}` : '';
  return html`<tr><td>${time(entry.time)}</td><td>${entry.outcome}${entry.skip ? html` <span class="severity">${entry.skip}</span>` : ''}</td><td>${entry.alert.name}</td><td>${entry.reason}${entry.error ? html`<div class="problems">${entry.error}</div>` : ''}</td><td>${change}</td><td>${entry.gitCommit ? html`<code>${entry.gitCommit.slice(0, 12)}</code>` : ''}</td></tr>`;
}

export function deploymentPage(detail: DeploymentDetail): string {
  const { row } = detail;
  const name = namespacedName(row);
  const self = `/deployments/${encodeURIComponent(row.namespace)}/${encodeURIComponent(row.name)}`;
  const body = html`<h1>Deployment <span class="namespace">${row.namespace}</span>/<span class="name">${row.name}</span></h1>
${prometheusNote(detail.prometheus)}
<dl class="facts">
<dt>Status</dt><dd>${statusBadge(row.status)} <span class="reason">${row.statusReason}</span></dd>
<dt>Images</dt><dd>${images(row.images)}</dd>
<dt>Deployed at</dt><dd>${time(row.deployedAt)}</dd>
<dt>Guarding alerts</dt><dd>${row.guards.length > 0 ? html`<ul class="plain">${row.guards.map((guard) => html`<li>${guard.alert} <span class="severity">${guard.severity}</span>${guard.slo ? html` (SLO <a href="${sloPath(guard.slo)}">${guard.slo}</a>)` : ''} ${guardState(guard.state)}</li>`)}</ul>` : html`<span class="none">none stamped</span>`}</dd>
<dt>Last rollback</dt><dd>${row.lastRollback ? html`${time(row.lastRollback.time)}: ${row.lastRollback.reason}` : html`<span class="none">none</span>`}</dd>
</dl>
${row.problems.length > 0 ? html`<h2>Annotation problems</h2><ul class="problems">${row.problems.map((problem) => html`<li>${problem}</li>`)}</ul>` : ''}
<h2>Error ratio, rollouts and rollbacks</h2>
${rangeForm(self, detail.range.choice)}
${chart({
  id: 'timeline',
  title: `Error ratio (5m) of the SLOs guarding ${name}, with rollout and rollback markers`,
  description: `Line chart of the error ratio of ${row.slos.map((slo) => slo.id).join(', ') || 'no SLO'} over time; vertical markers at each rollout and rollback listed below.`,
  data: detail.chart,
  unit: 'percent',
  missing: detail.prometheus.state === 'off' ? 'No chart: no Prometheus configured.' : row.slos.length === 0 ? 'No chart: no SLO guards this Deployment.' : 'No error ratio samples in this range.',
})}
<h3>Rollouts and rollbacks</h3>
${detail.markers.length > 0 ? html`<ol class="events">${detail.markers.map(marker)}</ol>` : html`<p class="none">No stamped rollout and no rollback known.</p>`}
<h2>SLOs</h2>
${row.slos.length > 0 ? html`<table><caption>SLOs guarding ${name}</caption><thead><tr><th scope="col">SLO</th><th scope="col">Error budget remaining</th><th scope="col">Burn rate (5m)</th></tr></thead><tbody>${row.slos.map((slo) => html`<tr><th scope="row"><a href="${sloPath(slo.id)}">${slo.id}</a></th><td>${reading(slo.budgetRemaining, 'percent')}</td><td>${reading(slo.currentBurnRate, 'factor')}</td></tr>`)}</tbody></table>` : html`<p class="none">No SLO guards this Deployment (an inline rule may).</p>`}
<h2>Revisions</h2>
${detail.revisions.length > 0 ? html`<table><caption>Revisions of ${name}, newest first (one ReplicaSet each)</caption><thead><tr><th scope="col">Revision</th><th scope="col">ReplicaSet</th><th scope="col">Images</th><th scope="col">Deployed at</th><th scope="col">State</th></tr></thead><tbody>${detail.revisions.map(revision)}</tbody></table>` : html`<p class="none">No ReplicaSet in the cache.</p>`}
<h2>Decisions</h2>
${detail.records.length > 0 ? html`<table><caption>Decisions about ${name} from the audit log, newest first</caption><thead><tr><th scope="col">Time</th><th scope="col">Outcome</th><th scope="col">Alert</th><th scope="col">Reason</th><th scope="col">Revisions</th><th scope="col">GitOps commit</th></tr></thead><tbody>${detail.records.map(record)}</tbody></table>` : html`<p class="none">No decision recorded.</p>`}`;
  return page({ title: `Deployment ${name}`, body, charts: detail.chart !== undefined });
}
