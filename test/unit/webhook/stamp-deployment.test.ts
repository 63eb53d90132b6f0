import fastJsonPatch from 'fast-json-patch';
import { ManualClock } from '../../../common/clock.js';
import { Annotations } from '../../../common/contract/annotations.js';
import type { AdmissionRequest } from '../../../webhook/admission-review.js';
import { admit } from '../../../webhook/admit.js';
import { INLINE_RULE_ALERT } from '../../../common/contract/inline-rule-alert.js';
import { stampDeployment } from '../../../webhook/stamp-deployment.js';
import { admissionRequest, checkoutAvailabilityAlerts, deployment, rulesIndex } from './fixtures.js';

const NOW = '2026-11-21T14:30:00.123Z';
const NOW_STAMP = '2026-11-21T14:30:00Z';
const OLD_TIME = '2026-11-20T09:00:00Z';
const OLD_IMAGES = JSON.stringify({ app: 'registry.example/checkout:1.0.0' });
const OLD_RULES = JSON.stringify(checkoutAvailabilityAlerts);
const stamped = { [Annotations.slo]: 'checkout-availability', [Annotations.images]: OLD_IMAGES, [Annotations.deployedAt]: OLD_TIME, [Annotations.rules]: OLD_RULES };
const v2 = [{ name: 'app', image: 'registry.example/checkout:2.0.0' }];

interface Case {
  description: string;
  request: AdmissionRequest;
  annotations: Record<string, string | undefined>;
  warnings?: RegExp[];
}

const cases: Case[] = [
  {
    description: 'CREATE without any annotations adds the annotations map with all three stamps and no guards',
    request: admissionRequest('CREATE', deployment()),
    annotations: { [Annotations.images]: OLD_IMAGES, [Annotations.deployedAt]: NOW_STAMP, [Annotations.rules]: '[]' },
  },
  {
    description: 'CREATE naming a known SLO stamps both of its alerts',
    request: admissionRequest('CREATE', deployment({ annotations: { [Annotations.slo]: 'checkout-availability' } })),
    annotations: { [Annotations.deployedAt]: NOW_STAMP, [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'CREATE overwrites stale stamps copied into the manifest',
    request: admissionRequest('CREATE', deployment({ annotations: { ...stamped, [Annotations.images]: '{"app":"old"}' } })),
    annotations: { [Annotations.deployedAt]: NOW_STAMP, [Annotations.images]: OLD_IMAGES, [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'UPDATE with a new image is a rollout: new time, new images, guards resolved again',
    request: admissionRequest('UPDATE', deployment({ annotations: stamped, containers: v2 }), deployment({ annotations: stamped })),
    annotations: { [Annotations.deployedAt]: NOW_STAMP, [Annotations.images]: JSON.stringify({ app: 'registry.example/checkout:2.0.0' }), [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'UPDATE changing only a pod template annotation (kubectl rollout restart) is a rollout',
    request: admissionRequest(
      'UPDATE',
      (() => {
        const object = deployment({ annotations: stamped });
        ((object.spec as { template: { metadata: Record<string, unknown> } }).template.metadata).annotations = { 'kubectl.kubernetes.io/restartedAt': NOW };
        return object;
      })(),
      deployment({ annotations: stamped }),
    ),
    annotations: { [Annotations.deployedAt]: NOW_STAMP, [Annotations.images]: OLD_IMAGES },
  },
  {
    description: 'UPDATE without a template change (scaling) keeps every stamp as it was',
    request: admissionRequest('UPDATE', (() => { const o = deployment({ annotations: stamped }); (o.spec as { replicas: number }).replicas = 9; return o; })(), deployment({ annotations: stamped })),
    annotations: { [Annotations.deployedAt]: OLD_TIME, [Annotations.images]: OLD_IMAGES, [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'UPDATE without a template change whose client dropped the stamps (kubectl replace) restores them from oldObject',
    request: admissionRequest('UPDATE', deployment({ annotations: { [Annotations.slo]: 'checkout-availability' } }), deployment({ annotations: stamped })),
    annotations: { [Annotations.deployedAt]: OLD_TIME, [Annotations.images]: OLD_IMAGES, [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'UPDATE without a template change whose client dropped every annotation restores the stamps only',
    request: admissionRequest('UPDATE', deployment(), deployment({ annotations: stamped })),
    annotations: { [Annotations.deployedAt]: OLD_TIME, [Annotations.images]: OLD_IMAGES, [Annotations.rules]: '[]', [Annotations.slo]: undefined },
  },
  {
    description: 'UPDATE without a template change cannot move deployed-at: the old time is restored',
    request: admissionRequest('UPDATE', deployment({ annotations: { ...stamped, [Annotations.deployedAt]: '2020-01-01T00:00:00Z' } }), deployment({ annotations: stamped })),
    annotations: { [Annotations.deployedAt]: OLD_TIME },
  },
  {
    description: 'UPDATE without a template change of a Deployment created before the webhook stamps images and guards but invents no rollout time',
    request: admissionRequest('UPDATE', deployment({ annotations: { [Annotations.slo]: 'checkout-availability' } }), deployment({ annotations: { [Annotations.slo]: 'checkout-availability' } })),
    annotations: { [Annotations.deployedAt]: undefined, [Annotations.images]: OLD_IMAGES, [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'UPDATE without a template change that adds an SLO name re-resolves the guards but keeps the rollout time',
    request: admissionRequest(
      'UPDATE',
      deployment({ annotations: { ...stamped, [Annotations.rules]: '[]', [Annotations.slo]: 'checkout-availability' } }),
      deployment({ annotations: { [Annotations.images]: OLD_IMAGES, [Annotations.deployedAt]: OLD_TIME, [Annotations.rules]: '[]' } }),
    ),
    annotations: { [Annotations.deployedAt]: OLD_TIME, [Annotations.rules]: OLD_RULES },
  },
  {
    description: 'several containers are all stamped, in spec order',
    request: admissionRequest('CREATE', deployment({ containers: [{ name: 'app', image: 'app:1' }, { name: 'envoy', image: 'envoyproxy/envoy:v1.31.0' }] })),
    annotations: { [Annotations.images]: JSON.stringify({ app: 'app:1', envoy: 'envoyproxy/envoy:v1.31.0' }) },
  },
  {
    description: 'init containers are stamped with an init: prefix after the app containers',
    request: admissionRequest('CREATE', deployment({ initContainers: [{ name: 'migrate', image: 'registry.example/migrate:7' }] })),
    annotations: { [Annotations.images]: JSON.stringify({ app: 'registry.example/checkout:1.0.0', 'init:migrate': 'registry.example/migrate:7' }) },
  },
  {
    description: 'an unknown SLO name stamps the known ones and warns naming the SLO and the rules directory',
    request: admissionRequest('CREATE', deployment({ annotations: { [Annotations.slo]: 'checkout-availability, checkout-latency' } })),
    annotations: { [Annotations.rules]: OLD_RULES },
    warnings: [/SLO "checkout-latency".*\/rules \(1 files, 2 alerts\).*slo="checkout-latency"/],
  },
  {
    description: 'an inline rule not compiled yet is stamped with the default inline alert for this Deployment',
    request: admissionRequest('CREATE', deployment({ annotations: { [Annotations.rule]: 'rate(http_errors_total[5m]) > 1' } })),
    annotations: {
      [Annotations.rules]: JSON.stringify([{ alert: INLINE_RULE_ALERT, severity: 'page', labels: { deployment: 'checkout', namespace: 'shop', slo_severity: 'page' } }]),
    },
  },
];

describe('stampDeployment', () => {
  test.each(cases)('$description', ({ request, annotations, warnings }) => {
    const before = structuredClone(request);
    const result = stampDeployment(request, rulesIndex(), new ManualClock(NOW));
    const stampedAnnotations = (result.object.metadata as { annotations: Record<string, string> }).annotations;
    for (const [key, value] of Object.entries(annotations)) expect([key, stampedAnnotations[key]]).toEqual([key, value]);
    expect(result.warnings).toHaveLength(warnings?.length ?? 0);
    warnings?.forEach((pattern, index) => expect(result.warnings[index]).toMatch(pattern));
    expect(result.object.spec).toEqual((request.object as { spec: unknown }).spec);
    expect(request).toEqual(before);
  });

  test('an inline rule compiled into the rules directory is stamped with the compiled alert', () => {
    const compiled = { alert: 'CheckoutInlineRule', severity: 'page' as const, labels: { namespace: 'shop', deployment: 'checkout', slo_severity: 'page', team: 'payments' } };
    const index = rulesIndex({ inline: new Map([['shop/checkout', [compiled]]]) });
    const request = admissionRequest('CREATE', deployment({ annotations: { [Annotations.rule]: 'up == 0' } }));
    const { object } = stampDeployment(request, index, new ManualClock(NOW));
    expect(JSON.parse((object.metadata as { annotations: Record<string, string> }).annotations[Annotations.rules]!)).toEqual([compiled]);
  });
});

describe('admit', () => {
  const clock = () => new ManualClock(NOW);

  test('a repeated UPDATE of an already stamped Deployment needs no patch', () => {
    const first = stampDeployment(admissionRequest('UPDATE', deployment({ annotations: stamped, containers: v2 }), deployment({ annotations: stamped })), rulesIndex(), clock());
    const later = new ManualClock(NOW);
    later.advance(3_600_000);
    const decision = admit(admissionRequest('UPDATE', first.object, first.object), rulesIndex(), later);
    expect(decision).toMatchObject({ result: 'unchanged', operations: 0, response: { allowed: true } });
    expect(decision.response.patch).toBeUndefined();
  });

  test('reinvocation with the object this webhook just stamped needs no patch, even a few seconds later', () => {
    const request = admissionRequest('UPDATE', deployment({ annotations: stamped, containers: v2 }), deployment({ annotations: stamped }));
    const first = stampDeployment(request, rulesIndex(), clock());
    const later = new ManualClock(NOW);
    later.advance(2_500);
    const decision = admit({ ...request, object: first.object }, rulesIndex(), later);
    expect(decision.result).toBe('unchanged');
  });

  test('the patch applied to the object gives the stamped object, escaping "/" in annotation keys as ~1', () => {
    const object = deployment();
    const decision = admit(admissionRequest('CREATE', object), rulesIndex(), clock());
    expect(decision.result).toBe('patched');
    const patch = JSON.parse(Buffer.from(decision.response.patch!, 'base64').toString()) as fastJsonPatch.Operation[];
    expect(patch).toEqual([{ op: 'add', path: '/metadata/annotations', value: expect.any(Object) }]);
    const withAnnotations = deployment({ annotations: { team: 'payments' } });
    const second = admit(admissionRequest('CREATE', withAnnotations), rulesIndex(), clock());
    const ops = JSON.parse(Buffer.from(second.response.patch!, 'base64').toString()) as fastJsonPatch.Operation[];
    expect(ops.map((op) => op.path).sort()).toEqual(['/metadata/annotations/metricops.io~1deployed-at', '/metadata/annotations/metricops.io~1images', '/metadata/annotations/metricops.io~1rules']);
    const patched = fastJsonPatch.applyPatch(structuredClone(withAnnotations), ops).newDocument as { metadata: { annotations: Record<string, string> } };
    expect(patched.metadata.annotations).toEqual({ team: 'payments', [Annotations.images]: OLD_IMAGES, [Annotations.deployedAt]: NOW_STAMP, [Annotations.rules]: '[]' });
  });

  test.each([
    { description: 'DELETE of a Deployment', request: admissionRequest('DELETE', undefined, deployment()) },
    { description: 'CONNECT', request: admissionRequest('CONNECT', {}) },
    { description: 'a StatefulSet', request: admissionRequest('CREATE', deployment(), undefined, { kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' } }) },
    { description: 'a Deployment of another group', request: admissionRequest('CREATE', deployment(), undefined, { kind: { group: 'example.com', version: 'v1', kind: 'Deployment' } }) },
    { description: 'the scale subresource', request: admissionRequest('UPDATE', {}, {}, { subResource: 'scale' }) },
  ])('$description is allowed without a patch', ({ request }) => {
    expect(admit(request, rulesIndex(), clock())).toEqual({ result: 'skipped', response: { allowed: true }, operations: 0 });
  });

  test('a dryRun request gets the same answer as a real one', () => {
    const real = admit(admissionRequest('CREATE', deployment()), rulesIndex(), clock());
    const dry = admit(admissionRequest('CREATE', deployment(), undefined, { dryRun: true }), rulesIndex(), clock());
    expect(dry).toEqual(real);
  });

  test.each([
    { description: 'a Deployment without containers', object: { metadata: { name: 'x' }, spec: { template: { spec: {} } } }, message: /spec\.template\.spec\.containers is missing/ },
    { description: 'a container without an image', object: deployment({ containers: [{ name: 'app' } as { name: string; image: string }] }), message: /spec\.template\.spec\.containers\[0\]\.image is not a string/ },
    { description: 'an annotation that is not a string', object: { ...deployment(), metadata: { annotations: { a: 1 } } }, message: /metadata\.annotations\["a"\] is not a string/ },
  ])('fails open on $description: allowed, no patch, a warning saying why', ({ object, message }) => {
    const decision = admit(admissionRequest('CREATE', object), rulesIndex(), clock());
    expect(decision.result).toBe('fail_open');
    expect(decision.response.allowed).toBe(true);
    expect(decision.response.patch).toBeUndefined();
    expect(decision.response.warnings?.[0]).toMatch(message);
  });
});
