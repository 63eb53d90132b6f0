import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ControlPlaneCertificates {
  /** CA that signed the apiserver's serving certificate (the kubeconfig trusts it). */
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  /** Key pair that signs and verifies service-account tokens. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/** Creates, with Debian's openssl, everything the apiserver needs for TLS and service-account tokens. */
export async function generateControlPlaneCertificates(dir: string): Promise<ControlPlaneCertificates> {
  const files: ControlPlaneCertificates = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
  };
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=metricops-e2e-ca',
    '-keyout', files.caKey, '-out', files.caCert], dir);
  const extensions = join(dir, 'apiserver.ext');
  await writeFile(extensions, [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
    '',
  ].join('\n'));
  const request = join(dir, 'apiserver.csr');
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', files.servingKey, '-out', request], dir);
  await openssl(['x509', '-req', '-in', request, '-CA', files.caCert, '-CAkey', files.caKey, '-CAcreateserial', '-days', '2',
    '-extfile', extensions, '-out', files.servingCert], dir);
  await openssl(['genrsa', '-out', files.serviceAccountKey, '2048'], dir);
  await openssl(['rsa', '-in', files.serviceAccountKey, '-pubout', '-out', files.serviceAccountPublicKey], dir);
  return files;
}
