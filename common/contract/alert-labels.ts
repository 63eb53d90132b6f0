/**
 * The labels every alert the compiler generates carries (docs/design.md, "Alert labels"): the feedback pipeline joins
 * a firing alert to a Deployment by them, and the webhook indexes the compiled rules by them.
 */
export const AlertLabels = {
  /** metadata.name of the SLO that generated the alert. */
  slo: 'slo',
  /** page | ticket. */
  severity: 'slo_severity',
  /** Namespace and name of the Deployment the alert guards (present when the SLO has a target). */
  namespace: 'namespace',
  deployment: 'deployment',
  /** Sloth specs' alerts also carry Sloth's own severity label (page | ticket). */
  slothSeverity: 'sloth_severity',
  /**
   * The cluster an alert is about, when rules of many clusters alert one Alertmanager: `metricops compile|sync
   * --cluster-label NAME` sets it, `metricops feedback --cluster NAME` acts only on alerts that carry it.
   */
  cluster: 'cluster',
} as const;

export type SloSeverity = 'page' | 'ticket';
export const SLO_SEVERITIES: readonly SloSeverity[] = ['page', 'ticket'];
