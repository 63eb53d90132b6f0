import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './repo-root.js';

export interface CheckoutManifestOptions {
  /** Image tag of the checkout container, e.g. "v2". */
  version: string;
  /** Moves the Namespace and every namespaced object to this namespace; default: as in the file (shop). */
  namespace?: string;
  /** Default examples/deploy/checkout.yaml. */
  file?: string;
}

/** The example app's image without tag (examples/deploy/checkout.yaml). */
export const CHECKOUT_IMAGE = 'example.com/metricops/checkout';

/**
 * The example Deployment manifest as a person would commit it to a GitOps repository: the file's own text with only
 * the checkout image tag (and optionally the namespace) changed; comments and layout stay as they are.
 */
export async function checkoutManifest(options: CheckoutManifestOptions): Promise<string> {
  const file = options.file ?? join(repoRoot(), 'examples', 'deploy', 'checkout.yaml');
  const documents = parseAllDocuments(await readFile(file, 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${file} holds no YAML documents`);
  let images = 0;
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${file} is not valid YAML: ${document.errors[0]!.message}`);
    const kind = document.get('kind');
    if (options.namespace) document.setIn(kind === 'Namespace' ? ['metadata', 'name'] : ['metadata', 'namespace'], options.namespace);
    if (kind !== 'Deployment') continue;
    const containers = document.getIn(['spec', 'template', 'spec', 'containers']) as { items: unknown[] } | undefined;
    containers?.items.forEach((_container, index) => {
      const image = document.getIn(['spec', 'template', 'spec', 'containers', index, 'image']);
      if (typeof image === 'string' && image.startsWith(`${CHECKOUT_IMAGE}:`)) {
        document.setIn(['spec', 'template', 'spec', 'containers', index, 'image'], `${CHECKOUT_IMAGE}:${options.version}`);
        images += 1;
      }
    });
  }
  if (images === 0) throw new Error(`${file} has no container with image ${CHECKOUT_IMAGE}:<tag>`);
  return documents.map((document) => document.toString({ flowCollectionPadding: false, lineWidth: 0 })).join('');
}
