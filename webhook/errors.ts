import { MetricopsError } from '../common/errors.js';

/** The admitted object cannot be stamped (it is not shaped like a Deployment). The webhook fails open on it. */
export class StampError extends MetricopsError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** A new certificate/key pair could not be loaded; the server keeps serving the previous one. */
export class CertificateLoadError extends MetricopsError {}
