import { containerImages, templateImages } from '../../../../common/contract/images.js';
import { StampError } from '../../../../common/contract/stamp-error.js';

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
