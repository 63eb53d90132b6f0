import { stringify } from 'yaml';

/** Deterministic YAML: no line folding, multi-line strings as literal blocks, keys in insertion order, no anchors. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, blockQuote: 'literal', indentSeq: false, aliasDuplicateObjects: false });
}
