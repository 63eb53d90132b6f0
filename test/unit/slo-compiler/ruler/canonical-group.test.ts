import jsYaml from 'js-yaml';
import { canonicalGroup, RuleGroupShapeError } from '../../../../slo-compiler/ruler/canonical-group.js';

const alert = {
  name: 'sloth-slo-alerts-checkout',
  rules: [{ alert: 'CheckoutBurn', expr: 'rate(x[5m]) > 1', for: '90s', labels: { slo: 'checkout', team: 'shop' }, annotations: { summary: 'burning' } }],
};

// What Cortex answers for the group above (rulefmt.RuleGroup marshalled by Go's yaml.v3).
const asCortexReturnsIt = `
name: sloth-slo-alerts-checkout
rules:
    - alert: CheckoutBurn
      expr: rate(x[5m]) > 1
      for: 1m30s
      labels:
        team: shop
        slo: checkout
      annotations:
        summary: burning
`;

describe('canonicalGroup: groups that evaluate alike compare equal', () => {
  test.each([
    ["the ruler's answer (Go durations, its own key order)", jsYaml.load(asCortexReturnsIt)],
    ['an interval of 0s and no interval', { ...alert, interval: '0s' }],
    ['empty labels and no labels', { ...alert, rules: [{ ...alert.rules[0], labels: { slo: 'checkout', team: 'shop' } }], labels: {} }],
    ['zero values of fields metricops does not write', { ...alert, limit: 0, query_offset: '0s', source_tenants: [] }],
  ])('%s', (_sentence, other) => {
    expect(canonicalGroup(other)).toBe(canonicalGroup(alert));
  });
});

describe('canonicalGroup: groups that evaluate differently compare different', () => {
  test.each([
    ['another expression', { ...alert, rules: [{ ...alert.rules[0], expr: 'rate(x[5m]) > 2' }] }],
    ['another for', { ...alert, rules: [{ ...alert.rules[0], for: '2m' }] }],
    ['another label value', { ...alert, rules: [{ ...alert.rules[0], labels: { slo: 'checkout', team: 'web' } }] }],
    ['an annotation more', { ...alert, rules: [{ ...alert.rules[0], annotations: { summary: 'burning', runbook: 'r' } }] }],
    ['an interval', { ...alert, interval: '1m' }],
    ['rules in another order', { ...alert, rules: [...alert.rules, { record: 'r', expr: '1' }] }],
    ['a field someone added by hand (source_tenants)', { ...alert, source_tenants: ['other'] }],
    ['group labels', { ...alert, labels: { cluster: 'eu-1' } }],
  ])('%s', (_sentence, other) => {
    expect(canonicalGroup(other)).not.toBe(canonicalGroup(alert));
  });
});

describe('canonicalGroup: what is not a rule group', () => {
  test.each([
    ['a list', [alert], /no name/],
    ['a group without rules', { name: 'g' }, /"rules" is not a list/],
    ['a rule that is a string', { name: 'g', rules: ['up'] }, /rule 0 is not a rule/],
    ['a duration that is not one', { name: 'g', rules: [{ alert: 'A', expr: '1', for: 'soon' }] }, /rule 0: for: "soon" is not a duration/],
  ])('%s is a RuleGroupShapeError naming the place', (_sentence, value, message) => {
    expect(() => canonicalGroup(value)).toThrow(RuleGroupShapeError);
    expect(() => canonicalGroup(value)).toThrow(message);
  });
});
