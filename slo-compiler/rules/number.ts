/**
 * Formats a number for PromQL and labels without float noise: 100 - 99.9 is 0.09999999999999432 in binary
 * floating point, and we print 0.1. Twelve significant digits keep every objective a human writes exact.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format ${value} as a PromQL number`);
  const rounded = Number(value.toPrecision(12));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Rounds away float noise so arithmetic on the result stays clean (e.g. the error budget 1 - 0.999). */
export function clean(value: number): number {
  return Number(value.toPrecision(12));
}
