/**
 * The burn-rate thresholds of an SLO's alerts, read from the alerting rules Prometheus has loaded (GET
 * /api/v1/rules): the compiler wrote each window's condition as `slo:sli_error:ratio_rate<w>{...} > <constant>`
 * (the constant is the factor times the error budget), pairs joined by `and`, pairs joined by `or`. This reads
 * those conditions back from the expression Prometheus runs, so the page shows the thresholds in force, whatever
 * the compiler's burn-rate math or version. Pure (parses PromQL with @prometheus-io/lezer-promql).
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { windowOfErrorRatio } from './slo-series.js';

export interface WindowThreshold {
  /** The window as in the rule name, e.g. "5m", "1h", "3d". */
  window: string;
  /** The error ratio above which this window's condition holds. */
  errorRatio: number;
}

/** One way the alert fires: every window of the group over its threshold (the workbook's short and long window). */
export type WindowGroup = WindowThreshold[];

/** Every `or` alternative of an expression, each the windows that must all be over their thresholds. */
export function windowGroups(expr: string): WindowGroup[] {
  const tree = parser.parse(expr);
  const top = tree.topNode.firstChild;
  if (!top) return [];
  return alternatives(top, expr).filter((group) => group.length > 0);
}

function alternatives(node: SyntaxNode, text: string): WindowGroup[] {
  if (node.name === 'ParenExpr' && node.firstChild) return alternatives(node.firstChild, text);
  if (node.name === 'BinaryExpr') {
    const [left, operator, right] = operands(node);
    if (left && right && operator === 'Or') return [...alternatives(left, text), ...alternatives(right, text)];
    if (left && right && operator === 'And') {
      const lefts = alternatives(left, text);
      const rights = alternatives(right, text);
      // (a or b) and c = (a and c) or (b and c)
      return lefts.flatMap((l) => rights.map((r) => [...l, ...r]));
    }
  }
  return [comparisons(node, text)];
}

/** The operands and the operator of a BinaryExpr (modifiers such as `on (...)` and `bool` skipped). */
function operands(node: SyntaxNode): [SyntaxNode | undefined, string | undefined, SyntaxNode | undefined] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  const operatorIndex = children.findIndex((child) => OPERATORS.has(child.name));
  if (operatorIndex < 0) return [undefined, undefined, undefined];
  const right = children.slice(operatorIndex + 1).find((child) => !MODIFIERS.has(child.name));
  return [children[0], children[operatorIndex]!.name, right];
}

const OPERATORS = new Set(['Or', 'And', 'Unless', 'Gtr', 'Gte', 'Lss', 'Lte', 'Eql', 'Neq', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow', 'Atan2']);
const MODIFIERS = new Set(['BoolModifier', 'MatchingModifierClause', 'FillModifier']);

/** Every `slo:sli_error:ratio_rate<w>{...} > constant` below `node`. */
function comparisons(node: SyntaxNode, text: string): WindowThreshold[] {
  const found: WindowThreshold[] = [];
  const visit = (current: SyntaxNode): void => {
    if (current.name === 'BinaryExpr') {
      const [left, operator, right] = operands(current);
      if (left && right && (operator === 'Gtr' || operator === 'Gte')) {
        const window = left.name === 'VectorSelector' ? windowOfErrorRatio(metricName(left, text)) : undefined;
        const threshold = constant(right, text);
        if (window !== undefined && threshold !== undefined) {
          found.push({ window, errorRatio: threshold });
          return;
        }
      }
    }
    for (let child = current.firstChild; child; child = child.nextSibling) visit(child);
  };
  visit(node);
  return found;
}

function metricName(selector: SyntaxNode, text: string): string {
  const identifier = selector.getChild('Identifier');
  return identifier ? text.slice(identifier.from, identifier.to) : '';
}

/** The value of a constant expression (numbers, parentheses, + - * /), or undefined. */
function constant(node: SyntaxNode, text: string): number | undefined {
  switch (node.name) {
    case 'NumberDurationLiteral':
    case 'NumberLiteral': {
      const value = Number(text.slice(node.from, node.to));
      return Number.isFinite(value) ? value : undefined;
    }
    case 'ParenExpr':
      return node.firstChild ? constant(node.firstChild, text) : undefined;
    case 'UnaryExpr': {
      const operand = node.lastChild ? constant(node.lastChild, text) : undefined;
      const sign = node.firstChild?.name === 'Sub' ? -1 : 1;
      return operand === undefined ? undefined : sign * operand;
    }
    case 'BinaryExpr': {
      const [left, operator, right] = operands(node);
      const a = left ? constant(left, text) : undefined;
      const b = right ? constant(right, text) : undefined;
      if (a === undefined || b === undefined) return undefined;
      if (operator === 'Add') return a + b;
      if (operator === 'Sub') return a - b;
      if (operator === 'Mul') return a * b;
      if (operator === 'Div') return b === 0 ? undefined : a / b;
      return undefined;
    }
    default:
      return undefined;
  }
}
