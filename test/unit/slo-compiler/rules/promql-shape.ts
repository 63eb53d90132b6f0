import { parser } from '@prometheus-io/lezer-promql';

/**
 * A PromQL expression reduced to its syntax tree's leaves (node type and text), numbers compared by value:
 * two expressions with the same shape mean the same thing however they are spaced or how floats are printed.
 * Throws when the text does not parse.
 */
export function promqlShape(expr: string): string[] {
  const tree = parser.parse(expr);
  const leaves: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL does not parse at offset ${node.from}: ${expr}`);
      if (node.node.firstChild !== null) return undefined;
      const text = expr.slice(node.from, node.to);
      if (text.trim() === '') return undefined;
      const number = Number(text);
      leaves.push(`${node.type.name}:${text !== '' && Number.isFinite(number) ? Number(number.toPrecision(12)) : text}`);
      return undefined;
    },
  });
  return leaves;
}
