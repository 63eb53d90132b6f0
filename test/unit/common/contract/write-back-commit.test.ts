import { imageVersion, parseTrailers, writeBackMessage } from '../../../../common/contract/write-back-commit.js';

describe('the write-back commit', () => {
  test.each([
    ['a tag is the version', 'example.com/shop/checkout:v1', 'v1'],
    ['a registry port is not a tag', 'localhost:5000/checkout', 'localhost:5000/checkout'],
    ['a digest is shortened', 'example.com/checkout@sha256:0123456789abcdef0123', 'sha256:0123456789ab'],
  ])('%s', (_description, image, version) => {
    expect(imageVersion(image)).toBe(version);
  });

  test('the subject says what a person wants to know; several containers are named when their versions differ', () => {
    const base = {
      decision: 'd1', deployment: { namespace: 'shop', name: 'checkout' }, reason: 'r', gitPath: 'x.yaml',
      alert: { name: 'CheckoutAvailabilitySLO', fingerprint: 'f', startsAt: '2026-11-30T10:00:05.000Z' },
    };
    const one = writeBackMessage({ ...base, changes: [{ container: 'checkout', from: 'c:v2', to: 'c:v1' }, { container: 'init:migrate', from: 'm:v2', to: 'm:v1' }] });
    expect(one.split('\n')[0]).toBe('revert checkout to v1: CheckoutAvailabilitySLO burning since 2026-11-30T10:00:05.000Z');
    const two = writeBackMessage({ ...base, changes: [{ container: 'checkout', from: 'c:v2', to: 'c:v1' }, { container: 'init:migrate', from: 'm:7', to: 'm:6' }] });
    expect(two.split('\n')[0]).toBe('revert checkout to checkout v1, init:migrate 6: CheckoutAvailabilitySLO burning since 2026-11-30T10:00:05.000Z');
    expect(parseTrailers(two).map((trailer) => trailer.key)).toEqual([
      'Metricops-Decision', 'Metricops-Deployment', 'Metricops-Alert', 'Metricops-From', 'Metricops-From', 'Metricops-To', 'Metricops-To',
    ]);
  });
});
