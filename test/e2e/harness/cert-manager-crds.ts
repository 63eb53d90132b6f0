import type { Cluster } from './control-plane.js';

/**
 * Minimal cert-manager CRDs (the real ones are not in the test cluster): cert-manager.io/v1 Issuer and
 * Certificate, namespaced, with the fields the real Certificate schema requires (secretName, issuerRef.name).
 * They prove an install's objects are well-formed for that API, not that cert-manager issues anything.
 */
export const CERT_MANAGER_CRD_NAMES = ['issuers.cert-manager.io', 'certificates.cert-manager.io'] as const;

export function certManagerCrd(kind: 'Issuer' | 'Certificate'): object {
  const plural = `${kind.toLowerCase()}s`;
  const spec =
    kind === 'Certificate'
      ? {
          type: 'object',
          required: ['secretName', 'issuerRef'],
          'x-kubernetes-preserve-unknown-fields': true,
          properties: {
            secretName: { type: 'string' },
            dnsNames: { type: 'array', items: { type: 'string' } },
            issuerRef: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, kind: { type: 'string' }, group: { type: 'string' } } },
          },
        }
      : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.cert-manager.io` },
    spec: {
      group: 'cert-manager.io',
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } }],
    },
  };
}

/** Creates the minimal CRDs and waits until they are served. */
export async function installCertManagerCrds(cluster: Cluster): Promise<void> {
  const ok = async (args: string[], input?: string) => {
    const result = await cluster.kubectl(args, input === undefined ? undefined : { input });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  };
  // A previous file's removal may still be finishing: a CRD being deleted cannot be applied again.
  await ok(['wait', '--for=delete', ...CERT_MANAGER_CRD_NAMES.map((name) => `crd/${name}`), '--timeout=60s']);
  await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [certManagerCrd('Issuer'), certManagerCrd('Certificate')] }));
  await ok(['wait', '--for=condition=Established', ...CERT_MANAGER_CRD_NAMES.map((name) => `crd/${name}`), '--timeout=30s']);
}

/** Removes them again, and waits until they are gone (the next file may install them again). */
export async function removeCertManagerCrds(cluster: Cluster): Promise<void> {
  await cluster.kubectl(['delete', 'crd', ...CERT_MANAGER_CRD_NAMES, '--ignore-not-found', '--timeout=60s']);
}
