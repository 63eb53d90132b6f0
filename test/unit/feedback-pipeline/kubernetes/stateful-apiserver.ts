/**
 * A stateful stand-in for kube-apiserver on 127.0.0.1, for in-process tests of the pipeline with its real
 * Kubernetes adapters: it stores Deployments, ReplicaSets and Events, applies JSON Patches (a failed `test` op is a
 * 422, as in kube-apiserver) and merge patches (of Deployments, ReplicaSets and Events), bumps resourceVersions, streams watch events, and plays the Deployment
 * controller's one rule that matters here: a template equal to an old ReplicaSet's reuses it with the next revision.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type CoreV1Event, type V1Deployment, type V1ReplicaSet } from '@kubernetes/client-node';
import fastJsonPatch from 'fast-json-patch';
import { templateKey } from '../../../../feedback-pipeline/core/pod-template.js';

type Resource = 'deployments' | 'replicasets';
type Stored = V1Deployment | V1ReplicaSet;

export class StatefulApiserver {
  readonly objects: Record<Resource, Map<string, Stored>> = { deployments: new Map(), replicasets: new Map() };
  readonly events: CoreV1Event[] = [];
  /** Accepted Deployment patches, and rejected ones (status code). */
  readonly deploymentPatches: Array<{ status: number }> = [];
  /** Every request but watches, as "METHOD /path" (no query). */
  readonly requests: string[] = [];
  private readonly watchers: Array<{ resource: Resource; res: ServerResponse }> = [];
  private resourceVersion = 100;
  private server: Server | undefined;

  put(resource: Resource, object: Stored): void {
    object.metadata!.resourceVersion = String(++this.resourceVersion);
    const key = `${object.metadata!.namespace}/${object.metadata!.name}`;
    const type = this.objects[resource].has(key) ? 'MODIFIED' : 'ADDED';
    this.objects[resource].set(key, structuredClone(object));
    for (const watcher of this.watchers.filter((entry) => entry.resource === resource)) {
      watcher.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  deployment(namespace: string, name: string): V1Deployment {
    return structuredClone(this.objects.deployments.get(`${namespace}/${name}`)) as V1Deployment;
  }

  replicaSet(namespace: string, name: string): V1ReplicaSet {
    return structuredClone(this.objects.replicasets.get(`${namespace}/${name}`)) as V1ReplicaSet;
  }

  async start(): Promise<KubeConfig> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'stateful', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'stateful' }],
      contexts: [{ name: 'stateful', cluster: 'stateful', user: 'stateful' }],
      currentContext: 'stateful',
    });
    return config;
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers.splice(0)) watcher.res.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const all = /^\/apis\/apps\/v1\/(deployments|replicasets)$/.exec(url.pathname);
    const inNamespace = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets)(?:\/([^/]+))?$/.exec(url.pathname);
    const events = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(url.pathname);
    const event = /^\/api\/v1\/namespaces\/([^/]+)\/events\/([^/]+)$/.exec(url.pathname);
    if (url.searchParams.get('watch') !== 'true') this.requests.push(`${req.method} ${url.pathname}`);

    if (all && url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      const watcher = { resource: all[1] as Resource, res };
      this.watchers.push(watcher);
      res.on('close', () => {
        const index = this.watchers.indexOf(watcher);
        if (index >= 0) this.watchers.splice(index, 1);
      });
      return;
    }
    if (all && req.method === 'GET') {
      json(200, { kind: 'List', metadata: { resourceVersion: String(this.resourceVersion) }, items: [...this.objects[all[1] as Resource].values()] });
      return;
    }
    if (inNamespace && req.method === 'GET' && !inNamespace[3]) {
      const items = [...this.objects[inNamespace[2] as Resource].values()].filter((object) => object.metadata?.namespace === inNamespace[1]);
      json(200, { kind: 'List', metadata: { resourceVersion: String(this.resourceVersion) }, items });
      return;
    }
    if (inNamespace && inNamespace[3]) {
      const resource = inNamespace[2] as Resource;
      const key = `${inNamespace[1]}/${inNamespace[3]}`;
      const current = this.objects[resource].get(key);
      if (!current) return void json(404, { kind: 'Status', code: 404, message: `${key} not found` });
      if (req.method === 'GET') return void json(200, current);
      if (req.method === 'PATCH' && req.headers['content-type'] === 'application/json-patch+json') {
        try {
          const patched = fastJsonPatch.applyPatch(structuredClone(current), JSON.parse(body), true, false).newDocument;
          if (resource === 'deployments') this.deploymentPatches.push({ status: 200 });
          this.put(resource, patched);
          if (resource === 'deployments') this.reconcile(patched as V1Deployment);
          return void json(200, this.objects[resource].get(key));
        } catch (error) {
          if (resource === 'deployments') this.deploymentPatches.push({ status: 422 });
          return void json(422, { kind: 'Status', code: 422, reason: 'Invalid', message: (error as Error).message });
        }
      }
      if (req.method === 'PATCH' && req.headers['content-type'] === 'application/merge-patch+json') {
        const patch = JSON.parse(body) as { metadata?: { annotations?: Record<string, string> } };
        const patched = structuredClone(current);
        patched.metadata!.annotations = { ...patched.metadata!.annotations, ...patch.metadata?.annotations };
        this.put(resource, patched);
        return void json(200, this.objects[resource].get(key));
      }
    }
    if (events && req.method === 'POST') {
      this.events.push(JSON.parse(body) as CoreV1Event);
      return void json(201, JSON.parse(body));
    }
    if (event && req.method === 'PATCH' && req.headers['content-type'] === 'application/merge-patch+json') {
      const stored = this.events.find((candidate) => candidate.metadata?.namespace === event[1] && candidate.metadata?.name === event[2]);
      if (!stored) return void json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: `events "${event[2]}" not found` });
      Object.assign(stored, JSON.parse(body));
      return void json(200, stored);
    }
    json(404, { kind: 'Status', code: 404, message: `no route for ${req.method} ${url.pathname}` });
  }

  /** The Deployment controller's renumbering: the ReplicaSet whose template now matches gets the next revision. */
  private reconcile(deployment: V1Deployment): void {
    const owned = [...this.objects.replicasets.values()].filter((replicaSet) =>
      replicaSet.metadata?.ownerReferences?.some((owner) => owner.uid === deployment.metadata?.uid),
    ) as V1ReplicaSet[];
    const key = templateKey(deployment.spec!.template);
    const match = owned.find((replicaSet) => templateKey(replicaSet.spec!.template!) === key);
    if (!match) return;
    const next = Math.max(...owned.map((replicaSet) => Number(replicaSet.metadata!.annotations!['deployment.kubernetes.io/revision']))) + 1;
    const renumbered = structuredClone(match);
    renumbered.metadata!.annotations!['deployment.kubernetes.io/revision'] = String(next);
    this.put('replicasets', renumbered);
    const current = this.deployment(deployment.metadata!.namespace!, deployment.metadata!.name!);
    current.metadata!.annotations!['deployment.kubernetes.io/revision'] = String(next);
    this.put('deployments', current);
  }
}
