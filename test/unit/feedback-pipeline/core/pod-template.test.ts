import { templatesEqual, withoutPodTemplateHash } from '../../../../feedback-pipeline/core/pod-template.js';

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
