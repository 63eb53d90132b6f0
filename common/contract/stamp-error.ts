import { MetricopsError } from '../errors.js';

/**
 * A Deployment cannot be stamped: the field named is not shaped as the contract needs (the webhook fails open on it;
 * the apiserver never stores such a pod template, so the feedback pipeline does not meet it).
 */
export class StampError extends MetricopsError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}
