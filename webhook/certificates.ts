/**
 * A CA and a serving certificate for the webhook Service, made with @peculiar/x509 on Node's WebCrypto
 * (ECDSA P-256, SHA-256). For clusters without cert-manager, and for tests.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface CertificateRequest {
  service: string;
  namespace: string;
  days: number;
  extraDnsNames?: readonly string[];
  extraIps?: readonly string[];
  now?: Date;
}

export interface IssuedCertificates {
  caCert: string;
  tlsCert: string;
  tlsKey: string;
  dnsNames: string[];
  ips: string[];
  notAfter: Date;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const crypto = webcrypto as unknown as X509Crypto;

export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

export async function issueCertificates(request: CertificateRequest): Promise<IssuedCertificates> {
  const notBefore = new Date((request.now ?? new Date()).getTime() - 5 * 60_000);
  const notAfter = new Date(notBefore.getTime() + request.days * 86_400_000);
  const dnsNames = [...new Set([...serviceDnsNames(request.service, request.namespace), ...(request.extraDnsNames ?? [])])];
  const ips = [...new Set(request.extraIps ?? [])];
  for (const ip of ips) if (isIP(ip) === 0) throw new RangeError(`"${ip}" is not an IP address`);

  const caKeys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=metricops webhook CA for ${request.service}.${request.namespace}`,
      notBefore,
      notAfter,
      keys: caKeys,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serving = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${request.service}.${request.namespace}.svc`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    caCert: ca.toString('pem') + '\n',
    tlsCert: serving.toString('pem') + '\n',
    tlsKey: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    dnsNames,
    ips,
    notAfter,
  };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}
