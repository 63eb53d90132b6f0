/**
 * `metricops.io/images`: container name -> image of a pod template, app containers by name, then init containers as
 * `init:<name>`, in spec order. The webhook stamps it, the feedback pipeline's records and the GitOps write-back use
 * the same keys. Ephemeral containers are never part of a pod template, so they are not stamped.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { z } from 'zod';
import { parseJsonAnnotation, type AnnotationValue } from './annotation-value.js';
import { StampError } from './stamp-error.js';

/** Key prefix of init containers in an images map; app containers use their bare name. */
export const INIT_CONTAINER_PREFIX = 'init:';

export type ImageMap = Record<string, string>;

/** The images of a Deployment's pod template; throws StampError naming the field that is not shaped like one. */
export function containerImages(deployment: unknown): ImageMap {
  const spec = child(deployment, 'object', 'spec');
  const template = child(spec, 'spec', 'template');
  const podSpec = child(template, 'spec.template', 'spec');
  const images: ImageMap = {};
  addContainers(images, podSpec, 'containers', '');
  addContainers(images, podSpec, 'initContainers', INIT_CONTAINER_PREFIX);
  return images;
}

/** The images of one pod template (a Deployment's or a ReplicaSet's), keyed as in `metricops.io/images`. */
export function templateImages(template: V1PodTemplateSpec): ImageMap {
  return containerImages({ spec: { template } });
}

export function formatImages(images: ImageMap): string {
  return JSON.stringify(images);
}

const imageMap = z.record(z.string(), z.string());

export function parseImages(text: string): AnnotationValue<ImageMap> {
  return parseJsonAnnotation(text, imageMap, 'a JSON object of container name -> image');
}

function child(parent: unknown, parentPath: string, name: string): unknown {
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) {
    throw new StampError(parentPath, 'is not an object');
  }
  return (parent as Record<string, unknown>)[name];
}

function addContainers(images: ImageMap, podSpec: unknown, list: string, prefix: string): void {
  const path = `spec.template.spec.${list}`;
  const containers = child(podSpec, 'spec.template.spec', list);
  if (containers === undefined || containers === null) {
    if (list === 'containers') throw new StampError(path, 'is missing: a Deployment needs at least one container');
    return;
  }
  if (!Array.isArray(containers)) throw new StampError(path, 'is not a list');
  containers.forEach((container: unknown, index) => {
    const at = `${path}[${index}]`;
    const name = child(container, at, 'name');
    const image = child(container, at, 'image');
    if (typeof name !== 'string' || name === '') throw new StampError(`${at}.name`, 'is not a non-empty string');
    if (typeof image !== 'string') throw new StampError(`${at}.image`, 'is not a string');
    images[prefix + name] = image;
  });
}
