/** Builders of feedback-pipeline data for tests: a Deployment "shop/checkout" with ReplicaSet histories. */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { Annotations } from '../../../../common/contract/annotations.js';
import { templateKey } from '../../../../feedback-pipeline/core/pod-template.js';
import type { Alert, DeploymentState, ReplicaSetState } from '../../../../feedback-pipeline/model.js';

export const DEPLOYED_AT = '2026-11-21T10:00:00.000Z';

export function podTemplate(image: string, hash?: string): V1PodTemplateSpec {
  return {
    metadata: { labels: { app: 'checkout', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
  };
}

export function deploymentState(overrides: Partial<DeploymentState> & { image?: string } = {}): DeploymentState {
  const { image = 'shop/checkout:v2', ...rest } = overrides;
  return {
    namespace: 'shop',
    name: 'checkout',
    uid: 'uid-checkout',
    resourceVersion: '1000',
    paused: false,
    annotations: {
      'deployment.kubernetes.io/revision': '2',
      [Annotations.deployedAt]: DEPLOYED_AT,
      [Annotations.images]: JSON.stringify({ app: image }),
    },
    template: podTemplate(image),
    ...rest,
  };
}

export function replicaSet(
  revision: number,
  image: string,
  options: { bad?: boolean; name?: string; hash?: string; createdAt?: string; deployedAt?: string } = {},
): ReplicaSetState {
  const hash = options.hash ?? `h${image.replace(/\W/g, '')}`;
  const template = podTemplate(image, hash);
  return {
    namespace: 'shop',
    name: options.name ?? `checkout-${hash}`,
    revision,
    annotations: {
      'deployment.kubernetes.io/revision': String(revision),
      ...(options.bad ? { [Annotations.badRevision]: JSON.stringify({ reason: 'test' }) } : {}),
      ...(options.deployedAt ? { [Annotations.deployedAt]: options.deployedAt } : {}),
    },
    template,
    templateKey: templateKey(template),
    createdAt: new Date(options.createdAt ?? '2026-11-21T09:00:00Z'),
  };
}

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'f00d',
    status: 'firing',
    labels: { alertname: 'CheckoutHighErrorBudgetBurn', slo: 'checkout-availability', slo_severity: 'page', namespace: 'shop', deployment: 'checkout' },
    annotations: {},
    startsAt: new Date('2026-11-21T10:05:00Z'),
    source: 'webhook',
    receivedAt: new Date('2026-11-21T10:06:00Z'),
    ...overrides,
  };
}

/** Revision 1 ran v1, revision 2 (current) runs v2. */
export function simpleHistory(): ReplicaSetState[] {
  return [replicaSet(1, 'shop/checkout:v1'), replicaSet(2, 'shop/checkout:v2')];
}
