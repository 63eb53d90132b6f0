import { Annotations } from '../../../../common/contract/annotations.js';
import { decide, decideUnmatched, DEFAULT_DECISION_SETTINGS, type DecisionInput } from '../../../../feedback-pipeline/core/decide.js';
import { alert, DEPLOYED_AT, deploymentState, replicaSet, simpleHistory } from './fixtures.js';

const NOW = new Date('2026-11-21T10:06:00Z');

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    alert: alert(),
    deployment: deploymentState(),
    replicaSets: simpleHistory(),
    now: NOW,
    settings: DEFAULT_DECISION_SETTINGS,
    ...overrides,
  };
}

function withAnnotations(annotations: Record<string, string>) {
  const deployment = deploymentState();
  return deploymentState({ annotations: { ...deployment.annotations, ...annotations } });
}

describe('decide: skips', () => {
  test.each<{ description: string; input: DecisionInput; skip: string; says: RegExp }>([
    {
      description: 'a resolved alert is not acted on',
      input: input({ alert: alert({ status: 'resolved' }) }),
      skip: 'alert-resolved',
      says: /is resolved/,
    },
    {
      description: "with --cluster eu-1, another cluster's alert for a same-named Deployment is not this cluster's",
      input: input({ alert: alert({ labels: { ...alert().labels, cluster: 'us-2' } }), settings: { ...DEFAULT_DECISION_SETTINGS, cluster: 'eu-1' } }),
      skip: 'other-cluster',
      says: /is about cluster us-2; this pipeline acts only on cluster=eu-1 \(--cluster\)/,
    },
    {
      description: 'with --cluster eu-1, an alert without a cluster label is not taken for this cluster',
      input: input({ settings: { ...DEFAULT_DECISION_SETTINGS, cluster: 'eu-1' } }),
      skip: 'other-cluster',
      says: /has no cluster label; this pipeline acts only on cluster=eu-1/,
    },
    {
      description: 'the cluster check comes before matching: another cluster\'s alert for another Deployment says so',
      input: input({ alert: alert({ labels: { alertname: 'X', slo_severity: 'page', namespace: 'shop', deployment: 'cart', cluster: 'us-2' } }), settings: { ...DEFAULT_DECISION_SETTINGS, cluster: 'eu-1' } }),
      skip: 'other-cluster',
      says: /is about cluster us-2/,
    },
    {
      description: 'an alert for another Deployment does not match this one',
      input: input({ alert: alert({ labels: { alertname: 'X', slo_severity: 'page', namespace: 'shop', deployment: 'cart' } }) }),
      skip: 'no-matching-deployment',
      says: /does not guard Deployment shop\/checkout/,
    },
    {
      description: 'a ticket alert when only page is selected',
      input: input({ alert: alert({ labels: { ...alert().labels, slo_severity: 'ticket' } }) }),
      skip: 'severity-not-selected',
      says: /has severity ticket; rollbacks are on for page/,
    },
    {
      description: 'an alert without slo_severity and no rules entry',
      input: input({ alert: alert({ labels: { alertname: 'X', namespace: 'shop', deployment: 'checkout' } }) }),
      skip: 'severity-not-selected',
      says: /has no slo_severity label/,
    },
    {
      description: 'unparseable metricops.io/rules names the annotation',
      input: input({ deployment: withAnnotations({ [Annotations.rules]: 'not json' }) }),
      skip: 'invalid-annotation',
      says: /annotation metricops\.io\/rules: not valid JSON/,
    },
    {
      description: 'a bad watch window names the annotation and the problem',
      input: input({ deployment: withAnnotations({ [Annotations.watchWindow]: 'soon' }) }),
      skip: 'invalid-annotation',
      says: /annotation metricops\.io\/watch-window: "soon" is not a duration/,
    },
    {
      description: 'an unknown rollback mode names the annotation and means no rollback',
      input: input({ deployment: withAnnotations({ [Annotations.rollback]: 'yes' }) }),
      skip: 'invalid-annotation',
      says: /annotation metricops\.io\/rollback: unknown mode "yes", treated as disabled/,
    },
    {
      description: 'rollback disabled on the Deployment',
      input: input({ deployment: withAnnotations({ [Annotations.rollback]: 'disabled' }) }),
      skip: 'rollback-disabled',
      says: /metricops\.io\/rollback is disabled on Deployment shop\/checkout/,
    },
    {
      description: 'a Deployment the webhook never stamped',
      input: input({ deployment: deploymentState({ annotations: {} }) }),
      skip: 'no-rollout-stamp',
      says: /has no metricops\.io\/deployed-at annotation/,
    },
    {
      description: 'an alert that started before the rollout (e.g. still firing after the rollback re-stamped it)',
      input: input({ alert: alert({ startsAt: new Date('2026-11-21T09:59:59Z') }) }),
      skip: 'started-before-rollout',
      says: /started at 2026-11-21T09:59:59.000Z, before the rollout at 2026-11-21T10:00:00.000Z/,
    },
    {
      description: 'an alert that started after the default 30m watch window',
      input: input({ alert: alert({ startsAt: new Date('2026-11-21T10:30:01Z') }) }),
      skip: 'outside-watch-window',
      says: /more than 30m \(metricops\.io\/watch-window\) after the rollout/,
    },
    {
      description: 'an alert after a custom 5m watch window',
      input: input({ deployment: withAnnotations({ [Annotations.watchWindow]: '5m' }), alert: alert({ startsAt: new Date('2026-11-21T10:05:01Z') }) }),
      skip: 'outside-watch-window',
      says: /more than 5m/,
    },
    {
      description: 'a paused Deployment',
      input: input({ deployment: deploymentState({ paused: true }) }),
      skip: 'deployment-paused',
      says: /is paused: resume it/,
    },
    {
      description: 'an alert that started before the last rollback (a replica without the webhook re-stamp, past the cooldown)',
      input: input({
        now: new Date('2026-11-21T10:30:00Z'),
        deployment: withAnnotations({ [Annotations.rolledBackFrom]: JSON.stringify({ time: '2026-11-21T10:06:00Z' }) }),
      }),
      skip: 'started-before-rollout',
      says: /started at 2026-11-21T10:05:00.000Z, before the last rollback of Deployment shop\/checkout at 2026-11-21T10:06:00.000Z/,
    },
    {
      description: 'a rollback recorded on the Deployment 5 minutes ago (cooldown 10m)',
      input: input({ deployment: withAnnotations({ [Annotations.rolledBackFrom]: JSON.stringify({ time: '2026-11-21T10:01:00Z' }) }) }),
      skip: 'cooldown',
      says: /rolled back at 2026-11-21T10:01:00.000Z, less than 10m \(the cooldown\) ago/,
    },
    {
      description: 'a rollback the pipeline remembers 1 minute ago, not yet in the cache',
      input: input({ lastRollbackAt: new Date('2026-11-21T10:05:00Z') }),
      skip: 'cooldown',
      says: /rolled back at 2026-11-21T10:05:00.000Z/,
    },
    {
      description: 'only one revision',
      input: input({ replicaSets: [replicaSet(1, 'shop/checkout:v2')] }),
      skip: 'no-previous-good-revision',
      says: /has no older revision with a different pod template/,
    },
    {
      description: 'the only older revision is marked bad',
      input: input({ replicaSets: [replicaSet(1, 'shop/checkout:v1', { bad: true }), replicaSet(2, 'shop/checkout:v2')] }),
      skip: 'no-previous-good-revision',
      says: /not marked metricops\.io\/bad-revision/,
    },
  ])('$description', ({ input, skip, says }) => {
    const { decision } = decide(input);
    expect(decision).toMatchObject({ action: 'skip', skip, deployment: { namespace: 'shop', name: 'checkout' } });
    expect(decision.reason).toMatch(says);
  });
});

describe('decide: rollbacks', () => {
  test.each<{ description: string; input: DecisionInput; dryRun: boolean; says: RegExp }>([
    {
      description: 'a page alert 5 minutes after the rollout rolls back to revision 1',
      input: input(),
      dryRun: false,
      says: /started 5m after the rollout at 2026-11-21T10:00:00.000Z: roll back to revision 1 \(checkout-hshopcheckoutv1\)$/,
    },
    {
      description: 'an alert starting exactly at the rollout time is inside the window',
      input: input({ alert: alert({ startsAt: new Date(DEPLOYED_AT) }) }),
      dryRun: false,
      says: /started 0s after the rollout/,
    },
    {
      description: 'an alert starting exactly at the end of the window is inside it',
      input: input({ alert: alert({ startsAt: new Date('2026-11-21T10:30:00Z') }) }),
      dryRun: false,
      says: /started 30m after/,
    },
    {
      description: 'ticket alerts roll back when ticket is selected',
      input: input({ alert: alert({ labels: { ...alert().labels, slo_severity: 'ticket' } }), settings: { ...DEFAULT_DECISION_SETTINGS, severities: ['page', 'ticket'] } }),
      dryRun: false,
      says: /severity ticket/,
    },
    {
      description: 'an alert matched by metricops.io/rules takes the rule severity',
      input: input({
        alert: alert({ labels: { alertname: 'CheckoutLatency', slo: 'checkout-latency' } }),
        deployment: withAnnotations({ [Annotations.rules]: JSON.stringify([{ alert: 'CheckoutLatency', severity: 'page', labels: { slo: 'checkout-latency' } }]) }),
      }),
      dryRun: false,
      says: /alert CheckoutLatency \(severity page\)/,
    },
    {
      description: 'metricops.io/rollback dry-run makes it a dry run',
      input: input({ deployment: withAnnotations({ [Annotations.rollback]: 'dry-run' }) }),
      dryRun: true,
      says: /\(dry run: metricops\.io\/rollback\)$/,
    },
    {
      description: 'global --dry-run forces a dry run',
      input: input({ settings: { ...DEFAULT_DECISION_SETTINGS, dryRun: true } }),
      dryRun: true,
      says: /\(dry run: --dry-run\)$/,
    },
    {
      description: 'with --cluster eu-1, an alert labelled cluster=eu-1 rolls back',
      input: input({ alert: alert({ labels: { ...alert().labels, cluster: 'eu-1' } }), settings: { ...DEFAULT_DECISION_SETTINGS, cluster: 'eu-1' } }),
      dryRun: false,
      says: /roll back to revision 1/,
    },
    {
      description: 'without --cluster the cluster label does not matter',
      input: input({ alert: alert({ labels: { ...alert().labels, cluster: 'us-2' } }) }),
      dryRun: false,
      says: /roll back to revision 1/,
    },
    {
      description: 'a rollback 11 minutes ago is past the 10m cooldown',
      input: input({ lastRollbackAt: new Date('2026-11-21T09:55:00Z') }),
      dryRun: false,
      says: /roll back to revision 1/,
    },
  ])('$description', ({ input, dryRun, says }) => {
    const { decision, target } = decide(input);
    expect(decision).toMatchObject({ action: 'rollback', dryRun, deployment: { namespace: 'shop', name: 'checkout' } });
    expect(decision.reason).toMatch(says);
    expect(target?.to).toBeDefined();
  });
});

describe('decideUnmatched', () => {
  test.each<{ description: string; labels: Record<string, string>; expected: object; says: RegExp }>([
    {
      description: 'labels naming an unknown Deployment: skip with that Deployment and the reason',
      labels: { alertname: 'A', namespace: 'shop', deployment: 'gone' },
      expected: { action: 'skip', skip: 'no-matching-deployment', deployment: { namespace: 'shop', name: 'gone' } },
      says: /no Deployment shop\/gone .* is known/,
    },
    {
      description: 'no labels and no rules entry: skip without a Deployment',
      labels: { alertname: 'A' },
      expected: { action: 'skip', skip: 'no-matching-deployment' },
      says: /no namespace and deployment labels, and no Deployment lists A in metricops\.io\/rules/,
    },
    {
      description: "with --cluster eu-1, another cluster's alert naming no known Deployment: other-cluster, before matching",
      labels: { alertname: 'A', namespace: 'shop', deployment: 'gone', cluster: 'us-2' },
      expected: { action: 'skip', skip: 'other-cluster' },
      says: /is about cluster us-2; this pipeline acts only on cluster=eu-1/,
    },
  ])('$description', ({ labels, expected, says }) => {
    const decision = decideUnmatched({ status: 'firing', labels }, { cluster: labels.cluster ? 'eu-1' : undefined });
    expect(decision).toEqual({ ...expected, reason: expect.stringMatching(says) });
  });
});
