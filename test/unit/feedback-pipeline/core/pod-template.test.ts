import { containerImages, templateImages } from '../../../../common/contract/images.js';
import { StampError } from '../../../../common/contract/stamp-error.js';
import { templatesEqual, withoutPodTemplateHash } from '../../../../feedback-pipeline/core/pod-template.js';

describe('templateImages', () => {
  test('app containers by name, init containers as init:<name> (the webhook metricops.io/images convention)', () => {
    expect(
      templateImages({
        spec: {
          containers: [{ name: 'app', image: 'shop/checkout:v2' }, { name: 'proxy', image: 'envoy:1.30' }],
          initContainers: [{ name: 'migrate', image: 'shop/migrate:v2' }],
        },
      }),
    ).toEqual({ app: 'shop/checkout:v2', proxy: 'envoy:1.30', 'init:migrate': 'shop/migrate:v2' });
  });

  test('a record of a ReplicaSet template equals the webhook stamp of the Deployment it came from', () => {
    const template = {
      metadata: { labels: { app: 'checkout', 'pod-template-hash': '7d9f' } },
      spec: {
        initContainers: [{ name: 'migrate', image: 'shop/migrate:v1' }, { name: 'app', image: 'shop/seed:v1' }],
        containers: [{ name: 'app', image: 'shop/checkout:v1' }],
      },
    };
    const stamped = containerImages({ spec: { template } });
    expect(templateImages(template)).toEqual(stamped);
    // An init container may share an app container's name: the prefix keeps both.
    expect(templateImages(template)).toEqual({ app: 'shop/checkout:v1', 'init:migrate': 'shop/migrate:v1', 'init:app': 'shop/seed:v1' });
  });

  test('a template without an image names the field instead of recording a partial map', () => {
    expect(() => templateImages({ spec: { containers: [{ name: 'app' }] } })).toThrow(StampError);
    expect(() => templateImages({ spec: { containers: [{ name: 'app' }] } })).toThrow('spec.template.spec.containers[0].image is not a string');
  });
});

describe('templatesEqual', () => {
  test.each([
    { description: 'only pod-template-hash differs: equal', a: { metadata: { labels: { app: 'a', 'pod-template-hash': '1' } } }, b: { metadata: { labels: { app: 'a' } } }, equal: true },
    { description: 'an image differs: not equal', a: { spec: { containers: [{ name: 'x', image: 'a:1' }] } }, b: { spec: { containers: [{ name: 'x', image: 'a:2' }] } }, equal: false },
    { description: 'an env value differs: not equal', a: { spec: { containers: [{ name: 'x', env: [{ name: 'E', value: '1' }] }] } }, b: { spec: { containers: [{ name: 'x', env: [{ name: 'E', value: '2' }] }] } }, equal: false },
    { description: 'container order differs: not equal', a: { spec: { containers: [{ name: 'x' }, { name: 'y' }] } }, b: { spec: { containers: [{ name: 'y' }, { name: 'x' }] } }, equal: false },
  ])('$description', ({ a, b, equal }) => {
    expect(templatesEqual(a as never, b as never)).toBe(equal);
  });
});

describe('withoutPodTemplateHash', () => {
  test('removes the label without touching the input; an emptied labels map goes too', () => {
    const template = { metadata: { labels: { 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'x' }] } };
    expect(withoutPodTemplateHash(template)).toEqual({ metadata: {}, spec: { containers: [{ name: 'x' }] } });
    expect(template.metadata.labels).toEqual({ 'pod-template-hash': 'abc' });
  });
});
