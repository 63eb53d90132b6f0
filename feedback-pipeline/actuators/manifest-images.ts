import { isMap, isScalar, isSeq, parseAllDocuments, Scalar, type Document } from 'yaml';
import { namespacedName, type DeploymentRef } from '../../common/contract/deployment-ref.js';
import { INIT_CONTAINER_PREFIX } from '../../common/contract/images.js';
import { InvalidInputError, MetricopsError, type InputIssue } from '../../common/errors.js';

export class ManifestTargetError extends MetricopsError {}

/** The Deployment whose manifest is edited. */
export type ManifestTarget = DeploymentRef;

export interface ImageEdit {
  /** Images-map key: container name, or init:<name>. */
  container: string;
  from: string;
  to: string;
  line: number;
}

export interface ImageReplacement {
  text: string;
  edits: ImageEdit[];
  /** Keys of the images map that no container of the manifest has (left alone). */
  notFound: string[];
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

const PLAIN_IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/;

/** The new scalar's source text, quoted the way the old one was. */
function scalarText(node: Scalar, image: string): string {
  if (node.type === Scalar.QUOTE_SINGLE) return `'${image.replaceAll("'", "''")}'`;
  if (node.type === Scalar.QUOTE_DOUBLE || !PLAIN_IMAGE.test(image)) return JSON.stringify(image);
  return image;
}

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index += 1) if (source.charCodeAt(index) === 10) line += 1;
  return line;
}

function stringAt(document: Document, path: string[]): string | undefined {
  const value = document.getIn(path);
  return typeof value === 'string' ? value : undefined;
}

/** The one document that is the target Deployment: same kind and name, and same namespace (or none set). */
function pickDeployment(documents: Document[], target: ManifestTarget, file: string): Document {
  const named = documents.filter((document) => stringAt(document, ['kind']) === 'Deployment' && stringAt(document, ['metadata', 'name']) === target.name);
  const exact = named.filter((document) => stringAt(document, ['metadata', 'namespace']) === target.namespace);
  const unset = named.filter((document) => stringAt(document, ['metadata', 'namespace']) === undefined);
  const candidates = exact.length > 0 ? exact : unset;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new ManifestTargetError(`${file} has no Deployment ${namespacedName(target)} (kind Deployment, metadata.name ${target.name}, metadata.namespace ${target.namespace} or unset): fix the metricops.io/git-path annotation`);
  }
  throw new ManifestTargetError(`${file} has ${candidates.length} Deployments named ${target.name} that could be ${namespacedName(target)}: set metadata.namespace in the manifest`);
}

/**
 * Replaces the image of each container named in `images` inside the target Deployment of a (multi-document)
 * manifest, by splicing only the image scalars into the original text: comments, layout and every other
 * byte stay as they were. Pure.
 */
export function replaceImages(source: string, target: ManifestTarget, images: Record<string, string>, file: string): ImageReplacement {
  const documents = parseAllDocuments(source);
  if (!Array.isArray(documents)) return { text: source, edits: [], notFound: Object.keys(images) };
  const issues: InputIssue[] = documents.flatMap((document, index) =>
    document.errors.map((error) => ({ source: file, document: index, ...(error.linePos?.[0] ? { line: error.linePos[0].line, column: error.linePos[0].col } : {}), message: error.message.split('\n')[0] ?? error.message })),
  );
  if (issues.length > 0) throw new InvalidInputError(issues);

  const deployment = pickDeployment(documents, target, file);
  const podSpec = deployment.getIn(['spec', 'template', 'spec'], true);
  if (!isMap(podSpec)) throw new ManifestTargetError(`${file}: Deployment ${namespacedName(target)} has no spec.template.spec map`);

  const splices: Splice[] = [];
  const edits: ImageEdit[] = [];
  const found = new Set<string>();
  for (const [list, prefix] of [['containers', ''], ['initContainers', INIT_CONTAINER_PREFIX]] as const) {
    const containers = podSpec.get(list, true);
    if (!isSeq(containers)) continue;
    for (const container of containers.items) {
      if (!isMap(container)) continue;
      const name = container.get('name');
      if (typeof name !== 'string') continue;
      const key = prefix + name;
      const wanted = images[key];
      if (wanted === undefined) continue;
      const node = container.get('image', true);
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range) {
        throw new ManifestTargetError(`${file}: spec.template.spec.${list} "${name}" has no plain image field to rewrite`);
      }
      if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) {
        throw new ManifestTargetError(`${file}: the image of ${list} "${name}" is a block scalar; write it on one line`);
      }
      found.add(key);
      if (node.value === wanted) continue;
      const [start, valueEnd] = node.range;
      splices.push({ start, end: valueEnd, text: scalarText(node, wanted) });
      edits.push({ container: key, from: node.value, to: wanted, line: lineOf(source, start) });
    }
  }
  const notFound = Object.keys(images).filter((key) => !found.has(key));
  if (found.size === 0 && Object.keys(images).length > 0) {
    throw new ManifestTargetError(`${file}: Deployment ${namespacedName(target)} has none of the containers ${notFound.join(', ')}`);
  }
  let text = source;
  for (const splice of splices.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, splice.start) + splice.text + text.slice(splice.end);
  }
  return { text, edits, notFound };
}
