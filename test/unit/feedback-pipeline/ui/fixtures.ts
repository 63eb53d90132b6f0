import { Annotations } from '../../../../common/contract/annotations.js';
import type { DeploymentSummary } from '../../../../feedback-pipeline/ports.js';
import type { SloReadings } from '../../../../feedback-pipeline/ui/deployment-row.js';

export const CHECKOUT_RULES = JSON.stringify([
  { alert: 'CheckoutAvailabilitySLO', severity: 'page', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'page' } },
  { alert: 'CheckoutAvailabilitySLO', severity: 'ticket', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'ticket' } },
]);

export const V1 = { checkout: 'example.com/checkout:v1' };
export const V2 = { checkout: 'example.com/checkout:v2' };

export function rolledBackFrom(time = '2026-11-30T12:00:10.000Z', to: Record<string, string> = V1): string {
  return JSON.stringify({
    alert: { name: 'CheckoutAvailabilitySLO', fingerprint: 'f1', startsAt: '2026-11-30T12:00:00.000Z' },
    time,
    reason: 'alert CheckoutAvailabilitySLO (severity page) started 20s after the rollout',
    from: { revision: 2, replicaSet: 'checkout-2', images: V2 },
    to: { revision: 1, replicaSet: 'checkout-1', images: to },
  });
}

export function summary(name: string, annotations: Record<string, string> = {}, namespace = 'shop', paused = false): DeploymentSummary {
  return { namespace, name, paused, annotations };
}

/** A stamped, guarded Deployment at `images`. */
export function guarded(name: string, extra: Record<string, string> = {}, namespace = 'shop', images = V1): DeploymentSummary {
  return summary(
    name,
    {
      [Annotations.slo]: 'checkout-availability',
      [Annotations.rules]: CHECKOUT_RULES,
      [Annotations.images]: JSON.stringify(images),
      [Annotations.deployedAt]: '2026-11-30T12:00:00Z',
      ...extra,
    },
    namespace,
  );
}

export const NO_PROMETHEUS: SloReadings = { prometheus: { state: 'off' }, slos: new Map() };

export function prometheusSays(slos: Record<string, { budget?: string; burn?: string }>, alerts: SloReadings['alerts'] = []): SloReadings {
  return {
    prometheus: { state: 'ok', url: 'http://prometheus:9090', at: '2026-11-30T12:05:00.000Z' },
    slos: new Map(
      Object.entries(slos).map(([id, { budget, burn }]) => [
        id,
        {
          id,
          ...(budget !== undefined ? { budgetRemaining: { value: Number(budget), text: budget } } : {}),
          ...(burn !== undefined ? { currentBurnRate: { value: Number(burn), text: burn } } : {}),
        },
      ]),
    ),
    alerts,
  };
}
