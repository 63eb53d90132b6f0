import { parseAllDocuments, stringify } from 'yaml';

/** The fields every Kubernetes object has, for tests that read rendered manifests (kustomize, helm). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Every object of a multi-document YAML stream (empty documents skipped). */
export function documents(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export function toYaml(objects: readonly object[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}

/** kind/name of each object, the way `kubectl apply` reports them. */
export function objectKeys(objects: readonly KubeObject[]): string[] {
  return objects.map((object) => `${object.kind.toLowerCase()}/${object.metadata.name}`).sort();
}
