/**
 * The writes of the hold keeper after the rollback, computed from a fresh read of the Deployment. Pure. Each is a
 * JSON Patch whose first op tests what the keeper read, so of two keepers (replicas, a restarted process) exactly
 * one write lands and the other re-reads:
 * - record the write-back (test the hold's text, replace it with the text that names the pushed revision);
 * - undo bad images that came back while held (test resourceVersion, replace each container's image);
 * - release (test the hold's text, remove it, remove Flux's reconcile annotation or put the earlier value back).
 */
import type { V1Deployment } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import { Annotations } from '../../common/contract/annotations.js';
import { FluxKeys } from '../../common/contract/flux.js';
import { formatGitOpsHold, type GitOpsHoldRecord } from '../../common/contract/gitops-hold.js';
import { INIT_CONTAINER_PREFIX } from '../../common/contract/images.js';
import { annotationPointer } from './rollback-patch.js';

const HOLD = annotationPointer(Annotations.gitopsHold);

export function updateHoldPatch(currentText: string, hold: GitOpsHoldRecord): Operation[] {
  return [
    { op: 'test', path: HOLD, value: currentText },
    { op: 'replace', path: HOLD, value: formatGitOpsHold(hold) },
  ];
}

export function releaseHoldPatch(deployment: V1Deployment, currentText: string, hold: GitOpsHoldRecord): Operation[] {
  const annotations = deployment.metadata?.annotations ?? {};
  const flux = annotationPointer(FluxKeys.reconcile);
  const ops: Operation[] = [
    { op: 'test', path: HOLD, value: currentText },
    { op: 'remove', path: HOLD },
  ];
  if (hold.previousFluxReconcile === null) {
    if (annotations[FluxKeys.reconcile] !== undefined) ops.push({ op: 'remove', path: flux });
  } else {
    ops.push({ op: 'add', path: flux, value: hold.previousFluxReconcile });
  }
  return ops;
}

/**
 * Puts the held images back where the template has others (containers `<name>`, init containers `init:<name>`);
 * an empty list when nothing differs. Containers the hold does not name are left alone.
 */
export function restoreImagesPatch(deployment: V1Deployment, images: Readonly<Record<string, string>>): Operation[] {
  const spec = deployment.spec?.template?.spec;
  const ops: Operation[] = [];
  const visit = (list: 'containers' | 'initContainers', prefix: string) => {
    (spec?.[list] ?? []).forEach((container, index) => {
      const wanted = images[prefix + container.name];
      if (wanted !== undefined && container.image !== wanted) {
        ops.push({ op: 'replace', path: `/spec/template/spec/${list}/${index}/image`, value: wanted });
      }
    });
  };
  visit('containers', '');
  visit('initContainers', INIT_CONTAINER_PREFIX);
  if (ops.length === 0) return [];
  return [{ op: 'test', path: '/metadata/resourceVersion', value: deployment.metadata?.resourceVersion ?? '' }, ...ops];
}

/** True when every image the hold names is what `images` has (other containers ignored). */
export function hasImages(images: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([container, image]) => images[container] === image);
}

/** True when some container the hold names runs its bad image again. */
export function hasAnyImage(images: Readonly<Record<string, string>>, bad: Readonly<Record<string, string>>, good: Readonly<Record<string, string>>): boolean {
  return Object.entries(bad).some(([container, image]) => image !== good[container] && images[container] === image);
}
