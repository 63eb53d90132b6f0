/**
 * The serving certificate and key, read from files and checked before use: a new pair replaces the old one only
 * when both parse, the key matches the certificate, and TLS accepts them. A broken pair keeps the old one.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { CertificateLoadError } from './errors.js';

export interface CertificatePair {
  cert: Buffer;
  key: Buffer;
  notAfter: Date;
  subjectAltNames: string;
  fingerprint: string;
}

export async function readCertificatePair(certFile: string, keyFile: string): Promise<CertificatePair> {
  // Both reads settle before either is judged, so the error names every unreadable file, in flag order, whichever
  // read fails first.
  const [cert, key] = await Promise.allSettled([readFile(certFile), readFile(keyFile)]);
  const unreadable = [
    cert.status === 'rejected' ? `cannot read --tls-cert ${certFile}: ${(cert.reason as Error).message}` : undefined,
    key.status === 'rejected' ? `cannot read --tls-key ${keyFile}: ${(key.reason as Error).message}` : undefined,
  ].filter((problem) => problem !== undefined);
  if (cert.status === 'rejected' || key.status === 'rejected') throw new CertificateLoadError(unreadable.join('; '));
  return checkCertificatePair(certFile, cert.value, keyFile, key.value);
}

function checkCertificatePair(certFile: string, cert: Buffer, keyFile: string, key: Buffer): CertificatePair {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new CertificateLoadError(`--tls-cert ${certFile} is not a PEM certificate: ${(error as Error).message}`);
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key))) {
      throw new CertificateLoadError(`--tls-key ${keyFile} does not belong to the certificate in ${certFile} (were they written at different times?)`);
    }
    createSecureContext({ cert, key });
  } catch (error) {
    if (error instanceof CertificateLoadError) throw error;
    throw new CertificateLoadError(`--tls-key ${keyFile} is not a usable PEM private key for ${certFile}: ${(error as Error).message}`);
  }
  return {
    cert,
    key,
    notAfter: new Date(certificate.validTo),
    subjectAltNames: certificate.subjectAltName ?? '',
    fingerprint: createHash('sha256').update(cert).update(key).digest('hex'),
  };
}
