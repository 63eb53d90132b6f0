import type { Indicator, Slo } from '../../../../slo-compiler/model.js';

/** Hand-built model objects, as slo-compiler/spec would produce them. */
export function makeSlo(overrides: Partial<Slo> = {}): Slo {
  return {
    name: 'checkout-availability',
    slothId: 'checkout-availability',
    service: 'checkout',
    slothSlo: 'availability',
    description: 'Checkout answers without server errors.',
    objective: 99.9,
    window: '30d',
    labels: { team: 'shop' },
    target: { namespace: 'shop', deployment: 'checkout' },
    indicator: { kind: 'ratio', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' },
    alerting: {
      name: 'CheckoutAvailabilitySLO',
      labels: {},
      annotations: {},
      page: { disabled: false, labels: {}, annotations: {} },
      ticket: { disabled: false, labels: {}, annotations: {} },
    },
    format: 'metricops',
    location: { source: 'examples/slos/checkout.yaml', document: 0 },
    ...overrides,
  };
}

export const indicators: Record<string, Indicator> = {
  ratio: { kind: 'ratio', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' },
  events: {
    kind: 'events',
    errorQuery: 'sum(rate(http_requests_total{job="checkout",code=~"(5..|429)"}[{{.window}}]))',
    totalQuery: 'sum(rate(http_requests_total{job="checkout"}[{{.window}}]))',
  },
  raw: { kind: 'raw', errorRatioQuery: '1 - avg_over_time(up{job="checkout"}[{{.window}}])' },
  latency: { kind: 'latency', histogram: 'http_request_duration_seconds{job="checkout"}', threshold: 0.3, native: false },
  nativeLatency: { kind: 'latency', histogram: 'http_request_duration_seconds{job="checkout"}', threshold: 0.3, native: true },
  boolGauge: { kind: 'boolGauge', metric: 'probe_success{job="blackbox",instance="checkout"}' },
};

/**
 * Sloth's test/integration/prometheus/testdata/in-base.yaml, SLO "slo1", as the spec loader maps it
 * (service svc01, objective 99.9, events SLI, alert myServiceAlert).
 */
export function slothBaseSlo1(window = '30d'): Slo {
  return makeSlo({
    name: 'svc01-slo1',
    slothId: 'svc01-slo1',
    service: 'svc01',
    slothSlo: 'slo1',
    description: 'This is SLO 01.',
    objective: 99.9,
    window,
    labels: { global01k1: 'global01v1', global02k1: 'global02v1' },
    target: undefined,
    indicator: {
      kind: 'events',
      errorQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
      totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
    },
    alerting: {
      name: 'myServiceAlert',
      labels: { alert01k1: 'alert01v1' },
      annotations: { alert02k1: 'alert02k2' },
      page: { disabled: false, labels: { alert03k1: 'alert03v1' }, annotations: {} },
      ticket: { disabled: false, labels: { alert04k1: 'alert04v1' }, annotations: {} },
    },
    format: 'sloth',
    location: { source: 'in-base.yaml', document: 0, path: 'slos[0]' },
  });
}
