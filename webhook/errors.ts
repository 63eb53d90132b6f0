import { MetricopsError } from '../common/errors.js';

/** A new certificate/key pair could not be loaded; the server keeps serving the previous one. */
export class CertificateLoadError extends MetricopsError {}
