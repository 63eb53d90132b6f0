/**
 * Reads the install manifests as plain data for the static tests: every YAML document of every file under
 * manifests/, with where it came from, so a failing assertion names the file and document.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const manifestsDir = join(repoRoot, 'manifests');

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};

export interface ManifestDocument {
  /** Path relative to the repository root. */
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  object: KubeObject;
}

export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Parses one file; throws with file and line of the first YAML error. */
export function readDocuments(path: string): ManifestDocument[] {
  const text = readFileSync(path, 'utf8');
  const file = relative(repoRoot, path);
  return parseAllDocuments(text).flatMap((document, index) => {
    const [error] = document.errors;
    if (error) {
      const line = error.linePos?.[0].line ?? '?';
      throw new Error(`${file}:${line} (document ${index + 1}): ${error.message}`);
    }
    const object = document.toJS() as KubeObject | null;
    return object === null ? [] : [{ file, index, object }];
  });
}

export function whereIs(document: ManifestDocument): string {
  return `${document.file} document ${document.index + 1} (${document.object.kind} ${document.object.metadata?.name})`;
}

export function isKustomization(document: ManifestDocument): boolean {
  return document.object.kind === 'Kustomization' || document.object.kind === 'Component';
}

/** Every Kubernetes object committed under manifests/, patches included (kustomizations and components excluded). */
export function kubeObjects(): ManifestDocument[] {
  return yamlFilesUnder(manifestsDir)
    .flatMap(readDocuments)
    .filter((document) => !isKustomization(document));
}

export function objectsOfKind(kind: string): ManifestDocument[] {
  return kubeObjects().filter((document) => document.object.kind === kind && document.file.startsWith('manifests/base/'));
}

export function onlyObject(kind: string, name: string): KubeObject {
  const matches = kubeObjects().filter((document) => document.object.kind === kind && document.object.metadata.name === name && document.file.startsWith('manifests/base/'));
  if (matches.length !== 1) throw new Error(`expected one ${kind} ${name} in manifests/base, found ${matches.length}`);
  return matches[0]!.object;
}
