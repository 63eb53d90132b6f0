import { alertSeverity, matchAlertToDeployment } from '../../../../feedback-pipeline/core/alert-matching.js';

const checkout = { namespace: 'shop', name: 'checkout' };
const rule = { alert: 'CheckoutLatency', severity: 'ticket', labels: { slo: 'checkout-latency' } };

describe('matchAlertToDeployment', () => {
  test.each<{ description: string; labels: Record<string, string>; rules: typeof rule[]; expected: object }>([
    {
      description: 'namespace and deployment labels naming the Deployment match by labels',
      labels: { alertname: 'X', namespace: 'shop', deployment: 'checkout' },
      rules: [],
      expected: { matched: true, via: 'labels' },
    },
    {
      description: 'labels naming another Deployment do not match',
      labels: { alertname: 'X', namespace: 'shop', deployment: 'cart' },
      rules: [],
      expected: { matched: false },
    },
    {
      description: 'labels naming the same name in another namespace do not match',
      labels: { alertname: 'X', namespace: 'other', deployment: 'checkout' },
      rules: [],
      expected: { matched: false },
    },
    {
      description: 'a rules entry with the alertname and all its labels equal matches by rules',
      labels: { alertname: 'CheckoutLatency', slo: 'checkout-latency', extra: 'x' },
      rules: [rule],
      expected: { matched: true, via: 'rules', rule },
    },
    {
      description: 'a rules entry whose label differs does not match',
      labels: { alertname: 'CheckoutLatency', slo: 'cart-latency' },
      rules: [rule],
      expected: { matched: false },
    },
    {
      description: 'a rules entry whose label is missing on the alert does not match',
      labels: { alertname: 'CheckoutLatency' },
      rules: [rule],
      expected: { matched: false },
    },
    {
      description: 'a rules entry with another alertname does not match',
      labels: { alertname: 'Other', slo: 'checkout-latency' },
      rules: [rule],
      expected: { matched: false },
    },
    {
      description: 'labels and a rules entry both matching: by labels, with the rule',
      labels: { alertname: 'CheckoutLatency', slo: 'checkout-latency', namespace: 'shop', deployment: 'checkout' },
      rules: [rule],
      expected: { matched: true, via: 'labels', rule },
    },
  ])('$description', ({ labels, rules, expected }) => {
    expect(matchAlertToDeployment({ labels }, checkout, { rules })).toEqual(expected);
  });
});

describe('alertSeverity', () => {
  test.each<{ description: string; labels: Record<string, string>; expected: string }>([
    { description: 'the slo_severity label wins', labels: { slo_severity: 'page' }, expected: 'page' },
    { description: 'without the label, the matching rule severity', labels: {}, expected: 'ticket' },
  ])('$description', ({ labels, expected }) => {
    expect(alertSeverity({ labels }, { matched: true, via: 'rules', rule })).toBe(expected);
  });

  test('no label and no rule: unknown', () => {
    expect(alertSeverity({ labels: {} }, { matched: true, via: 'labels' })).toBeUndefined();
  });
});
