/**
 * The GitOps write-back commit: what a person reads in `git log` and what tools read from its trailers
 * (`git interpret-trailers --parse`, `git log --format=%(trailers)`). One commit per rollback: the feedback pipeline
 * looks for its Metricops-Decision trailer before committing, so replicas, duplicate notifications and restarts
 * never write a second one.
 *
 *   revert checkout to v1: CheckoutAvailabilitySLO burning since 2026-11-30T10:00:05Z
 *
 *   metricops rolled Deployment shop/checkout back from revision 2 to revision 1 ...
 *
 *   Metricops-Decision: 1a2b3c4d5e6f7a8b
 *   Metricops-Deployment: shop/checkout
 *   Metricops-Alert: CheckoutAvailabilitySLO fingerprint=9f8e startsAt=2026-11-30T10:00:05Z
 *   Metricops-From: checkout=example.com/checkout:v2
 *   Metricops-To: checkout=example.com/checkout:v1
 */
export const WriteBackTrailers = {
  decision: 'Metricops-Decision',
  deployment: 'Metricops-Deployment',
  alert: 'Metricops-Alert',
  from: 'Metricops-From',
  to: 'Metricops-To',
} as const;

export interface WriteBackChange {
  /** Key as in metricops.io/images: `<name>` or `init:<name>`. */
  container: string;
  from: string;
  to: string;
  /** 1-based line of the image in the manifest. */
  line?: number;
}

export interface WriteBackMessageInput {
  decision: string;
  deployment: { namespace: string; name: string };
  alert: { name: string; fingerprint: string; startsAt: string };
  reason: string;
  gitPath: string;
  from?: { revision?: number };
  to?: { revision?: number };
  changes: WriteBackChange[];
}

/**
 * The version a person calls an image: its tag (`checkout:v1` -> `v1`), else the start of its digest
 * (`@sha256:0123456789ab...` -> `sha256:0123456789ab`), else the whole reference.
 */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1, at + 1 + 'sha256:'.length + 12);
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : image;
}

/** The versions the changes go to, e.g. "v1" or "v1, migrate v7" (other containers named when they differ). */
function targetVersions(changes: readonly WriteBackChange[]): string {
  const versions = [...new Set(changes.map((change) => imageVersion(change.to)))];
  if (versions.length === 1) return versions[0]!;
  return changes.map((change) => `${change.container} ${imageVersion(change.to)}`).join(', ');
}

export function writeBackMessage(input: WriteBackMessageInput): string {
  const { deployment, alert } = input;
  const ref = `${deployment.namespace}/${deployment.name}`;
  const subject = `revert ${deployment.name} to ${targetVersions(input.changes)}: ${alert.name} burning since ${alert.startsAt}`;
  const revisions = input.from?.revision !== undefined && input.to?.revision !== undefined
    ? ` from revision ${input.from.revision} to revision ${input.to.revision}` : '';
  const body = [
    `metricops rolled Deployment ${ref} back${revisions} in the cluster and writes the good`,
    `images back to ${input.gitPath}, so the GitOps engine applies them too. Until it has, metricops`,
    'holds the Deployment (metricops.io/gitops-hold).',
    '',
    `Why: ${input.reason}`,
    '',
    ...input.changes.map((change) => `  ${change.container}: ${change.from} -> ${change.to}${change.line ? ` (line ${change.line})` : ''}`),
  ];
  const trailers = [
    `${WriteBackTrailers.decision}: ${input.decision}`,
    `${WriteBackTrailers.deployment}: ${ref}`,
    `${WriteBackTrailers.alert}: ${alert.name} fingerprint=${alert.fingerprint} startsAt=${alert.startsAt}`,
    ...input.changes.map((change) => `${WriteBackTrailers.from}: ${change.container}=${change.from}`),
    ...input.changes.map((change) => `${WriteBackTrailers.to}: ${change.container}=${change.to}`),
  ];
  return [subject, '', ...body, '', ...trailers, ''].join('\n');
}

/** The trailers of a commit message (its last paragraph of `Key: value` lines), in order. */
export function parseTrailers(message: string): Array<{ key: string; value: string }> {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.at(-1) ?? '';
  const lines = last.split('\n');
  const trailers = lines.map((line) => /^([A-Za-z0-9-]+): (.*)$/.exec(line));
  if (paragraphs.length < 2 || trailers.some((match) => match === null)) return [];
  return trailers.map((match) => ({ key: match![1]!, value: match![2]! }));
}
