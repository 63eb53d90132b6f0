import { Annotations } from '../../../../common/contract/annotations.js';
import type { DecisionRecord, ReplicaSetState } from '../../../../feedback-pipeline/model.js';
import { alignSeries, constantPoints, timeRange } from '../../../../feedback-pipeline/ui/chart-data.js';
import { markersOf, revisionsOf } from '../../../../feedback-pipeline/ui/deployment-detail.js';
import { lastRollbackOf } from '../../../../feedback-pipeline/ui/deployment-row.js';
import { rolledBackFrom, V1, V2 } from './fixtures.js';

function replicaSet(revision: number, images: Record<string, string>, deployedAt: string, extra: Record<string, string> = {}): ReplicaSetState {
  return {
    namespace: 'shop',
    name: `checkout-${revision}`,
    revision,
    annotations: { [Annotations.images]: JSON.stringify(images), [Annotations.deployedAt]: deployedAt, ...extra },
    template: { spec: { containers: Object.entries(images).map(([name, image]) => ({ name, image })) } },
    templateKey: `template-${revision}`,
    createdAt: new Date(deployedAt),
  };
}

const badMark = JSON.stringify({ alert: { name: 'CheckoutAvailabilitySLO', fingerprint: 'f1', startsAt: '2026-11-30T12:00:00Z' }, time: '2026-11-30T12:00:10Z', reason: 'burned <fast>', revision: 2, rolledBackTo: { revision: 3, replicaSet: 'checkout-3' } });

// v1 at 11:00, v2 at 11:59:40, rolled back at 12:00:10 (the controller renumbers v1 to revision 3; the webhook stamps it).
const sets = [replicaSet(2, V2, '2026-11-30T11:59:40Z', { [Annotations.badRevision]: badMark }), replicaSet(3, V1, '2026-11-30T12:00:10Z')];
const record: DecisionRecord = {
  id: 'r1',
  time: '2026-11-30T12:00:09.500Z',
  outcome: 'rolled-back',
  reason: 'burned',
  alert: { name: 'CheckoutAvailabilitySLO', fingerprint: 'f1', labels: {}, startsAt: '2026-11-30T12:00:00.000Z', source: 'webhook' },
  from: { revision: 2, images: V2 },
  to: { revision: 1, replicaSet: 'checkout-1', images: V1 },
};

describe('a Deployment page', () => {
  test('revisions: newest first, the current one and the bad one marked with why', () => {
    const revisions = revisionsOf(sets, 'template-3');
    expect(revisions.map((revision) => [revision.revision, revision.current, revision.bad?.reason])).toEqual([[3, true, undefined], [2, false, 'burned <fast>']]);
    expect(revisions[1]).toMatchObject({ images: V2, deployedAt: '2026-11-30T11:59:40.000Z' });
  });

  test('markers: the bad rollout and one rollback (annotation and audit record are the same rollback); the rollback\'s own stamp is not a rollout', () => {
    const markers = markersOf(lastRollbackOf({ [Annotations.rolledBackFrom]: rolledBackFrom() }).value, revisionsOf(sets, 'template-3'), [record]);
    expect(markers).toEqual([
      { kind: 'rollout', time: '2026-11-30T11:59:40.000Z', label: 'rollout of revision 2: checkout=example.com/checkout:v2' },
      { kind: 'rollback', time: '2026-11-30T12:00:10.000Z', label: 'rollback from revision 2 to revision 1 (alert CheckoutAvailabilitySLO)' },
    ]);
  });

  test('an older rollback known only from the audit log is a marker too', () => {
    const older = { ...record, alert: { ...record.alert, fingerprint: 'f0', startsAt: '2026-11-29T08:00:00.000Z' }, time: '2026-11-29T08:00:30.000Z' };
    const markers = markersOf(lastRollbackOf({ [Annotations.rolledBackFrom]: rolledBackFrom() }).value, [], [record, older]);
    expect(markers.map((marker) => [marker.kind, marker.time])).toEqual([['rollback', '2026-11-29T08:00:30.000Z'], ['rollback', '2026-11-30T12:00:10.000Z']]);
  });

  test('ranges: "auto" spans what it is given within 15 minutes and 90 days; about 240 points at whole-second steps', () => {
    const now = new Date('2026-11-30T12:00:00.400Z');
    expect(timeRange('auto', now)).toMatchObject({ start: new Date('2026-11-30T11:44:00Z'), end: new Date('2026-11-30T12:00:00Z'), stepSeconds: 4 });
    const day = timeRange('1d', now);
    expect(day.stepSeconds).toBe(360);
    expect((day.end.getTime() - day.start.getTime()) / 1000).toBe(360 * 240);
    expect(timeRange('auto', now, 400 * 86_400_000).stepSeconds).toBe(32_400);
  });

  test('series are aligned on the range\'s times (null where Prometheus has no sample); markers outside the range are left out', () => {
    const range = { choice: '1h', start: new Date(1000_000), end: new Date(1000_000 + 240 * 15_000), stepSeconds: 15 };
    const chart = alignSeries(
      range,
      [
        { label: 'ratio', points: [[1000, '0.5'], [1030, 'NaN'], [1045, '0.25']] },
        { label: 'burn', points: [[1015, '0.002']], transform: (value) => value / 0.001 },
        { label: 'threshold', points: constantPoints(range, 14.4), kind: 'threshold' },
      ],
      [
        { kind: 'rollout', time: new Date(1_500_000).toISOString(), label: 'in' },
        { kind: 'rollback', time: new Date(9_000_000).toISOString(), label: 'out' },
      ],
    );
    expect(chart.times).toHaveLength(241);
    expect(chart.series[0]!.values.slice(0, 4)).toEqual([0.5, null, null, 0.25]);
    expect(chart.series[1]!.values.slice(0, 2)).toEqual([null, 2]);
    expect(chart.series[2]).toMatchObject({ kind: 'threshold' });
    expect(chart.series[2]!.values[0]).toBe(14.4);
    expect(chart.series[2]!.values[240]).toBe(14.4);
    expect(chart.markers.map((marker) => marker.label)).toEqual(['in']);
  });
});
