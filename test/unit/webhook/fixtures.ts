/** Builders for the webhook tests: Deployments, AdmissionReviews and a rules index. */
import type { AdmissionRequest } from '../../../webhook/admission-review.js';
import type { GuardingAlert } from '../../../common/contract/guarding-alert.js';
import type { RulesIndex } from '../../../webhook/rules-index.js';

export interface DeploymentOptions {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string> | undefined;
  containers?: { name: string; image: string }[];
  initContainers?: { name: string; image: string }[];
  templateLabels?: Record<string, string>;
}

export function deployment(options: DeploymentOptions = {}): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: options.name ?? 'checkout', namespace: options.namespace ?? 'shop', labels: { app: 'checkout' } };
  if (options.annotations !== undefined) metadata.annotations = options.annotations;
  const podSpec: Record<string, unknown> = { containers: options.containers ?? [{ name: 'app', image: 'registry.example/checkout:1.0.0' }] };
  if (options.initContainers) podSpec.initContainers = options.initContainers;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: options.templateLabels ?? { app: 'checkout' } }, spec: podSpec },
    },
  };
}

export function admissionRequest(
  operation: AdmissionRequest['operation'],
  object: unknown,
  oldObject?: unknown,
  overrides: Partial<AdmissionRequest> = {},
): AdmissionRequest {
  return {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    name: 'checkout',
    namespace: 'shop',
    operation,
    object,
    oldObject,
    dryRun: false,
    ...overrides,
  };
}

export function admissionReview(request: AdmissionRequest): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

export const checkoutAvailabilityAlerts: GuardingAlert[] = [
  { alert: 'CheckoutAvailabilityBudgetBurn', severity: 'page', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'page' } },
  { alert: 'CheckoutAvailabilityBudgetBurn', severity: 'ticket', slo: 'checkout-availability', labels: { slo: 'checkout-availability', slo_severity: 'ticket' } },
];

export function rulesIndex(overrides: Partial<RulesIndex> = {}): RulesIndex {
  return {
    bySlo: new Map([['checkout-availability', checkoutAvailabilityAlerts]]),
    inline: new Map(),
    source: '/rules',
    files: 1,
    alerts: 2,
    loadedAt: new Date('2026-11-21T10:00:00Z'),
    ...overrides,
  };
}
