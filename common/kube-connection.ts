/**
 * How a long-running process reaches the Kubernetes API without loading @kubernetes/client-node: the server, the TLS
 * options and the authentication headers, read from a kubeconfig file or the in-cluster service account. The
 * client-node library costs about 70 MB of memory once imported (its config module pulls in every generated model),
 * so the common cases are read here: a server with a CA (file or data, or insecure-skip-tls-verify), a client
 * certificate, a bearer token (inline or a file, re-read as kubelet rotates it), basic auth, a namespace.
 * A kubeconfig that needs more (exec or auth-provider plugins, proxy-url, several files in $KUBECONFIG) goes through
 * client-node's KubeConfig, imported only then (kubeConnectionOf).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import yaml from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeConfigSource } from './kube-config.js';
import { MetricopsError } from './errors.js';

export interface KubeTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface KubeConnection {
  /** `https://host:port` (or http:// for a test server), without a trailing slash. */
  server: string;
  tls: KubeTls;
  /** The headers that authenticate the next request (a token file is re-read at most once a minute). */
  authHeaders(): Promise<Record<string, string>>;
  /** The kubeconfig context's namespace, or the in-cluster service account's. */
  namespace?: string;
  /** Where it came from (a file path or "in-cluster"), for logs and errors. */
  source: string;
}

export class KubeConnectionError extends MetricopsError {}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_REREAD_MS = 60_000;

/** Reads the kubeconfig as client-node's loadFromDefault would ($KUBECONFIG, ~/.kube/config, then in-cluster). */
export async function loadKubeConnection(source: KubeConfigSource = {}, env: NodeJS.ProcessEnv = process.env): Promise<KubeConnection> {
  const files = source.kubeconfig ? [source.kubeconfig] : (env.KUBECONFIG ?? '').split(delimiter).filter((path) => path !== '');
  if (files.length > 1) return viaClientNode(source);
  const file = files[0] ?? defaultKubeconfig();
  if (file !== undefined) {
    const light = fromKubeconfigFile(file, source.context);
    return light ?? viaClientNode(source);
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return inCluster(env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT);
  throw new KubeConnectionError('no kubeconfig ($KUBECONFIG, ~/.kube/config) and not running in a cluster (KUBERNETES_SERVICE_HOST unset)');
}

function defaultKubeconfig(): string | undefined {
  const path = join(homedir(), '.kube', 'config');
  return existsSync(path) ? path : undefined;
}

function inCluster(host: string, port: string): KubeConnection {
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const namespaceFile = join(SERVICE_ACCOUNT_DIR, 'namespace');
  return {
    server,
    tls: { ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')), rejectUnauthorized: true },
    authHeaders: bearerFromFile(join(SERVICE_ACCOUNT_DIR, 'token')),
    ...(existsSync(namespaceFile) ? { namespace: readFileSync(namespaceFile, 'utf8').trim() } : {}),
    source: 'in-cluster',
  };
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  'current-context'?: string;
  clusters?: Array<Named<{ cluster?: Record<string, unknown> }>>;
  users?: Array<Named<{ user?: Record<string, unknown> }>>;
  contexts?: Array<Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>>;
}

/** The connection a kubeconfig file describes, or undefined when it needs client-node (plugins, proxies). */
export function fromKubeconfigFile(path: string, contextName?: string): KubeConnection | undefined {
  let config: KubeconfigFile;
  try {
    config = (yaml.load(readFileSync(path, 'utf8')) ?? {}) as KubeconfigFile;
  } catch (error) {
    throw new KubeConnectionError(`cannot read kubeconfig ${path}: ${(error as Error).message}`, { cause: error });
  }
  const wanted = contextName ?? config['current-context'];
  const context = config.contexts?.find((entry) => entry.name === wanted)?.context;
  if (!context) throw new KubeConnectionError(`kubeconfig ${path}: no context ${JSON.stringify(wanted ?? '')}${contextName ? '' : ' (current-context)'}`);
  const cluster = config.clusters?.find((entry) => entry.name === context.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') throw new KubeConnectionError(`kubeconfig ${path}: cluster ${JSON.stringify(context.cluster ?? '')} has no server`);
  const user = config.users?.find((entry) => entry.name === context.user)?.user ?? {};
  if (user.exec !== undefined || user['auth-provider'] !== undefined || cluster['proxy-url'] !== undefined) return undefined;

  const base = dirname(path);
  const bytes = (data: unknown, file: unknown, what: string): Buffer | undefined => {
    if (typeof data === 'string') return Buffer.from(data, 'base64');
    if (typeof file !== 'string') return undefined;
    const resolved = isAbsolute(file) ? file : join(base, file);
    try {
      return readFileSync(resolved);
    } catch (error) {
      throw new KubeConnectionError(`kubeconfig ${path}: cannot read ${what} ${resolved}: ${(error as Error).message}`, { cause: error });
    }
  };
  const tls: KubeTls = { rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true };
  const ca = bytes(cluster['certificate-authority-data'], cluster['certificate-authority'], 'certificate-authority');
  const cert = bytes(user['client-certificate-data'], user['client-certificate'], 'client-certificate');
  const key = bytes(user['client-key-data'], user['client-key'], 'client-key');
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (typeof cluster['tls-server-name'] === 'string') tls.servername = cluster['tls-server-name'];

  let authHeaders: () => Promise<Record<string, string>> = async () => ({});
  if (typeof user.token === 'string') {
    const header = { authorization: `Bearer ${user.token}` };
    authHeaders = async () => header;
  } else if (typeof user.tokenFile === 'string') {
    authHeaders = bearerFromFile(isAbsolute(user.tokenFile) ? user.tokenFile : join(base, user.tokenFile));
  } else if (typeof user.username === 'string' && typeof user.password === 'string') {
    const header = { authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` };
    authHeaders = async () => header;
  }
  return {
    server: cluster.server.replace(/\/+$/, ''),
    tls,
    authHeaders,
    ...(context.namespace ? { namespace: context.namespace } : {}),
    source: path,
  };
}

/** A bearer token read from a file, re-read at most once a minute (kubelet rotates projected tokens). */
function bearerFromFile(file: string): () => Promise<Record<string, string>> {
  let cached: { header: Record<string, string>; readAt: number } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.readAt >= TOKEN_REREAD_MS) {
      try {
        cached = { header: { authorization: `Bearer ${(await readFile(file, 'utf8')).trim()}` }, readAt: Date.now() };
      } catch (error) {
        if (!cached) throw new KubeConnectionError(`cannot read the token file ${file}: ${(error as Error).message}`, { cause: error });
      }
    }
    return cached.header;
  };
}

async function viaClientNode(source: KubeConfigSource): Promise<KubeConnection> {
  const { loadKubeConfig } = await import('./kube-config.js');
  return kubeConnectionOf(loadKubeConfig(source));
}

/**
 * The connection of a client-node KubeConfig: its TLS options, and its headers asked for before every request (so
 * exec plugins and auth providers renew their tokens as they do for client-node's own clients).
 */
export function kubeConnectionOf(config: KubeConfig): KubeConnection {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new KubeConnectionError('the kubeconfig has no current cluster');
  const user = config.getCurrentUser();
  const read = (data: string | undefined, file: string | undefined): Buffer | undefined =>
    data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined;
  const tls: KubeTls = { rejectUnauthorized: !cluster.skipTLSVerify };
  const ca = read(cluster.caData, cluster.caFile);
  const cert = read(user?.certData, user?.certFile);
  const key = read(user?.keyData, user?.keyFile);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return {
    server: cluster.server.replace(/\/+$/, ''),
    tls,
    async authHeaders() {
      const options: { headers?: Record<string, string | string[]> } = {};
      await config.applyToHTTPSOptions(options as never);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      return headers;
    },
    ...(namespace ? { namespace } : {}),
    source: 'kubeconfig (client-node)',
  };
}
