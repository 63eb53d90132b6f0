/**
 * The annotation keys of the contract between the three components. docs/design.md ("Annotation keys") explains
 * each one; change both together. The shape of each stamped value has its own file next to this one.
 */
export const ANNOTATION_PREFIX = 'metricops.io/';

export const Annotations = {
  /** Stamped by the webhook: JSON object, container name -> image reference (images.ts). */
  images: 'metricops.io/images',
  /** Stamped by the webhook: RFC 3339 UTC time of the rollout of this pod template (deployed-at.ts). */
  deployedAt: 'metricops.io/deployed-at',
  /** Stamped by the webhook: JSON list of the alerts that guard this revision (guarding-alert.ts). */
  rules: 'metricops.io/rules',
  /** Set by the user: comma-separated SLO names (metadata.name) that guard this Deployment. */
  slo: 'metricops.io/slo',
  /** Set by the user: an inline PromQL alert expression guarding this Deployment (inline-rule-alert.ts). */
  rule: 'metricops.io/rule',
  /** Set by the user: `for:` of the inline rule (default 1m). */
  ruleFor: 'metricops.io/rule-for',
  /** Set by the user: enabled | dry-run | disabled (default enabled). */
  rollback: 'metricops.io/rollback',
  /** Set by the user: how long after a rollout an alert may still roll it back (default 30m). */
  watchWindow: 'metricops.io/watch-window',
  /** Set by the user: path of this Deployment's manifest in the GitOps repository, for write-back. */
  gitPath: 'metricops.io/git-path',
  /** Written by the feedback pipeline on the Deployment after a rollback (rolled-back-from.ts). */
  rolledBackFrom: 'metricops.io/rolled-back-from',
  /** Written by the feedback pipeline on a ReplicaSet whose revision was rolled back (bad-revision.ts). */
  badRevision: 'metricops.io/bad-revision',
  /**
   * Written by the feedback pipeline on a Deployment it rolled back and holds against the GitOps engine until the
   * engine has the write-back revision (gitops-hold.ts); removed when the hold is released.
   */
  gitopsHold: 'metricops.io/gitops-hold',
} as const;

export const RollbackModes = ['enabled', 'dry-run', 'disabled'] as const;
export type RollbackMode = (typeof RollbackModes)[number];

