/** The UI's URLs, built in one place (every part percent-encoded). Pure. */
import type { DeploymentRef } from '../../../common/contract/deployment-ref.js';
import type { OverviewQuery } from '../view-model.js';
import { DEFAULT_PER_PAGE } from '../overview.js';

export function deploymentPath(ref: DeploymentRef, range?: string): string {
  const path = `/deployments/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`;
  return range && range !== 'auto' ? `${path}?range=${encodeURIComponent(range)}` : path;
}

export function sloPath(id: string, range?: string): string {
  const path = `/slos/${encodeURIComponent(id)}`;
  return range && range !== 'auto' ? `${path}?range=${encodeURIComponent(range)}` : path;
}

export function overviewPath(query: OverviewQuery): string {
  const params = new URLSearchParams();
  if (query.namespace !== undefined) params.set('namespace', query.namespace);
  if (query.name !== undefined) params.set('name', query.name);
  if (query.perPage !== DEFAULT_PER_PAGE) params.set('per_page', String(query.perPage));
  if (query.page > 1) params.set('page', String(query.page));
  const text = params.toString();
  return text ? `/?${text}` : '/';
}
