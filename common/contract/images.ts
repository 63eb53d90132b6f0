import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { z } from 'zod';
import { parseJsonAnnotation, type AnnotationValue } from './annotation-value.js';
import { StampError } from './stamp-error.js';

/** Key prefix of init containers in `metricops.io/images`; app containers use their bare name. */
export const INIT_CONTAINER_PREFIX = 'init:';

/**
 * Container name -> image of a Deployment's pod template: app containers first, then init containers
 * (`init:<name>`), in spec order. Ephemeral containers are never part of a pod template, so they are not stamped.
 */
export function containerImages(deployment: unknown): Record<string, string> {
  const spec = child(deployment, 'object', 'spec');
  const template = child(spec, 'spec', 'template');
  const podSpec = child(template, 'spec.template', 'spec');
  const images: Record<string, string> = {};
  addContainers(images, podSpec, 'containers', '');
  addContainers(images, podSpec, 'initContainers', INIT_CONTAINER_PREFIX);
  return images;
}

function child(parent: unknown, parentPath: string, name: string): unknown {
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) {
    throw new StampError(parentPath, 'is not an object');
  }
  return (parent as Record<string, unknown>)[name];
}

function addContainers(images: Record<string, string>, podSpec: unknown, list: string, prefix: string): void {
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

/** The images of one pod template (a Deployment's or a ReplicaSet's), keyed as in `metricops.io/images`. */
export function templateImages(template: V1PodTemplateSpec): Record<string, string> {
  return containerImages({ spec: { template } });
}

export function formatImages(images: Record<string, string>): string {
  return JSON.stringify(images);
}

export function parseImages(text: string): AnnotationValue<Record<string, string>> {
  return parseJsonAnnotation(text, z.record(z.string(), z.string()), 'a JSON object of container name -> image');
}
