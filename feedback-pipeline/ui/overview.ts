/**
 * The overview: every guarded Deployment, filtered by namespace and name, sorted by namespace then name, one page
 * at a time. Selecting the page reads only names and annotations, so 10,000 Deployments cost a sort; the rows (and
 * the Prometheus queries) are built for the page's Deployments only. Pure.
 */
import type { DeploymentSummary } from '../ports.js';
import { buildRow, isGuarded, type SloReadings } from './deployment-row.js';
import type { Overview, OverviewQuery } from './view-model.js';

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 100;

export interface SelectedPage {
  deployments: DeploymentSummary[];
  guarded: number;
  matched: number;
  pages: number;
  /** The query with its page clamped to the pages there are. */
  query: OverviewQuery;
}

function byNamespaceThenName(a: DeploymentSummary, b: DeploymentSummary): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function selectPage(all: readonly DeploymentSummary[], query: OverviewQuery): SelectedPage {
  const guarded = all.filter(isGuarded);
  const name = query.name?.toLowerCase();
  const matched = guarded.filter(
    (deployment) => (query.namespace === undefined || deployment.namespace === query.namespace) && (name === undefined || deployment.name.toLowerCase().includes(name)),
  );
  const pages = Math.max(1, Math.ceil(matched.length / query.perPage));
  const page = Math.min(Math.max(1, query.page), pages);
  const deployments = matched.sort(byNamespaceThenName).slice((page - 1) * query.perPage, page * query.perPage);
  return { deployments, guarded: guarded.length, matched: matched.length, pages, query: { ...query, page } };
}

export function buildOverview(selected: SelectedPage, readings: SloReadings, now: Date): Overview {
  return {
    generatedAt: now.toISOString(),
    query: selected.query,
    guarded: selected.guarded,
    matched: selected.matched,
    pages: selected.pages,
    rows: selected.deployments.map((deployment) => buildRow(deployment, readings)),
    prometheus: readings.prometheus,
  };
}
