import { METRICOPS_API_VERSION, METRICOPS_KIND } from './metricops-spec.js';
import { OPENSLO_API_VERSION } from './openslo-spec.js';
import { OPENSLO_V1ALPHA } from './openslo-v1alpha.js';
import { ALERT_WINDOWS_KIND } from './alert-windows.js';
import { SLOTH_CRD_API_VERSION, SLOTH_CRD_KIND } from './sloth-crd.js';
import { SLOTH_VERSION } from './sloth-spec.js';
import type { DocumentIssue } from './document-issue.js';
import { describe } from './describe-value.js';

export type DocumentKind = 'metricops' | 'sloth' | 'sloth-crd' | 'openslo' | 'openslo-v1alpha' | 'openslo-sli' | 'deployment' | 'skip';

export const SUPPORTED_INPUTS = [
  `apiVersion: ${METRICOPS_API_VERSION}, kind: ${METRICOPS_KIND}`,
  `Sloth version: "${SLOTH_VERSION}"`,
  `apiVersion: ${SLOTH_CRD_API_VERSION}, kind: ${SLOTH_CRD_KIND}`,
  `apiVersion: ${OPENSLO_API_VERSION}, kind: SLO or SLI`,
  `apiVersion: ${OPENSLO_V1ALPHA}, kind: SLO`,
  'apiVersion: apps/v1, kind: Deployment (with a metricops.io/rule annotation)',
].join('; ');

/** Kubernetes-style apiVersion: `v1`, `apps/v1`, `networking.k8s.io/v1beta1`, `argoproj.io/v1alpha1`. */
const KUBERNETES_API_VERSION = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KUBERNETES_KIND = /^[A-Z][A-Za-z0-9]*$/;

/** Decides which reader a document goes to; documents of other Kubernetes kinds are skipped. */
export function classify(document: unknown): { kind: DocumentKind } | { issue: DocumentIssue } {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { issue: { path: [], message: `expected a mapping (an SLO spec or a Kubernetes object), got ${describe(document)}; supported: ${SUPPORTED_INPUTS}` } };
  }
  const { apiVersion, kind, version } = document as Record<string, unknown>;
  if (apiVersion === undefined) {
    if (version === SLOTH_VERSION) return { kind: 'sloth' };
    if (version !== undefined) {
      return { issue: { path: ['version'], message: `unsupported Sloth spec version ${JSON.stringify(version)}: use "${SLOTH_VERSION}"` } };
    }
    return { issue: { path: [], message: `not an SLO spec nor a Kubernetes object (no apiVersion or version field); supported: ${SUPPORTED_INPUTS}` } };
  }
  if (typeof apiVersion !== 'string') {
    return { issue: { path: ['apiVersion'], message: `expected an apiVersion string, got ${describe(apiVersion)}` } };
  }
  if (apiVersion.startsWith('metricops.io/')) {
    if (apiVersion === METRICOPS_API_VERSION && kind === METRICOPS_KIND) return { kind: 'metricops' };
    return { issue: { path: apiVersion === METRICOPS_API_VERSION ? ['kind'] : ['apiVersion'], message: `unsupported ${apiVersion} ${String(kind)}: use apiVersion: ${METRICOPS_API_VERSION} with kind: ${METRICOPS_KIND}` } };
  }
  if (apiVersion.startsWith('openslo/')) {
    if (apiVersion === OPENSLO_API_VERSION && kind === 'SLO') return { kind: 'openslo' };
    if (apiVersion === OPENSLO_API_VERSION && kind === 'SLI') return { kind: 'openslo-sli' };
    if (apiVersion === OPENSLO_V1ALPHA && kind === 'SLO') return { kind: 'openslo-v1alpha' };
    if ((apiVersion === OPENSLO_API_VERSION || apiVersion === OPENSLO_V1ALPHA) && kind === 'Service') return { kind: 'skip' };
    const known = apiVersion === OPENSLO_API_VERSION || apiVersion === OPENSLO_V1ALPHA;
    return {
      issue: {
        path: known ? ['kind'] : ['apiVersion'],
        message: `unsupported OpenSLO ${apiVersion} kind ${String(kind)}: metricops reads ${OPENSLO_API_VERSION} kinds SLO and SLI and ${OPENSLO_V1ALPHA} kind SLO (and skips kind Service)`,
      },
    };
  }
  if (apiVersion.startsWith('sloth.slok.dev/')) {
    if (apiVersion === SLOTH_CRD_API_VERSION && kind === SLOTH_CRD_KIND) return { kind: 'sloth-crd' };
    if (apiVersion === SLOTH_CRD_API_VERSION && kind === ALERT_WINDOWS_KIND) {
      return { issue: { path: ['kind'], message: `AlertWindows files are not SLO specs: pass their folder with --slo-period-windows-path (files there are not read as specs)` } };
    }
    return { issue: { path: apiVersion === SLOTH_CRD_API_VERSION ? ['kind'] : ['apiVersion'], message: `unsupported Sloth resource ${apiVersion} ${String(kind)}: use apiVersion: ${SLOTH_CRD_API_VERSION} with kind: ${SLOTH_CRD_KIND}, or a version: "${SLOTH_VERSION}" spec` } };
  }
  if (apiVersion === 'apps/v1' && kind === 'Deployment') return { kind: 'deployment' };
  if (KUBERNETES_API_VERSION.test(apiVersion) && typeof kind === 'string' && KUBERNETES_KIND.test(kind)) return { kind: 'skip' };
  return {
    issue: { path: ['apiVersion'], message: `unknown apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)}: not an SLO spec nor a Kubernetes object; supported: ${SUPPORTED_INPUTS}` },
  };
}
