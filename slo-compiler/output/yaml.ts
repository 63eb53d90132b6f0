import jsYaml from 'js-yaml';
import { isAlertingRule, type RuleGroup } from '../rules/rule.js';

const OPTIONS = { lineWidth: -1, noRefs: true, noArrayIndent: true, quotingType: '"' } as const;

/**
 * Deterministic YAML: no line folding, multi-line strings as literal blocks, keys in insertion order, sequences
 * not indented under their key, double quotes where quoting is needed, and no anchors/aliases even when objects
 * (e.g. label sets) are shared. js-yaml's dump: for promtool test files and anything that is not plain data.
 */
export function toYaml(value: unknown): string {
  return jsYaml.dump(value, OPTIONS);
}

const AMBIGUOUS_TYPES = (jsYaml.DEFAULT_SCHEMA as unknown as { compiledImplicit: Array<{ resolve(text: string): boolean }> }).compiledImplicit;
const DEPRECATED_BOOLEANS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const DEPRECATED_BASE60 = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;
/** Strings js-yaml always writes plain in block context (letters, digits and `_ . / -` not first, no ambiguity checked here). */
const SIMPLE = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const INDENT = 2;
/** A character js-yaml's isPrintable refuses, other than a line feed: such a multi-line string is double-quoted. */
const NOT_PRINTABLE_MULTILINE = /[^\n\x20-\x7E\xA1-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** Its quick pre-check: printable ASCII and line feeds (every generated expression) need no Unicode scan. */
const NOT_PLAIN_ASCII_MULTILINE = /[^\n\x20-\x7E]/;

/**
 * The same bytes as toYaml for documents of plain objects, arrays and strings (rule files, PrometheusRule objects),
 * written directly: js-yaml's scalar-style choice (chooseScalarStyle) and block layout, without its per-node type
 * detection. Rule files are most of what `metricops compile` writes, and this is several times faster; test/unit
 * compares both on every example and on strings of every kind. Anything else falls back to toYaml. Single-line
 * scalars are remembered (label names and values repeat across thousands of rules), so use one writer per compile.
 */
export class YamlWriter {
  /** Single-line scalars written so far, by context: value in a block, key in a block (flow context is not used). */
  private readonly values = new Map<string, string>();
  private readonly keys = new Map<string, string>();

  document(value: unknown): string {
    if (!isPlainData(value)) return toYaml(value);
    const out = this.node(value, 0, true, true, false, false);
    return out === undefined ? toYaml(value) : `${out}\n`;
  }

  /**
   * `key:` followed by the rule groups as a block sequence, as document() writes `{ key: groupsToPlain(groups) }`
   * at that mapping level, straight from the rule objects (no plain copy): the bulk of every rule file.
   */
  ruleGroupsEntry(key: string, groups: readonly RuleGroup[], level: number): string {
    if (groups.length === 0) return `${key}: []`;
    // Parts joined once: one flat string per file instead of a rope of a node per piece (cheaper to keep alive).
    const parts: string[] = [`${key}:`];
    for (const group of groups) {
      parts.push(`${nextLine(level)}- name: ${this.scalar(group.name, level + 2, false, true)}`);
      if (group.interval !== undefined) parts.push(`${nextLine(level + 1)}interval: ${this.scalar(group.interval, level + 2, false, true)}`);
      if (group.rules.length === 0) {
        parts.push(`${nextLine(level + 1)}rules: []`);
        continue;
      }
      parts.push(`${nextLine(level + 1)}rules:`);
      for (const rule of group.rules) {
        const alerting = isAlertingRule(rule);
        parts.push(`${nextLine(level + 1)}- ${alerting ? 'alert' : 'record'}: ${this.scalar(alerting ? rule.alert : rule.record, level + 3, false, true)}`);
        parts.push(this.entry('expr', rule.expr, level + 2));
        if (alerting && rule.for !== undefined) parts.push(this.entry('for', rule.for, level + 2));
        parts.push(this.labelsEntry('labels', rule.labels, level + 2));
        if (alerting) parts.push(this.labelsEntry('annotations', rule.annotations, level + 2));
      }
    }
    return parts.join('');
  }

  private entry(key: string, value: string, level: number): string {
    const dump = this.scalar(value, level + 1, false, true);
    return `${nextLine(level)}${key}${dump.charCodeAt(0) === 10 ? ':' : ': '}${dump}`;
  }

  private labelsEntry(key: string, labels: Record<string, string>, level: number): string {
    let out = '';
    for (const name in labels) {
      const value = labels[name];
      if (value === undefined) continue;
      if (out === '') out = `${nextLine(level)}${key}:`;
      const dump = this.scalar(value, level + 2, false, true);
      out += `${nextLine(level + 1)}${this.scalar(name, level + 2, true, true)}${dump.charCodeAt(0) === 10 ? ':' : ': '}${dump}`;
    }
    return out;
  }

  /** js-yaml's writeNode for strings, arrays and objects; undefined for anything else (the caller falls back). */
  private node(value: unknown, level: number, block: boolean, compact: boolean, isKey: boolean, isBlockSequence: boolean): string | undefined {
    if (typeof value === 'string') return this.scalar(value, level, isKey, block);
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      return this.sequence(value, !isBlockSequence && level > 0 ? level - 1 : level, compact);
    }
    if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value);
      if (keys.length === 0) return '{}';
      return this.mapping(value as Record<string, unknown>, keys, level, compact);
    }
    return undefined;
  }

  private sequence(items: unknown[], level: number, compact: boolean): string | undefined {
    let result = '';
    for (const item of items) {
      const dump = this.node(item, level + 1, true, true, false, true);
      if (dump === undefined) return undefined;
      if (!compact || result !== '') result += nextLine(level);
      result += dump.charCodeAt(0) === 10 ? `-${dump}` : `- ${dump}`;
    }
    return result;
  }

  private mapping(object: Record<string, unknown>, keys: string[], level: number, compact: boolean): string | undefined {
    let result = '';
    for (const key of keys) {
      const value = object[key];
      if (value === undefined) continue;
      let pair = !compact || result !== '' ? nextLine(level) : '';
      const keyDump = this.scalar(key, level + 1, true, true);
      if (keyDump.length > 1024) return undefined;
      pair += keyDump;
      const dump = this.node(value, level + 1, true, false, false, false);
      if (dump === undefined) return undefined;
      pair += dump.charCodeAt(0) === 10 ? ':' : ': ';
      result += pair + dump;
    }
    return result === '' ? '{}' : result;
  }

  /** js-yaml's writeScalar with lineWidth -1 and double quotes. */
  private scalar(text: string, level: number, isKey: boolean, inBlock: boolean): string {
    if (!text.includes('\n')) {
      if (!inBlock) return singleLine(text, inBlock);
      const cache = isKey ? this.keys : this.values;
      let known = cache.get(text);
      if (known === undefined) {
        known = singleLine(text, inBlock);
        cache.set(text, known);
      }
      return known;
    }
    if (isKey || (NOT_PLAIN_ASCII_MULTILINE.test(text) && NOT_PRINTABLE_MULTILINE.test(text))) return `"${escape(text)}"`;
    return `|${blockHeader(text)}${dropEndingNewline(indentString(text, INDENT * Math.max(1, level)))}`;
  }
}

function isPlainData(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

const NEXT_LINES = Array.from({ length: 12 }, (_, level) => `\n${' '.repeat(INDENT * level)}`);

function nextLine(level: number): string {
  return NEXT_LINES[level] ?? `\n${' '.repeat(INDENT * level)}`;
}

function singleLine(text: string, inBlock: boolean): string {
  if (text.length === 0) return '""';
  if (DEPRECATED_BOOLEANS.has(text) || DEPRECATED_BASE60.test(text)) return `"${text}"`;
  if (SIMPLE.test(text)) return ambiguous(text) ? `"${escape(text)}"` : text;
  let plain = isPlainSafeFirst(codePointAt(text, 0)) && isPlainSafeLast(codePointAt(text, text.length - 1));
  let previous: number | null = null;
  for (let index = 0; index < text.length; ) {
    const char = codePointAt(text, index);
    if (!isPrintable(char)) return `"${escape(text)}"`;
    plain = plain && isPlainSafe(char, previous, inBlock);
    previous = char;
    index += char >= 65536 ? 2 : 1;
  }
  return plain && !ambiguous(text) ? text : `"${escape(text)}"`;
}

/** What an implicitly typed scalar can start with (null, booleans, numbers, timestamps, `<<`): others need no check. */
const MAYBE_TYPED = /^(?:[-+.~<0-9]|[nN]ull|NULL|[tT]rue|TRUE|[fF]alse|FALSE)/;

function ambiguous(text: string): boolean {
  return MAYBE_TYPED.test(text) && AMBIGUOUS_TYPES.some((type) => type.resolve(text));
}

function codePointAt(text: string, position: number): number {
  const first = text.charCodeAt(position);
  if (first >= 0xd800 && first <= 0xdbff && position + 1 < text.length) {
    const second = text.charCodeAt(position + 1);
    if (second >= 0xdc00 && second <= 0xdfff) return (first - 0xd800) * 0x400 + second - 0xdc00 + 0x10000;
  }
  return first;
}

const BOM = 0xfeff;

function isPrintable(c: number): boolean {
  return (c >= 32 && c <= 126) || (c >= 161 && c <= 55295 && c !== 8232 && c !== 8233) || (c >= 57344 && c <= 65533 && c !== BOM) || (c >= 65536 && c <= 1114111);
}

function isWhitespace(c: number | null): boolean {
  return c === 32 || c === 9;
}

function isNsCharOrWhitespace(c: number): boolean {
  return isPrintable(c) && c !== BOM && c !== 13 && c !== 10;
}

const FLOW_INDICATORS = new Set([44, 91, 93, 123, 125]);

function isPlainSafe(c: number, previous: number | null, inBlock: boolean): boolean {
  const nsCharOrWhitespace = isNsCharOrWhitespace(c);
  const nsChar = nsCharOrWhitespace && !isWhitespace(c);
  return (
    ((inBlock ? nsCharOrWhitespace : nsCharOrWhitespace && !FLOW_INDICATORS.has(c)) && c !== 35 && !(previous === 58 && !nsChar)) ||
    (previous !== null && isNsCharOrWhitespace(previous) && !isWhitespace(previous) && c === 35) ||
    (previous === 58 && nsChar)
  );
}

const NOT_FIRST = new Set([45, 63, 58, 44, 91, 93, 123, 125, 35, 38, 42, 33, 124, 61, 62, 39, 34, 37, 64, 96]);

function isPlainSafeFirst(c: number): boolean {
  return isPrintable(c) && c !== BOM && !isWhitespace(c) && !NOT_FIRST.has(c);
}

function isPlainSafeLast(c: number): boolean {
  return !isWhitespace(c) && c !== 58;
}

const ESCAPES: Record<number, string> = {
  0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 34: '\\"', 92: '\\\\', 133: '\\N', 160: '\\_', 8232: '\\L', 8233: '\\P',
};

function escape(text: string): string {
  let result = '';
  for (let index = 0; index < text.length; ) {
    const char = codePointAt(text, index);
    const width = char >= 65536 ? 2 : 1;
    const sequence = ESCAPES[char];
    if (!sequence && isPrintable(char)) result += text.slice(index, index + width);
    else result += sequence ?? encodeHex(char);
    index += width;
  }
  return result;
}

function encodeHex(char: number): string {
  const hex = char.toString(16).toUpperCase();
  if (char <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (char <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

function blockHeader(text: string): string {
  const indicator = /^\n* /.test(text) ? String(INDENT) : '';
  const clip = text[text.length - 1] === '\n';
  const keep = clip && (text[text.length - 2] === '\n' || text === '\n');
  return `${indicator}${keep ? '+' : clip ? '' : '-'}\n`;
}

function dropEndingNewline(text: string): string {
  return text[text.length - 1] === '\n' ? text.slice(0, -1) : text;
}

/** Indents every line that has text (js-yaml's indentString). */
function indentString(text: string, spaces: number): string {
  return text.replace(LINE_WITH_TEXT, ' '.repeat(spaces));
}

const LINE_WITH_TEXT = /^(?=[^\n])/gm;
