/**
 * The contract between the three components: annotation keys and alert labels.
 * docs/design.md explains each one; change both together.
 */
export const ANNOTATION_PREFIX = 'metricops.io/';

export const Annotations = {
  /** Stamped by the webhook: JSON object, container name -> image reference. */
  images: 'metricops.io/images',
  /** Stamped by the webhook: RFC 3339 UTC time of the rollout of this pod template. */
  deployedAt: 'metricops.io/deployed-at',
  /** Stamped by the webhook: JSON list of the alerts that guard this revision. */
  rules: 'metricops.io/rules',
  /** Set by the user: comma-separated SLO names (metadata.name) that guard this Deployment. */
  slo: 'metricops.io/slo',
  /** Set by the user: an inline PromQL alert expression guarding this Deployment. */
  rule: 'metricops.io/rule',
  /** Set by the user: `for:` of the inline rule (default 1m). */
  ruleFor: 'metricops.io/rule-for',
  /** Set by the user: enabled | dry-run | disabled (default enabled). */
  rollback: 'metricops.io/rollback',
  /** Set by the user: how long after a rollout an alert may still roll it back (default 30m). */
  watchWindow: 'metricops.io/watch-window',
  /** Set by the user: path of this Deployment's manifest in the GitOps repository, for write-back. */
  gitPath: 'metricops.io/git-path',
  /** Written by the feedback pipeline on the Deployment after a rollback. */
  rolledBackFrom: 'metricops.io/rolled-back-from',
  /** Written by the feedback pipeline on a ReplicaSet whose revision was rolled back. */
  badRevision: 'metricops.io/bad-revision',
} as const;

export const AlertLabels = {
  /** metadata.name of the SLO that generated the alert. */
  slo: 'slo',
  /** page | ticket. */
  severity: 'slo_severity',
  /** Namespace and name of the Deployment the alert guards (present when the SLO has a target). */
  namespace: 'namespace',
  deployment: 'deployment',
} as const;

export type SloSeverity = 'page' | 'ticket';
export const SLO_SEVERITIES: readonly SloSeverity[] = ['page', 'ticket'];

export const RollbackModes = ['enabled', 'dry-run', 'disabled'] as const;
export type RollbackMode = (typeof RollbackModes)[number];
