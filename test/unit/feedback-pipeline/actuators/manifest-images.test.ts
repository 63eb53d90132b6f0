import { InvalidInputError } from '../../../../common/errors.js';
import { ManifestTargetError, replaceImages } from '../../../../feedback-pipeline/actuators/manifest-images.js';

const MANIFEST = `# Checkout, managed by Argo CD
apiVersion: v1
kind: Service
metadata:
  name: checkout   # same name, other kind
  namespace: shop
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: staging
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example/shop/checkout:2.0.0   # staging runs ahead
---
# the production Deployment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  annotations:
    metricops.io/git-path: apps/checkout.yaml
spec:
  replicas: 3    # scaled by HPA
  template:
    metadata:
      labels: {app: checkout}
    spec:
      initContainers:
      - name: migrate
        image: "registry.example/shop/migrate:2.0.0"
      containers:
        - name: app
          image: registry.example/shop/checkout:2.0.0 # bad
          ports:
            - containerPort: 8080
        - {name: sidecar, image: 'registry.example/envoy:1.30'}
        -   name: untouched
            image: registry.example/cache:7
`;

/** The text with every occurrence of `from` on the given 1-based line replaced: what the edit must produce. */
function withLine(text: string, line: number, from: string, to: string): string {
  const lines = text.split('\n');
  lines[line - 1] = lines[line - 1]!.replace(from, to);
  return lines.join('\n');
}

describe('replaceImages', () => {
  test('only the image scalars of the right Deployment change; every other byte stays', () => {
    const result = replaceImages(
      MANIFEST,
      { namespace: 'shop', name: 'checkout' },
      { app: 'registry.example/shop/checkout:1.9.3', sidecar: 'registry.example/envoy:1.29', 'init:migrate': 'registry.example/shop/migrate:1.9.3', untouched: 'registry.example/cache:7' },
      'apps/checkout.yaml',
    );
    let expected = withLine(MANIFEST, 38, 'registry.example/shop/migrate:2.0.0', 'registry.example/shop/migrate:1.9.3');
    expected = withLine(expected, 41, 'checkout:2.0.0', 'checkout:1.9.3');
    expected = withLine(expected, 44, "'registry.example/envoy:1.30'", "'registry.example/envoy:1.29'");
    expect(result.text).toBe(expected);
    expect(result.edits).toEqual([
      { container: 'app', from: 'registry.example/shop/checkout:2.0.0', to: 'registry.example/shop/checkout:1.9.3', line: 41 },
      { container: 'sidecar', from: 'registry.example/envoy:1.30', to: 'registry.example/envoy:1.29', line: 44 },
      { container: 'init:migrate', from: 'registry.example/shop/migrate:2.0.0', to: 'registry.example/shop/migrate:1.9.3', line: 38 },
    ]);
    expect(result.notFound).toEqual([]);
  });

  test.each([
    ['a Deployment without namespace matches any namespace', 'kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: web:2\n', 'kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: web:1\n'],
    ['a bare init container name does not touch an init container', 'kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      initContainers: [{name: app, image: init:2}]\n      containers: [{name: app, image: web:2}]\n', 'kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      initContainers: [{name: app, image: init:2}]\n      containers: [{name: app, image: web:1}]\n'],
    ['CRLF line ends are kept', 'kind: Deployment\r\nmetadata:\r\n  name: web\r\nspec:\r\n  template:\r\n    spec:\r\n      containers:\r\n      - name: app\r\n        image: web:2\r\n', 'kind: Deployment\r\nmetadata:\r\n  name: web\r\nspec:\r\n  template:\r\n    spec:\r\n      containers:\r\n      - name: app\r\n        image: web:1\r\n'],
    ['a double-quoted image stays double-quoted', 'kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: app, image: "web:2"}]}}}\n', 'kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: app, image: "web:1"}]}}}\n'],
  ])('%s', (_description, source, expected) => {
    expect(replaceImages(source, { namespace: 'shop', name: 'web' }, { app: 'web:1' }, 'web.yaml').text).toBe(expected);
  });

  test('a manifest that already has the images is returned unchanged with no edits', () => {
    const result = replaceImages(MANIFEST, { namespace: 'shop', name: 'checkout' }, { app: 'registry.example/shop/checkout:2.0.0' }, 'f.yaml');
    expect(result.text).toBe(MANIFEST);
    expect(result.edits).toEqual([]);
  });

  test('containers the manifest does not have are reported and left alone', () => {
    const result = replaceImages(MANIFEST, { namespace: 'shop', name: 'checkout' }, { app: 'x:1', 'istio-proxy': 'istio:1' }, 'f.yaml');
    expect(result.notFound).toEqual(['istio-proxy']);
    expect(result.edits.map((edit) => edit.container)).toEqual(['app']);
  });

  test.each([
    ['no Deployment has that name', { namespace: 'shop', name: 'cart' }, { app: 'x:1' }, /has no Deployment shop\/cart/],
    ['the Deployment has none of the containers', { namespace: 'shop', name: 'checkout' }, { web: 'x:1' }, /has none of the containers web/],
  ])('refuses when %s', (_description, target, images, message) => {
    expect(() => replaceImages(MANIFEST, target, images, 'f.yaml')).toThrow(ManifestTargetError);
    expect(() => replaceImages(MANIFEST, target, images, 'f.yaml')).toThrow(message);
  });

  test('two namespace-less Deployments of the same name are ambiguous', () => {
    const doc = 'kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: app, image: a}]}}}\n';
    expect(() => replaceImages(`${doc}---\n${doc}`, { namespace: 'shop', name: 'web' }, { app: 'b' }, 'f.yaml')).toThrow(/2 Deployments named web/);
  });

  test('invalid YAML is refused naming the file, document and line', () => {
    const bad = 'kind: Deployment\n---\nmetadata:\n  name: [web\n';
    try {
      replaceImages(bad, { namespace: 'shop', name: 'web' }, { app: 'b' }, 'apps/web.yaml');
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      const issue = (error as InvalidInputError).issues[0]!;
      expect(issue).toMatchObject({ source: 'apps/web.yaml', document: 1 });
      expect(issue.line).toBeGreaterThanOrEqual(4);
    }
  });
});
