import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ClusterRole, V1Deployment, V1MutatingWebhookConfiguration, V1PodSpec, V1ServiceAccount } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { isKustomization, kubeObjects, manifestsDir, objectsOfKind, onlyObject, readDocuments, repoRoot, whereIs, yamlFilesUnder } from './manifest-files.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

function deployment(name: string): V1Deployment {
  return onlyObject('Deployment', name) as unknown as V1Deployment;
}
function podSpec(name: string): V1PodSpec {
  return deployment(name).spec!.template.spec!;
}

describe('every manifest file', () => {
  test.each(yamlFilesUnder(manifestsDir).map((path) => [path.slice(repoRoot.length), path]))('%s parses and each document names apiVersion, kind and metadata.name', (_file, path) => {
    const documents = readDocuments(path);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect({ where: whereIs(document), apiVersion: typeof document.object.apiVersion, kind: typeof document.object.kind }).toEqual({
        where: whereIs(document),
        apiVersion: 'string',
        kind: 'string',
      });
      if (!isKustomization(document)) expect(typeof document.object.metadata?.name).toBe('string');
    }
  });

  test.each(['manifests/base', 'manifests/overlays/cert-manager', 'manifests/overlays/self-signed', 'manifests/components/git-ssh', 'manifests/components/flux'])('%s: the kustomization lists every YAML file beside it and only files that exist', (dir) => {
    const kustomization = parse(readFileSync(join(repoRoot, dir, 'kustomization.yaml'), 'utf8')) as {
      resources?: string[];
      patches?: Array<{ path?: string }>;
    };
    const listed = [...(kustomization.resources ?? []), ...(kustomization.patches ?? []).flatMap((patch) => (patch.path ? [patch.path] : []))].filter(
      (entry) => !entry.startsWith('..'),
    );
    const present = readdirSync(join(repoRoot, dir)).filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml' && !name.endsWith('.example.yaml'));
    expect([...listed].sort()).toEqual([...present].sort());
  });

  test('no Secret with content is committed: the receiver token and certificates are created at install time', () => {
    const secrets = kubeObjects().filter((document) => document.object.kind === 'Secret');
    for (const secret of secrets) {
      const { data, stringData } = secret.object as { data?: Record<string, string>; stringData?: Record<string, string> };
      expect({ where: whereIs(secret), values: [...Object.values(data ?? {}), ...Object.values(stringData ?? {})].filter((value) => value.trim() !== '') }).toEqual({
        where: whereIs(secret),
        values: [],
      });
    }
  });
});

describe('MutatingWebhookConfiguration', () => {
  const configuration = onlyObject('MutatingWebhookConfiguration', 'metricops') as unknown as V1MutatingWebhookConfiguration;
  const webhook = configuration.webhooks![0]!;

  test('holds exactly one webhook', () => {
    expect(configuration.webhooks).toHaveLength(1);
  });

  test.each([
    ['it fails open, so a broken webhook never blocks a deploy', 'failurePolicy', 'Ignore'],
    ['it declares no side effects, so dry-run requests may call it', 'sideEffects', 'None'],
    ['it is re-run after other webhooks change the pod template', 'reinvocationPolicy', 'IfNeeded'],
    ['it also sees Deployments sent through equivalent API versions', 'matchPolicy', 'Equivalent'],
    ['it speaks AdmissionReview v1 only', 'admissionReviewVersions', ['v1']],
  ] as const)('%s (%s)', (_reason, field, expected) => {
    expect(webhook[field]).toEqual(expected);
  });

  test('it times out within 5 seconds', () => {
    expect(webhook.timeoutSeconds).toBeGreaterThanOrEqual(1);
    expect(webhook.timeoutSeconds).toBeLessThanOrEqual(5);
  });

  test('it is called for apps/v1 Deployments on CREATE and UPDATE only, not for subresources', () => {
    expect(webhook.rules).toEqual([
      { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
    ]);
  });

  test('it is opt-in by the metricops.io/enabled=true namespace label and never sees kube-system or metricops', () => {
    expect(webhook.namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'metricops'] },
        { key: 'metricops.io/enabled', operator: 'In', values: ['true'] },
      ],
    });
  });

  test('it calls the webhook Service on /mutate, a Service that selects the webhook pods on their https port', () => {
    expect(webhook.clientConfig.service).toEqual({ name: 'metricops-webhook', namespace: 'metricops', path: '/mutate', port: 443 });
    const service = onlyObject('Service', 'metricops-webhook') as unknown as { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } };
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 443, targetPort: 'https' })]);
    expect(deployment('metricops-webhook').spec!.template.metadata!.labels).toMatchObject(service.spec.selector);
    expect(podSpec('metricops-webhook').containers[0]!.ports).toEqual([expect.objectContaining({ name: 'https', containerPort: 8443 })]);
  });

  test('the cert-manager overlay injects the CA of the Certificate whose Secret the webhook mounts', () => {
    const [patch] = readDocuments(join(manifestsDir, 'overlays/cert-manager/webhook-configuration-inject-ca.yaml'));
    const [certificate] = readDocuments(join(manifestsDir, 'overlays/cert-manager/certificate.yaml'));
    const { metadata, spec } = certificate!.object as unknown as { metadata: { name: string; namespace: string }; spec: { secretName: string; dnsNames: string[] } };
    expect(patch!.object.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': `${metadata.namespace}/${metadata.name}` });
    expect(spec.dnsNames).toContain('metricops-webhook.metricops.svc');
    expect(podSpec('metricops-webhook').volumes).toContainEqual({ name: 'tls', secret: { secretName: spec.secretName } });
  });
});

describe('Deployments', () => {
  const names = ['metricops-webhook', 'metricops-feedback'];

  test('there is one Deployment per component', () => {
    expect(objectsOfKind('Deployment').map((document) => document.object.metadata.name).sort()).toEqual([...names].sort());
  });

  test.each(names)('%s runs as a non-root user with the RuntimeDefault seccomp profile', (name) => {
    expect(podSpec(name).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test.each(names)('%s: every container has a read-only root, no privilege escalation and drops ALL capabilities', (name) => {
    for (const container of [...podSpec(name).containers, ...(podSpec(name).initContainers ?? [])]) {
      expect({ container: container.name, securityContext: container.securityContext }).toEqual({
        container: container.name,
        securityContext: {
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
      });
    }
  });

  test.each(names)('%s: every writable path is an emptyDir (the root filesystem is read-only)', (name) => {
    const spec = podSpec(name);
    const volumes = new Map((spec.volumes ?? []).map((volume) => [volume.name, volume]));
    for (const mount of spec.containers.flatMap((container) => container.volumeMounts ?? [])) {
      const volume = volumes.get(mount.name);
      expect({ mount: mount.mountPath, known: volume !== undefined }).toEqual({ mount: mount.mountPath, known: true });
      if (mount.readOnly !== true) expect({ mount: mount.mountPath, emptyDir: volume?.emptyDir !== undefined }).toEqual({ mount: mount.mountPath, emptyDir: true });
    }
  });

  test.each(names)('%s: liveness on /healthz and readiness on /readyz, on the container port', (name) => {
    const [container] = podSpec(name).containers;
    const port = container!.ports![0]!.name;
    expect(container!.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port });
    expect(container!.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port });
  });

  test.each(names)('%s: requests CPU and memory and limits memory', (name) => {
    for (const container of podSpec(name).containers) {
      expect(container.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources?.limits?.memory).toEqual(expect.any(String));
    }
  });

  test(`every image is the metricops image pinned to the package version (${packageVersion}), never latest`, () => {
    const images = objectsOfKind('Deployment').flatMap((document) => {
      const spec = (document.object as unknown as V1Deployment).spec!.template.spec!;
      return [...spec.containers, ...(spec.initContainers ?? [])].map((container) => container.image);
    });
    expect(images.length).toBeGreaterThan(1);
    expect(new Set(images)).toEqual(new Set([`ghcr.io/metricops/metricops:${packageVersion}`]));
  });

  test('each Deployment runs as its own ServiceAccount, and only the feedback pipeline gets an API token', () => {
    expect(podSpec('metricops-webhook').serviceAccountName).toBe('metricops-webhook');
    expect(podSpec('metricops-feedback').serviceAccountName).toBe('metricops-feedback');
    expect(podSpec('metricops-webhook').automountServiceAccountToken).toBe(false);
    expect(podSpec('metricops-feedback').automountServiceAccountToken).toBe(true);
    for (const document of objectsOfKind('ServiceAccount')) {
      expect((document.object as unknown as V1ServiceAccount).automountServiceAccountToken).toBe(false);
    }
  });

  test('the feedback pipeline is a single replica replaced with Recreate, so two never act at once', () => {
    expect(deployment('metricops-feedback').spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  });

  test('the feedback pipeline reads the receiver token from the Secret metricops-receiver-token', () => {
    const spec = podSpec('metricops-feedback');
    const args = spec.containers[0]!.args!;
    const mount = spec.containers[0]!.volumeMounts!.find((candidate) => candidate.name === 'receiver-token')!;
    expect(args).toContain(`--token-file=${mount.mountPath}/token`);
    expect(spec.volumes).toContainEqual({ name: 'receiver-token', secret: { secretName: 'metricops-receiver-token' } });
  });
});

describe('RBAC', () => {
  test('only the feedback pipeline is bound to a role: the webhook needs no API access', () => {
    const bindings = kubeObjects().filter((document) => ['ClusterRoleBinding', 'RoleBinding'].includes(document.object.kind));
    for (const binding of bindings) {
      expect((binding.object as unknown as { subjects: unknown[] }).subjects).toEqual([{ kind: 'ServiceAccount', name: 'metricops-feedback', namespace: 'metricops' }]);
    }
    // The base role, and the opt-in Flux role of components/flux.
    expect(bindings.map((document) => (document.object as unknown as { roleRef: unknown }).roleRef)).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metricops-feedback' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metricops-feedback-flux' },
    ]);
  });

  test('the feedback ClusterRole grants exactly the calls the pipeline makes', () => {
    const role = onlyObject('ClusterRole', 'metricops-feedback') as unknown as V1ClusterRole;
    const grants = role.rules!.flatMap((rule) =>
      rule.apiGroups!.flatMap((group) => rule.resources!.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${resource}.${group || 'core'}`))),
    );
    expect(grants.sort()).toEqual(
      [
        'get deployments.apps',
        'list deployments.apps',
        'watch deployments.apps',
        'patch deployments.apps',
        'list replicasets.apps',
        'watch replicasets.apps',
        'patch replicasets.apps',
        'create events.core',
        'patch events.core',
      ].sort(),
    );
    expect(role.rules!.some((rule) => rule.resourceNames !== undefined || rule.nonResourceURLs !== undefined)).toBe(false);
  });

  test('no role grants wildcards, secrets or subresources', () => {
    for (const document of kubeObjects().filter((candidate) => ['ClusterRole', 'Role'].includes(candidate.object.kind))) {
      const rules = (document.object as unknown as V1ClusterRole).rules ?? [];
      const everything = rules.flatMap((rule) => [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]);
      expect({ where: whereIs(document), offending: everything.filter((value) => value === '*' || value === 'secrets' || value.includes('/')) }).toEqual({
        where: whereIs(document),
        offending: [],
      });
    }
  });
});

describe('components/git-ssh', () => {
  test('mounts the deploy key Secret read-only into the feedback container and points GIT_SSH_COMMAND at it, with strict host keys', () => {
    const [patch] = readDocuments(join(manifestsDir, 'components/git-ssh/feedback-git-ssh.yaml'));
    const spec = (patch!.object as unknown as V1Deployment).spec!.template.spec!;
    const mount = spec.containers[0]!.volumeMounts![0]!;
    const command = spec.containers[0]!.env!.find((variable) => variable.name === 'GIT_SSH_COMMAND')!.value!;
    expect(patch!.object.metadata).toEqual({ name: 'metricops-feedback', namespace: 'metricops' });
    expect(spec.containers[0]!.name).toBe(podSpec('metricops-feedback').containers[0]!.name);
    expect(mount).toEqual({ name: 'git-ssh', mountPath: '/etc/metricops/git-ssh', readOnly: true });
    expect(spec.volumes).toEqual([{ name: 'git-ssh', secret: { secretName: 'metricops-git-ssh', defaultMode: 0o400 } }]);
    expect(command).toContain(`-i ${mount.mountPath}/ssh-privatekey`);
    expect(command).toContain(`UserKnownHostsFile=${mount.mountPath}/known_hosts`);
    expect(command).toContain('StrictHostKeyChecking=yes');
  });
});
