/**
 * Flux's own keys that metricops reads and writes (Flux v2: source-controller, kustomize-controller). metricops does
 * not define them; it relies on what they mean to Flux. docs/design.md ("Annotation keys", "Rollbacks under a GitOps
 * engine") says how each is used.
 */
export const FluxKeys = {
  /**
   * On any object Flux applies: `disabled` makes kustomize-controller skip that object on every apply (also of new
   * revisions) until the annotation is removed. metricops sets it in the rollback patch (the hold) and removes it
   * (or restores what was there) on release.
   */
  reconcile: 'kustomize.toolkit.fluxcd.io/reconcile',
  /** On a GitRepository (or any Flux object): a new value asks the controller to reconcile now (`flux reconcile`). */
  requestedAt: 'reconcile.fluxcd.io/requestedAt',
  /** Labels kustomize-controller puts on every object it applies: the Kustomization that owns it. */
  kustomizationName: 'kustomize.toolkit.fluxcd.io/name',
  kustomizationNamespace: 'kustomize.toolkit.fluxcd.io/namespace',
} as const;

/** The value of `kustomize.toolkit.fluxcd.io/reconcile` that makes Flux skip the object. */
export const FLUX_RECONCILE_DISABLED = 'disabled';

/** The commit of a Flux revision: "main@sha1:<commit>" (Flux v2), "main/<commit>" (older) or a bare commit. */
export function commitOfFluxRevision(revision: string): string {
  const digest = revision.lastIndexOf(':');
  if (digest >= 0) return revision.slice(digest + 1);
  return revision.slice(Math.max(revision.lastIndexOf('@'), revision.lastIndexOf('/')) + 1);
}
