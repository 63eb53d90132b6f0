/** `metricops status`: the flags checked, the Deployments listed once, the overview built, printed as a table or JSON. */
import type { Clock } from '../../common/clock.js';
import { InvalidInputError, MetricopsError, UsageError } from '../../common/errors.js';
import { loadKubeConfig } from '../../common/kube-config.js';
import { ListedDeployments } from '../../feedback-pipeline/kubernetes/deployment-list.js';
import { statusJson } from '../../feedback-pipeline/ui/overview-json.js';
import { parseOverviewQuery } from '../../feedback-pipeline/ui/page-query.js';
import { PrometheusClient } from '../../feedback-pipeline/ui/prometheus-client.js';
import { statusTable } from '../../feedback-pipeline/ui/status-table.js';
import { UiReader } from '../../feedback-pipeline/ui/ui-reader.js';
import { prometheusSettings } from './http-url.js';
import type { StatusFlags } from './status.js';

const OUTPUTS = ['table', 'json'] as const;

export async function runStatus(flags: StatusFlags, clock: Clock): Promise<string> {
  if (!(OUTPUTS as readonly string[]).includes(flags.output)) throw new UsageError(`--output "${flags.output}": use ${OUTPUTS.join(' or ')}`);
  const prometheus = prometheusSettings(flags);
  let filter;
  try {
    filter = parseOverviewQuery({ ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}), ...(flags.name !== undefined ? { name: flags.name } : {}) }, 'flags');
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.issues.map((issue) => `--${issue.path}: ${issue.message}`).join('; '));
    throw error;
  }
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig({ ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context !== undefined ? { context: flags.context } : {}) });
  } catch (error) {
    throw new MetricopsError(`cannot load the Kubernetes configuration: ${(error as Error).message}; pass --kubeconfig <file> (and --context)`, { cause: error });
  }
  const deployments = await ListedDeployments.list(kubeConfig, filter.namespace);
  const reader = new UiReader({ deployments, ...(prometheus ? { prometheus: new PrometheusClient(prometheus.url, prometheus.timeoutMs) } : {}), clock });
  const overview = await reader.wholeOverview({ ...(filter.namespace ? { namespace: filter.namespace } : {}), ...(filter.name ? { name: filter.name } : {}) });
  return flags.output === 'json' ? `${JSON.stringify(statusJson(overview), null, 2)}\n` : statusTable(overview);
}
