import type { Slo } from '../../../../slo-compiler/model.js';
import { parseSpecs } from '../../../../slo-compiler/inputs/parse.js';

function parseOne(text: string, options = {}) {
  const result = parseSpecs([{ source: 'specs.yaml', text }], options);
  expect(result.issues).toEqual([]);
  return result.input;
}

const enabled = { disabled: false, labels: {}, annotations: {} };

describe('native metricops.io/v1alpha1 specs', () => {
  const full = `
apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata: {name: checkout-availability, namespace: shop, labels: {team: payments}}
spec:
  service: checkout
  description: Checkout requests succeed.
  objective: 99.9
  window: 4w
  target: {deployment: checkout}
  indicator:
    ratio: {errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}'}
  alerting:
    name: CheckoutAvailabilityBurn
    labels: {team: payments}
    annotations: {runbook: 'https://runbooks/checkout'}
    page: {labels: {route: pager}}
    ticket: {disabled: true}
`;

  test('a full spec becomes one Slo with every field carried over', () => {
    const expected: Slo = {
      name: 'checkout-availability',
      slothId: 'checkout-availability',
      service: 'checkout',
      slothSlo: 'checkout-availability',
      description: 'Checkout requests succeed.',
      objective: 99.9,
      window: '28d',
      labels: { team: 'payments' },
      target: { namespace: 'shop', deployment: 'checkout' },
      indicator: { kind: 'ratio', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' },
      alerting: {
        name: 'CheckoutAvailabilityBurn',
        labels: { team: 'payments' },
        annotations: { runbook: 'https://runbooks/checkout' },
        page: { disabled: false, labels: { route: 'pager' }, annotations: {} },
        ticket: { disabled: true, labels: {}, annotations: {} },
      },
      format: 'metricops',
      location: { source: 'specs.yaml', document: 0, path: 'metadata.name' },
    };
    expect(parseOne(full)).toEqual({ slos: [expected], inlineRules: [] });
  });

  const minimal = (indicator: string, extra = '') => `
apiVersion: metricops.io/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-slo}
spec:
  service: api
  objective: 99${extra}
  indicator:
${indicator}
`;

  test.each([
    {
      description: 'an events indicator keeps {{window}} templates and rewrites {{.window}} to {{window}}',
      indicator: `    events: {errorQuery: 'sum(rate(errs[{{window}}]))', totalQuery: 'sum(rate(reqs[{{ .window }}]))'}`,
      expected: { kind: 'events', errorQuery: 'sum(rate(errs[{{window}}]))', totalQuery: 'sum(rate(reqs[{{window}}]))' },
    },
    {
      description: 'a raw indicator is an error ratio template',
      indicator: `    raw: {errorRatioQuery: 'max(job:error_ratio:rate{{window}})'}`,
      expected: { kind: 'raw', errorRatioQuery: 'max(job:error_ratio:rate{{window}})' },
    },
    {
      description: 'a latency indicator defaults to a classic histogram',
      indicator: `    latency: {histogram: 'http_request_duration_seconds{job="api"}', threshold: 0.3}`,
      expected: { kind: 'latency', histogram: 'http_request_duration_seconds{job="api"}', threshold: 0.3, native: false },
    },
    {
      description: 'a latency indicator with native: true selects native histograms',
      indicator: `    latency: {histogram: 'http_request_duration_seconds', threshold: 1, native: true}`,
      expected: { kind: 'latency', histogram: 'http_request_duration_seconds', threshold: 1, native: true },
    },
    {
      description: 'a boolGauge indicator keeps its metric selector',
      indicator: `    boolGauge: {metric: 'probe_success{job="blackbox"}'}`,
      expected: { kind: 'boolGauge', metric: 'probe_success{job="blackbox"}' },
    },
  ])('$description', ({ indicator, expected }) => {
    expect(parseOne(minimal(indicator)).slos[0]?.indicator).toEqual(expected);
  });

  test('defaults: window 30d, namespace default, no target, alert name from the SLO name, both alerts enabled', () => {
    const slo = parseOne(minimal(`    boolGauge: {metric: up}`)).slos[0]!;
    expect(slo).toMatchObject({ window: '30d', labels: {}, description: '' });
    expect(slo.target).toBeUndefined();
    expect(slo.alerting).toEqual({ name: 'ApiSloBurn', labels: {}, annotations: {}, page: enabled, ticket: enabled });
  });

  test('the default window option applies to native specs without a window', () => {
    expect(parseOne(minimal(`    boolGauge: {metric: up}`), { defaultWindow: '7d' }).slos[0]?.window).toBe('7d');
  });

  test('a target namespace overrides metadata.namespace', () => {
    const text = minimal(`    boolGauge: {metric: up}`, '\n  target: {deployment: web, namespace: frontend}');
    expect(parseOne(text).slos[0]?.target).toEqual({ namespace: 'frontend', deployment: 'web' });
  });
});

describe('Sloth prometheus/v1 specs', () => {
  const sloth = `
version: "prometheus/v1"
service: "myservice"
labels:
  owner: "myteam"
  tier: "2"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    labels:
      tier: "1"
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      labels:
        category: "availability"
      annotations:
        summary: "High error rate on 'myservice' requests responses"
      page_alert:
        labels:
          severity: pageteam
          routing_key: myteam
      ticket_alert:
        labels:
          severity: "slack"
          slack_channel: "#alerts-myteam"
  - name: "raw-latency"
    objective: 99
    sli:
      raw:
        error_ratio_query: |
          1 - (sum(rate(lat_bucket{le="0.5"}[{{.window}}])) / sum(rate(lat_count[{{.window}}])))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
`;

  test('each SLO becomes an Slo named by Sloth id <service>-<name>, with merged labels and {{window}} templates', () => {
    const { slos } = parseOne(sloth);
    expect(slos).toEqual([
      {
        name: 'myservice-requests-availability',
        slothId: 'myservice-requests-availability',
        service: 'myservice',
        slothSlo: 'requests-availability',
        description: 'Common SLO based on availability for HTTP request responses.',
        objective: 99.9,
        window: '30d',
        labels: { owner: 'myteam', tier: '1' },
        indicator: {
          kind: 'events',
          errorQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{window}}]))',
          totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{window}}]))',
        },
        alerting: {
          name: 'MyServiceHighErrorRate',
          labels: { category: 'availability' },
          annotations: { summary: "High error rate on 'myservice' requests responses" },
          page: { disabled: false, labels: { severity: 'pageteam', routing_key: 'myteam' }, annotations: {} },
          ticket: { disabled: false, labels: { severity: 'slack', slack_channel: '#alerts-myteam' }, annotations: {} },
        },
        format: 'sloth',
        location: { source: 'specs.yaml', document: 0, path: 'slos[0].name' },
      },
      expect.objectContaining({
        name: 'myservice-raw-latency',
        indicator: {
          kind: 'raw',
          errorRatioQuery: '1 - (sum(rate(lat_bucket{le="0.5"}[{{window}}])) / sum(rate(lat_count[{{window}}])))\n',
        },
        alerting: expect.objectContaining({ name: '', page: { disabled: true, labels: {}, annotations: {} } }),
      }),
    ]);
  });

  test('the default window option sets the Sloth SLO period', () => {
    expect(parseOne(sloth, { defaultWindow: '28d' }).slos.map((slo) => slo.window)).toEqual(['28d', '28d']);
  });

  test('deployment and namespace labels make the SLO guard that Deployment', () => {
    const text = sloth.replace('  tier: "2"', '  tier: "2"\n  deployment: myservice\n  namespace: prod');
    expect(parseOne(text).slos[0]).toMatchObject({
      target: { namespace: 'prod', deployment: 'myservice' },
      labels: { deployment: 'myservice', namespace: 'prod' },
    });
  });
});

describe('Sloth PrometheusServiceLevel (Kubernetes) resources', () => {
  test('a PrometheusServiceLevel yields the same SLOs as its prometheus/v1 equivalent, located under spec, with its spec kind and metadata', () => {
    const crd = `
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: myservice, namespace: monitoring, labels: {app: sloth}}
spec:
  service: myservice
  labels: {owner: myteam}
  slos:
    - name: requests-availability
      objective: 99.9
      description: Requests succeed.
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total[{{.window}}]))
      alerting:
        name: MyServiceHighErrorRate
        labels: {category: availability}
        pageAlert: {labels: {severity: page}}
        ticketAlert: {disable: true}
    - name: ratio
      objective: 99
      sli: {raw: {errorRatioQuery: 'max(ratio[{{.window}}])'}}
      alerting: {pageAlert: {disable: true}, ticketAlert: {disable: true}}
`;
    const v1 = `
version: prometheus/v1
service: myservice
labels: {owner: myteam}
slos:
  - name: requests-availability
    objective: 99.9
    description: Requests succeed.
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      labels: {category: availability}
      page_alert: {labels: {severity: page}}
      ticket_alert: {disable: true}
  - name: ratio
    objective: 99
    sli: {raw: {error_ratio_query: 'max(ratio[{{.window}}])'}}
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
`;
    const fromCrd = parseOne(crd).slos;
    const fromV1 = parseOne(v1).slos;
    expect(fromCrd.map((slo) => slo.location.path)).toEqual(['spec.slos[0].name', 'spec.slos[1].name']);
    expect(fromCrd.map(({ location: _location, spec: _spec, objectMeta: _meta, ...slo }) => slo)).toEqual(fromV1.map(({ location: _location, ...slo }) => slo));
    expect(fromCrd.map((slo) => slo.name)).toEqual(['myservice-requests-availability', 'myservice-ratio']);
    expect(fromCrd.map((slo) => [slo.spec, slo.objectMeta])).toEqual([
      ['sloth.slok.dev/v1', { name: 'myservice', namespace: 'monitoring', labels: { app: 'sloth' } }],
      ['sloth.slok.dev/v1', { name: 'myservice', namespace: 'monitoring', labels: { app: 'sloth' } }],
    ]);
    expect(fromV1.map((slo) => slo.spec)).toEqual([undefined, undefined]);
  });
});

describe('OpenSLO v1 specs', () => {
  const openslo = (ratio: string, objective = 'target: 0.995') => `
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
  displayName: Search availability
  labels: {team: search, tier: [gold, external]}
  annotations: {metricops.io/target: search/search-api}
spec:
  service: search
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  indicator:
    metadata: {name: search-errors}
    spec:
      ratioMetric:
        counter: true
${ratio}
        total:
          metricSource:
            type: Prometheus
            spec: {query: 'http_requests_total{job="search"}'}
  objectives:
    - displayName: good
      ${objective}
`;

  test('bad over total becomes a ratio indicator; target ratio becomes a percent; the annotation sets the target', () => {
    const { slos } = parseOne(openslo(`        bad:\n          metricSource: {type: Prometheus, spec: {query: 'http_requests_total{job="search",code=~"5.."}'}}`));
    expect(slos).toEqual([
      {
        name: 'search-availability',
        slothId: 'search-availability',
        service: 'search',
        slothSlo: 'search-availability',
        description: 'Search availability',
        objective: 99.5,
        window: '28d',
        labels: { team: 'search', tier: 'gold,external' },
        target: { namespace: 'search', deployment: 'search-api' },
        indicator: { kind: 'ratio', errors: 'http_requests_total{job="search",code=~"5.."}', total: 'http_requests_total{job="search"}' },
        alerting: { name: 'SearchAvailabilityBurn', labels: {}, annotations: {}, page: enabled, ticket: enabled },
        format: 'openslo',
        location: { source: 'specs.yaml', document: 0, path: 'metadata.name' },
      },
    ]);
  });

  test('good over total becomes an events indicator counting total minus good', () => {
    const { slos } = parseOne(openslo(`        good:\n          metricSource: {type: Prometheus, spec: {query: 'http_requests_total{job="search",code!~"5.."}'}}`, 'targetPercent: 99.9'));
    expect(slos[0]?.objective).toBe(99.9);
    expect(slos[0]?.indicator).toEqual({
      kind: 'events',
      errorQuery: 'sum(rate(http_requests_total{job="search"}[{{window}}])) - sum(rate(http_requests_total{job="search",code!~"5.."}[{{window}}]))',
      totalQuery: 'sum(rate(http_requests_total{job="search"}[{{window}}]))',
    });
  });
});

describe('OpenSLO SLI objects referenced by indicatorRef', () => {
  test('an SLO takes the indicator of the SLI it names, from any input, before or after it', () => {
    const slo = (name: string) => `apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: ${name}}\nspec:\n  service: search\n  budgetingMethod: Occurrences\n  timeWindow: [{duration: 7d, isRolling: true}]\n  objectives: [{targetPercent: 99}]\n  indicatorRef: search-errors\n`;
    const sli = `apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: search-errors}\nspec:\n  ratioMetric:\n    counter: true\n    bad: {metricSource: {type: Prometheus, spec: {query: 'errs{job="search"}'}}}\n    total: {metricSource: {type: Prometheus, spec: {query: 'reqs{job="search"}'}}}\n`;
    const result = parseSpecs([
      { source: 'a.yaml', text: slo('search-a') },
      { source: 'b.yaml', text: `${sli}---\n${slo('search-b')}` },
    ]);
    expect(result.issues).toEqual([]);
    const indicator = { kind: 'ratio', errors: 'errs{job="search"}', total: 'reqs{job="search"}' };
    expect(result.input.slos.map((one) => [one.name, one.window, one.indicator])).toEqual([
      ['search-a', '7d', indicator],
      ['search-b', '7d', indicator],
    ]);
  });
});

describe('Kubernetes manifests among the inputs', () => {
  test('a Deployment with metricops.io/rule becomes an inline rule; for defaults to 1m, namespace to default', () => {
    const text = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  annotations:
    metricops.io/rule: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[1m])) > 1'
    metricops.io/rule-for: 2m
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  annotations: {metricops.io/rule: 'up{job="cart"} == 0'}
`;
    expect(parseOne(text).inlineRules).toEqual([
      {
        namespace: 'shop',
        deployment: 'checkout',
        expr: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[1m])) > 1',
        for: '2m',
        location: { source: 'specs.yaml', document: 0, path: 'metadata.annotations["metricops.io/rule"]' },
      },
      {
        namespace: 'default',
        deployment: 'cart',
        expr: 'up{job="cart"} == 0',
        for: '1m',
        location: { source: 'specs.yaml', document: 1, path: 'metadata.annotations["metricops.io/rule"]' },
      },
    ]);
  });

  test('Services, ConfigMaps, custom resources, OpenSLO Services and un-annotated Deployments are skipped silently', () => {
    const text = `
apiVersion: v1
kind: Service
metadata: {name: checkout}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop}
---
apiVersion: openslo/v1
kind: Service
metadata: {name: search}
spec: {description: Search}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: plain}
`;
    expect(parseOne(text)).toEqual({ slos: [], inlineRules: [] });
  });

  test('empty documents between separators are ignored and document indexes stay file positions', () => {
    // The first "---" opens document 0 (empty), the second opens document 1.
    const text = `---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, annotations: {metricops.io/rule: up == 0}}\n`;
    expect(parseOne(text).inlineRules[0]?.location.document).toBe(1);
  });
});
