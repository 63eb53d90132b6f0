import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';

/** A field manager's claim on a field (metadata.managedFields), e.g. kustomize-controller / Apply. */
export interface FieldOwner {
  manager: string;
  operation: string;
  time?: string;
}

/** One step of a field path: a field name, or the keys that pick a list item (e.g. { name: 'checkout' }). */
export type FieldPathStep = string | Record<string, string>;

/** The container image field of a pod template, as a FieldPathStep list. */
export function containerImagePath(container: string): FieldPathStep[] {
  return ['spec', 'template', 'spec', 'containers', { name: container }, 'image'];
}

function fieldsV1Key(step: FieldPathStep): string {
  return typeof step === 'string' ? `f:${step}` : `k:${JSON.stringify(step)}`;
}

/** Who owns the field at `path`, from server-side apply's managedFields (FieldsV1 "f:"/"k:" trees). Pure. */
export function fieldOwners(managedFields: readonly V1ManagedFieldsEntry[] | undefined, path: readonly FieldPathStep[]): FieldOwner[] {
  const owners: FieldOwner[] = [];
  for (const entry of managedFields ?? []) {
    let node: unknown = entry.fieldsV1;
    for (const step of path) node = (node as Record<string, unknown> | undefined)?.[fieldsV1Key(step)];
    if (node !== undefined) {
      owners.push({ manager: entry.manager ?? '', operation: entry.operation ?? '', ...(entry.time ? { time: new Date(entry.time).toISOString() } : {}) });
    }
  }
  return owners;
}
