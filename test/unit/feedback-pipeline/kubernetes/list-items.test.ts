import { ListItemScanner, forEachListItem } from '../../../../feedback-pipeline/kubernetes/list-items.js';

const page = {
  kind: 'DeploymentList',
  apiVersion: 'apps/v1',
  metadata: { resourceVersion: '5000', continue: 'next-page-token' },
  items: [
    { metadata: { name: 'a', annotations: { tricky: 'braces } ] { [ and "quotes" and \\ backslashes' } }, spec: { list: [[1, 2], { x: [] }] } },
    { metadata: { name: 'b', labels: { 'app.kubernetes.io/name': 'ünïcödé ☃' } }, spec: {} },
    { metadata: { name: 'c' } },
  ],
};

/** Feeds the text in chunks of `size` characters, as the response stream would. */
function scanInChunks(text: string, size: number) {
  const items: unknown[] = [];
  const scanner = new ListItemScanner((item) => items.push(item));
  for (let i = 0; i < text.length; i += size) scanner.write(text.slice(i, i + size));
  return { items, metadata: scanner.end() };
}

describe('reading a list page one item at a time', () => {
  test.each([
    { description: 'the whole page in one chunk', size: Number.MAX_SAFE_INTEGER },
    { description: 'one character at a time (every cut inside strings, escapes and keys)', size: 1 },
    { description: 'chunks of 7 characters', size: 7 },
    { description: 'chunks of 64 characters', size: 64 },
  ])('$description: every item, equal to JSON.parse\'s, and the page metadata', ({ size }) => {
    const { items, metadata } = scanInChunks(JSON.stringify(page), size);
    expect(items).toEqual(page.items);
    expect(metadata).toEqual(page.metadata);
  });

  test('whitespace and key order as another server may write them: metadata after the items, pretty-printed', () => {
    const text = JSON.stringify({ items: page.items, kind: 'List', metadata: { resourceVersion: '7' } }, null, 2);
    const items: unknown[] = [];
    expect(forEachListItem(text, (item) => items.push(item))).toEqual({ resourceVersion: '7' });
    expect(items).toEqual(page.items);
  });

  test('an empty page: no items, its metadata', () => {
    const items: unknown[] = [];
    expect(forEachListItem('{"kind":"List","metadata":{"resourceVersion":"1"},"items":[]}', (item) => items.push(item))).toEqual({ resourceVersion: '1' });
    expect(items).toEqual([]);
  });

  test('a page cut off in the middle (a broken connection) is an error, not a short list', () => {
    const text = JSON.stringify(page);
    expect(() => forEachListItem(text.slice(0, text.length - 20), () => undefined)).toThrow('the list page ended in the middle of a JSON value');
  });
});
