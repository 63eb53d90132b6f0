/** Temp directories with certificates from our own `certs` code and HTTPS helpers for the webhook server tests. */
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest, Agent } from 'node:https';
import { connect } from 'node:tls';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCertificates, type IssuedCertificates } from '../../../webhook/certificates.js';

export async function issueLocal(): Promise<IssuedCertificates> {
  return issueCertificates({ service: 'metricops-webhook', namespace: 'metricops', days: 2, extraIps: ['127.0.0.1'] });
}

/**
 * Writes a pair the way a Kubernetes Secret volume does: files are symlinks through `..data`, which points at a
 * timestamped folder; an update writes a new folder and swaps `..data` atomically.
 */
export async function writeSecretVolume(dir: string, pair: IssuedCertificates, version: number): Promise<void> {
  const folder = `..v${version}`;
  await mkdir(join(dir, folder), { recursive: true });
  await writeFile(join(dir, folder, 'tls.crt'), pair.tlsCert);
  await writeFile(join(dir, folder, 'tls.key'), pair.tlsKey, { mode: 0o600 });
  await writeFile(join(dir, folder, 'ca.crt'), pair.caCert);
  await symlink(folder, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  if (version === 1) {
    for (const file of ['tls.crt', 'tls.key', 'ca.crt']) await symlink(join('..data', file), join(dir, file));
  }
}

export function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The fingerprint of the certificate a new TLS connection is served. */
export function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert.fingerprint256);
    });
    socket.on('error', reject);
  });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpsCall(
  port: number,
  ca: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' },
  agent?: Agent,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method, path, ca, headers, agent: agent ?? false, servername: undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes; bounded, for file-watch reactions. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}
