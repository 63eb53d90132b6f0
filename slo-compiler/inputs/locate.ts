import type { LineCounter, Node, Scalar } from 'yaml';
import type { FieldPath } from '../../common/field-path.js';
import { yamlParser } from './yaml-document-parser.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds where a field of a document is written in the YAML text. Parsing for positions is slower than parsing for
 * values, so a Locator parses its text only when the first problem in it needs a line.
 */
export class Locator {
  private documents: Array<{ contents: unknown }> | undefined;
  private lineCounter: LineCounter | undefined;

  constructor(private readonly text: string) {}

  /** The line and column of the field at `path` (or of its deepest existing parent), 1-based. */
  locate(documentIndex: number, path: FieldPath, valueOffset?: number, atKey = false): Position | undefined {
    const { LineCounter, isScalar, parseAllDocuments } = yamlParser();
    this.lineCounter ??= new LineCounter();
    this.documents ??= parseAllDocuments(this.text, { lineCounter: this.lineCounter, keepSourceTokens: false }) as Array<{
      contents: unknown;
    }>;
    const document = this.documents[documentIndex];
    if (!document) return undefined;
    let node: unknown = document.contents;
    let keyNode: unknown;
    for (const segment of path) {
      const next = child(node, segment);
      if (!next) break;
      keyNode = next.key;
      node = next.value;
    }
    if (isScalar(node) && valueOffset !== undefined) {
      const inside = this.insideScalar(node, valueOffset);
      if (inside) return inside;
    }
    const target = (isScalar(node) && !atKey) || keyNode === undefined ? node : keyNode;
    const start = rangeStart(target) ?? rangeStart(node);
    return start === undefined ? undefined : this.position(start);
  }

  private position(offset: number): Position {
    const { line, col } = this.lineCounter!.linePos(offset);
    return { line, column: col };
  }

  /** Maps an offset inside a scalar's value to the text, for single-line scalars and literal blocks (`|`). */
  private insideScalar(node: Scalar, valueOffset: number): Position | undefined {
    const { Scalar } = yamlParser();
    const range = node.range;
    if (!range) return undefined;
    const raw = this.text.slice(range[0], range[1]);
    if (node.type === Scalar.PLAIN && !raw.includes('\n')) return this.position(range[0] + valueOffset);
    if ((node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE) && !raw.includes('\n')) {
      return this.position(range[0] + 1 + valueOffset);
    }
    if (node.type === Scalar.BLOCK_LITERAL) {
      const value = String(node.value);
      const before = value.slice(0, valueOffset).split('\n');
      const lineInValue = before.length - 1;
      const columnInValue = before[before.length - 1]!.length;
      const header = this.position(range[0]);
      const contentLines = raw.split('\n').slice(1);
      const indent = Math.min(
        ...contentLines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length),
      );
      return { line: header.line + 1 + lineInValue, column: (Number.isFinite(indent) ? indent : 0) + columnInValue + 1 };
    }
    return undefined;
  }
}

function child(node: unknown, segment: string | number): { key: unknown; value: unknown } | undefined {
  const { isMap, isPair, isScalar, isSeq } = yamlParser();
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(segment)) return { key: pair.key, value: pair.value };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: item, value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}
