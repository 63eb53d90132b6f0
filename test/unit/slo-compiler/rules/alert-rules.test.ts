import { errorBudget, sloAlertRules } from '../../../../slo-compiler/rules/alert-rules.js';
import { burnRateWindows } from '../../../../slo-compiler/rules/burn-rate.js';
import { metadataRecordingRules } from '../../../../slo-compiler/rules/metadata-rules.js';
import { INLINE_RULE_ALERT, inlineGuardingAlert } from '../../../../common/contract/inline-rule-alert.js';
import { sloGuardingAlerts } from '../../../../slo-compiler/rules/guarding-alerts.js';
import { inlineAlertRule } from '../../../../slo-compiler/rules/inline-rules.js';
import type { InlineRule } from '../../../../slo-compiler/model.js';
import { makeSlo, slothBaseSlo1 } from './fixtures.js';
import { promqlShape } from './promql-shape.js';

const windows30d = burnRateWindows(30 * 86_400_000);

describe('sloAlertRules', () => {
  test.each([
    [
      'a native SLO with a target: slo, slo_severity, namespace and deployment',
      makeSlo(),
      { deployment: 'checkout', namespace: 'shop', slo: 'checkout-availability', slo_severity: 'page' },
    ],
    ['a native SLO without a target: only slo and slo_severity', makeSlo({ target: undefined }), { slo: 'checkout-availability', slo_severity: 'page' }],
    [
      'a Sloth SLO keeps sloth_severity next to the contract labels and its own alert labels',
      slothBaseSlo1(),
      { alert01k1: 'alert01v1', alert03k1: 'alert03v1', slo: 'svc01-slo1', slo_severity: 'page', sloth_severity: 'page' },
    ],
  ])('page alert labels: %s', (_description, slo, expected) => {
    expect(sloAlertRules(slo, windows30d)[0]!.labels).toEqual(expected);
  });

  test('contract labels win over user labels of the same name', () => {
    const slo = makeSlo();
    slo.alerting.labels = { slo: 'spoofed', team: 'shop' };
    const [page] = sloAlertRules(slo, windows30d);
    expect(page!.labels.slo).toBe('checkout-availability');
    expect(page!.labels.team).toBe('shop');
  });

  test('page pairs 5m+1h over 14.4x and 30m+6h over 6x; ticket pairs 2h+1d over 3x and 6h+3d over 1x; both windows of a pair', () => {
    const [page, ticket] = sloAlertRules(makeSlo(), windows30d);
    const thresholds = (expr: string) => [...expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \* ([\d.]+)\)/g)].map((m) => `${m[1]}>${m[2]}*${m[3]}`);
    expect(thresholds(page!.expr)).toEqual(['5m>14.4*0.001', '1h>14.4*0.001', '30m>6*0.001', '6h>6*0.001']);
    expect(thresholds(ticket!.expr)).toEqual(['2h>3*0.001', '1d>3*0.001', '6h>1*0.001', '3d>1*0.001']);
    expect(() => promqlShape(page!.expr)).not.toThrow();
    expect(page!.expr.split('\nor\n')).toHaveLength(2);
    expect(page!.expr.split('\nor\n').every((pair) => pair.includes('\n    and\n'))).toBe(true);
  });

  test.each([
    ['page disabled leaves only the ticket alert', 'page', ['ticket']],
    ['ticket disabled leaves only the page alert', 'ticket', ['page']],
  ] as const)('%s', (_description, disabled, expected) => {
    const slo = makeSlo();
    slo.alerting[disabled].disabled = true;
    expect(sloAlertRules(slo, windows30d).map((rule) => rule.labels.slo_severity)).toEqual(expected);
    expect(sloGuardingAlerts(slo, [{ name: 'alerts', rules: sloAlertRules(slo, windows30d) }]).map((alert) => alert.severity)).toEqual(expected);
  });

  test('annotations: Sloth defaults, overridden by the SLO, then by the severity', () => {
    const slo = makeSlo();
    slo.alerting.annotations = { summary: 'checkout is failing', runbook: 'r1' };
    slo.alerting.page.annotations = { runbook: 'r2' };
    const [page, ticket] = sloAlertRules(slo, windows30d);
    expect(page!.annotations).toEqual({
      runbook: 'r2',
      summary: 'checkout is failing',
      title: '(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.',
    });
    expect(ticket!.annotations.runbook).toBe('r1');
  });

  test.each([
    ['99.9% leaves 0.001', 99.9, 0.001],
    ['99.95% leaves 0.0005', 99.95, 0.0005],
    ['95% leaves 0.05', 95, 0.05],
  ])('errorBudget: %s', (_description, objective, expected) => {
    expect(errorBudget(objective)).toBe(expected);
  });
});

describe('metadataRecordingRules', () => {
  test('Sloth metadata rules with clean numbers and sloth_slo_info naming the spec format', () => {
    const rules = metadataRecordingRules(makeSlo(), 30 * 86_400_000, windows30d, { version: 'metricops', mode: 'cli-gen-prom' });
    expect(rules.map((rule) => [rule.record, rule.expr.split('\n')[0]])).toEqual([
      ['slo:objective:ratio', 'vector(0.999)'],
      ['slo:error_budget:ratio', 'vector(1-0.999)'],
      ['slo:time_period:days', 'vector(30)'],
      ['slo:current_burn_rate:ratio', 'slo:sli_error:ratio_rate5m{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"}'],
      ['slo:period_burn_rate:ratio', 'slo:sli_error:ratio_rate30d{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"}'],
      ['slo:period_error_budget_remaining:ratio', '1 - slo:period_burn_rate:ratio{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"}'],
      ['sloth_slo_info', 'vector(1)'],
    ]);
    expect(rules.at(-1)!.labels).toMatchObject({ sloth_objective: '99.9', sloth_spec: 'metricops/v1', sloth_mode: 'cli-gen-prom', sloth_version: 'metricops' });
  });
});

describe('inline rules', () => {
  const rule: InlineRule = {
    namespace: 'shop',
    deployment: 'checkout',
    expr: '  sum(rate(http_requests_total{code=~"5.."}[1m])) > 1\n',
    for: '2m',
    location: { source: 'deploy.yaml', document: 0 },
  };

  test('one page alert named MetricopsDeploymentRule, labelled with the Deployment, keeping the for: duration', () => {
    expect(inlineAlertRule(rule)).toMatchObject({
      alert: INLINE_RULE_ALERT,
      expr: 'sum(rate(http_requests_total{code=~"5.."}[1m])) > 1',
      for: '2m',
      labels: { namespace: 'shop', deployment: 'checkout', slo_severity: 'page' },
    });
  });

  test('its guarding alert has the same name and static labels and no slo', () => {
    expect(inlineGuardingAlert(rule)).toEqual({
      alert: 'MetricopsDeploymentRule',
      severity: 'page',
      labels: { deployment: 'checkout', namespace: 'shop', slo_severity: 'page' },
    });
  });
});

describe('inline rule annotations', () => {
  test.each([
    ['a plain expression is quoted in the description', 'up == 0', 'metricops.io/rule of Deployment shop/web: up == 0'],
    ['an expression with template braces is left out (annotations are Go templates)', 'up{job="{{x}}"} == 0', 'metricops.io/rule of Deployment shop/web'],
  ])('%s', (_description, expr, expected) => {
    const rule = inlineAlertRule({ namespace: 'shop', deployment: 'web', expr, for: '1m', location: { source: 'd.yaml' } });
    expect(rule.annotations.description).toBe(expected);
  });
});
