/**
 * The Helm chart (charts/metricops) as plain files, without helm: its version is the package's, values.yaml documents
 * every key and matches values.schema.json key for key, the schema refuses unknown keys everywhere, and the feedback
 * RBAC rules in the chart are the kustomize ClusterRole's. What needs helm itself (rendering, the schema's messages,
 * the rendered install equal to the kustomize one, the real apiserver) is test/e2e/helm.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole } from '@kubernetes/client-node';
import { isMap, isScalar, parse, parseDocument, type YAMLMap } from 'yaml';
import { kubeObjects, onlyObject, repoRoot } from './manifest-files.js';

const chartDir = join(repoRoot, 'charts/metricops');
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  description?: string;
  maximum?: number;
}

const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Schema;
const valuesText = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
const values = parse(valuesText) as Record<string, unknown>;

/** Every object schema in the tree with its path (properties only: Kubernetes passthrough objects have none). */
function objectSchemas(node: Schema, path: string): Array<[string, Schema]> {
  const own: Array<[string, Schema]> = node.properties ? [[path || '(root)', node]] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([key, child]) => objectSchemas(child, path ? `${path}.${key}` : key));
  const items = node.items ? objectSchemas(node.items, `${path}[]`) : [];
  return [...own, ...children, ...items];
}

/** The key paths of values.yaml, down to where the schema stops describing properties. */
function valueKeys(value: unknown, node: Schema, path: string): string[] {
  if (!node.properties || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    const childSchema = node.properties![key];
    return [childPath, ...(childSchema ? valueKeys(child, childSchema, childPath) : [])];
  });
}

function schemaKeys(node: Schema, path: string): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    return [childPath, ...schemaKeys(child, childPath)];
  });
}

/** Key paths of values.yaml with no comment of their own right above them. */
function undocumentedKeys(map: YAMLMap, path: string, undocumentedInside: (path: string) => boolean): string[] {
  return map.items.flatMap((pair, index) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    const keyPath = path ? `${path}.${key}` : key;
    // yaml attaches a comment above a map's first key to the map itself.
    const comment = (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (index === 0 ? map.commentBefore : undefined);
    const missing = undocumentedInside(path) || (comment ?? '').trim() !== '' ? [] : [keyPath];
    return [...missing, ...(isMap(pair.value) ? undocumentedKeys(pair.value, keyPath, undocumentedInside) : [])];
  });
}

describe('Chart.yaml', () => {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;

  test(`the chart and the image it installs are the package version (${packageVersion})`, () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'metricops', type: 'application', version: packageVersion, appVersion: packageVersion });
  });

  test('it requires the Kubernetes version docs/install.md requires (1.25, Pod Security admission)', () => {
    expect(chart.kubeVersion).toBe('>=1.25.0-0');
  });
});

describe('values.schema.json', () => {
  test.each(objectSchemas(schema, ''))('%s refuses keys it does not define (additionalProperties: false)', (_path, node) => {
    expect(node.additionalProperties).toBe(false);
  });

  test('values.yaml sets only keys the schema defines', () => {
    const defined = new Set(schemaKeys(schema, ''));
    expect(valueKeys(values, schema, '').filter((key) => !defined.has(key))).toEqual([]);
  });

  test('values.yaml sets every key the schema defines, but inside empty defaults ({}), Kubernetes types (resources, updateStrategy) and global', () => {
    const valueAt = (path: string) => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
    const ancestors = (path: string) => path.split('.').slice(0, -1).map((_key, index, keys) => keys.slice(0, index + 1).join('.'));
    const optional = (path: string) =>
      path === 'global' || /(^|\.)(resources|updateStrategy)\./.test(path) ||
      ancestors(path).some((ancestor) => { const value = valueAt(ancestor); return typeof value === 'object' && value !== null && Object.keys(value).length === 0; });
    const set = new Set(valueKeys(values, schema, ''));
    expect(schemaKeys(schema, '').filter((key) => !optional(key) && !set.has(key))).toEqual([]);
  });

  test('every key the schema defines says what it is (description)', () => {
    const walk = (node: Schema, path: string): string[] =>
      Object.entries(node.properties ?? {}).flatMap(([key, child]) => [...(child.description ? [] : [`${path}${key}`]), ...walk(child, `${path}${key}.`)]);
    expect(walk(schema, '')).toEqual([]);
  });

  test('the receiver token Secret is required, never generated: the schema demands its name', () => {
    const feedback = schema.properties!.feedback!;
    expect(feedback.required).toContain('receiverToken');
    expect(feedback.properties!.receiverToken!.required).toEqual(['secretName']);
    expect(feedback.properties!.receiverToken!.properties!.secretName).toMatchObject({ type: 'string', minLength: 1 });
  });

  test('the feedback pipeline stays at one replica until it has leader election', () => {
    expect(schema.properties!.feedback!.properties!.replicas).toMatchObject({ minimum: 1, maximum: 1 });
  });
});

describe('values.yaml', () => {
  test('documents every key in place: a comment right above it (Kubernetes resource requirements aside)', () => {
    const document = parseDocument(valuesText);
    expect(undocumentedKeys(document.contents as YAMLMap, '', (path) => /(^|\.)resources(\.|$)/.test(path))).toEqual([]);
  });

  test('the defaults are the kustomize install\'s: image, replicas, resources, the receiver token Secret', () => {
    const deployment = (name: string) =>
      (onlyObject('Deployment', name) as unknown as { spec: { replicas: number; template: { spec: { containers: Array<{ image: string; resources: unknown }>; volumes: Array<{ name: string; secret?: { secretName: string } }> } } } }).spec;
    const webhook = deployment('metricops-webhook');
    const feedback = deployment('metricops-feedback');
    const chartValues = values as {
      image: { repository: string };
      webhook: { replicas: number; resources: unknown };
      feedback: { replicas: number; resources: unknown; receiverToken: { secretName: string } };
    };
    expect(webhook.template.spec.containers[0]!.image).toBe(`${chartValues.image.repository}:${packageVersion}`);
    expect(chartValues.webhook).toMatchObject({ replicas: webhook.replicas, resources: webhook.template.spec.containers[0]!.resources });
    expect(chartValues.feedback).toMatchObject({ replicas: feedback.replicas, resources: feedback.template.spec.containers[0]!.resources });
    expect(feedback.template.spec.volumes).toContainEqual({ name: 'receiver-token', secret: { secretName: chartValues.feedback.receiverToken.secretName } });
  });
});

describe('the feedback RBAC in the chart', () => {
  const rulesTemplate = readFileSync(join(chartDir, 'templates/_feedback-rbac-rules.tpl'), 'utf8');
  /** The YAML body of one `define` in the rules template. */
  function defined(name: string): unknown {
    const match = new RegExp(`{{- define "${name}" -}}\\n([\\s\\S]*?){{- end -}}`).exec(rulesTemplate);
    if (!match) throw new Error(`templates/_feedback-rbac-rules.tpl has no define "${name}"`);
    return parse(match[1]!) ?? [];
  }

  test('the cluster-wide rules are the kustomize ClusterRole\'s, rule for rule', () => {
    expect(defined('metricops.feedback.clusterRules')).toEqual((onlyObject('ClusterRole', 'metricops-feedback') as unknown as V1ClusterRole).rules);
  });

  test('the Flux rules (feedback.fluxReconcile) are the ClusterRole of manifests/components/flux, rule for rule', () => {
    const component = kubeObjects().filter((document) => document.object.kind === 'ClusterRole' && document.file.startsWith('manifests/components/flux/'));
    expect(defined('metricops.feedback.fluxRules')).toEqual((component[0]!.object as unknown as V1ClusterRole).rules);
  });

  test('the rules in its own namespace are the kustomize Role\'s (none today; leader election adds its Lease to both)', () => {
    const roles = kubeObjects().filter((document) => document.object.kind === 'Role' && document.file.startsWith('manifests/base/'));
    expect(defined('metricops.feedback.namespaceRules')).toEqual(roles.flatMap((document) => (document.object as unknown as V1ClusterRole).rules ?? []));
  });
});
