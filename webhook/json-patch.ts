import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type { Operation } from 'fast-json-patch';

/** The JSON Patch (RFC 6902) turning `original` into `mutated`; empty when they are equal. */
export function diffPatch(original: unknown, mutated: unknown): Operation[] {
  return fastJsonPatch.compare(original as object, mutated as object);
}

export function encodePatch(patch: readonly Operation[]): string {
  return Buffer.from(JSON.stringify(patch)).toString('base64');
}
