import jsYaml from 'js-yaml';

/**
 * Deterministic YAML: no line folding, multi-line strings as literal blocks, keys in insertion order, sequences
 * not indented under their key, double quotes where quoting is needed, and no anchors/aliases even when objects
 * (e.g. label sets) are shared. js-yaml's dump is used for speed: about 4x faster than `yaml`'s stringify here.
 */
export function toYaml(value: unknown): string {
  return jsYaml.dump(value, { lineWidth: -1, noRefs: true, noArrayIndent: true, quotingType: '"' });
}
