import { Annotations } from '../../../../common/contract/annotations.js';
import { buildRow, isGuarded, sloIdsOf } from '../../../../feedback-pipeline/ui/deployment-row.js';
import { guarded, NO_PROMETHEUS, prometheusSays, rolledBackFrom, summary, V2 } from './fixtures.js';

const firing = (severity: string) => ({ labels: { alertname: 'CheckoutAvailabilitySLO', slo: 'checkout-availability', slo_severity: severity, namespace: 'shop' }, annotations: {}, state: 'firing' });

describe('one guarded Deployment as a row', () => {
  test.each([
    ['a Deployment naming SLOs is guarded', { [Annotations.slo]: 'a' }, true],
    ['one with an inline rule is guarded', { [Annotations.rule]: 'up == 0' }, true],
    ['one with stamped guards is guarded', { [Annotations.rules]: '[]' }, true],
    ['one with only settings is not', { [Annotations.rollback]: 'disabled' }, false],
    ['one without metricops annotations is not', {}, false],
  ])('%s', (_name, annotations, expected) => {
    expect(isGuarded(summary('x', annotations))).toBe(expected);
  });

  test('its SLOs: those of the stamped guards, then those named but not stamped yet, each once', () => {
    expect(sloIdsOf(guarded('checkout', { [Annotations.slo]: 'checkout-availability, checkout-latency ,' }))).toEqual(['checkout-availability', 'checkout-latency']);
  });

  test.each([
    ['a paused Deployment is paused, whatever else', guarded('c', { [Annotations.rolledBackFrom]: rolledBackFrom() }), { ...NO_PROMETHEUS }, 'paused', /spec\.paused/, true],
    ['one still at the revision metricops rolled back to is rolled back, even while its alert fires', guarded('c', { [Annotations.rolledBackFrom]: rolledBackFrom() }), prometheusSays({ 'checkout-availability': { budget: '0.5', burn: '30' } }, [firing('page')]), 'rolled-back', /rolled back at 2026-11-30T12:00:10.000Z from revision 2 to revision 1 after alert CheckoutAvailabilitySLO/, false],
    ['one deployed again since its rollback is not rolled back any more', guarded('c', { [Annotations.rolledBackFrom]: rolledBackFrom() }, 'shop', V2), prometheusSays({ 'checkout-availability': { budget: '0.9', burn: '0.2' } }), 'healthy', /no guarding alert firing/, false],
    ['a firing guard is burning', guarded('c'), prometheusSays({ 'checkout-availability': { budget: '0.9', burn: '0.2' } }, [firing('ticket')]), 'burning', /alert firing: CheckoutAvailabilitySLO \(ticket\)/, false],
    ['a burn rate above 1 is burning', guarded('c'), prometheusSays({ 'checkout-availability': { budget: '0.9', burn: '2.5' } }), 'burning', /checkout-availability at 2\.5x/, false],
    ['no Prometheus: unknown, and it says why', guarded('c'), NO_PROMETHEUS, 'unknown', /no Prometheus configured/, false],
    ['Prometheus failed: unknown, with its message', guarded('c'), { prometheus: { state: 'failed', url: 'u', at: 't', problem: 'timeout', message: 'did not answer within 3 s' }, slos: new Map() }, 'unknown', /did not answer within 3 s/, false],
    ['Prometheus has no series of its SLO: unknown', guarded('c'), prometheusSays({}), 'unknown', /no data for checkout-availability/, false],
    ['otherwise healthy', guarded('c'), prometheusSays({ 'checkout-availability': { budget: '0.99', burn: '0.5' } }), 'healthy', /no guarding alert firing/, false],
  ] as const)('%s', (_name, deployment, readings, status, reason, paused) => {
    const row = buildRow({ ...deployment, paused }, readings);
    expect(row.status).toBe(status);
    expect(row.statusReason).toMatch(reason);
  });

  test('guards carry their state in Prometheus; the row keeps the stamps and the last rollback', () => {
    const row = buildRow(guarded('checkout', { [Annotations.rolledBackFrom]: rolledBackFrom() }), prometheusSays({}, [firing('page'), { ...firing('ticket'), state: 'pending' }]));
    expect(row.guards.map((guard) => [guard.severity, guard.state])).toEqual([['page', 'firing'], ['ticket', 'pending']]);
    expect(row.images).toEqual({ checkout: 'example.com/checkout:v1' });
    expect(row.deployedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(row.lastRollback).toMatchObject({ alert: 'CheckoutAvailabilitySLO', from: { revision: 2 }, to: { revision: 1, replicaSet: 'checkout-1' } });
  });

  test('odd annotations become problems that name them; nothing is dropped silently', () => {
    const row = buildRow(
      summary('odd', { [Annotations.rules]: 'not json', [Annotations.deployedAt]: 'yesterday', [Annotations.rolledBackFrom]: '{"time": 1}' }),
      NO_PROMETHEUS,
    );
    expect(row.problems).toEqual([
      expect.stringMatching(/^annotation metricops\.io\/rules: not valid JSON/),
      expect.stringMatching(/^annotation metricops\.io\/deployed-at: "yesterday" is not an RFC 3339 time/),
      expect.stringMatching(/^annotation metricops\.io\/rolled-back-from: /),
    ]);
    expect(row.guards).toEqual([]);
    expect(row.lastRollback).toBeUndefined();
  });
});
