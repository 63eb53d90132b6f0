/** A PromQL vector selector split into metric name and matchers, so a suffix or a matcher can be added. */
export interface Selector {
  name: string;
  /** Raw matcher text without braces, e.g. `job="checkout"`; empty when none. */
  matchers: string;
}

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;

export class SelectorError extends Error {}

export function parseSelector(text: string): Selector {
  const match = SELECTOR.exec(text);
  if (!match) throw new SelectorError(`"${text}" is not a metric selector like name or name{label="value"}`);
  return { name: match[1]!, matchers: (match[2] ?? '').trim() };
}

/** Renders name{matchers, extra...}; omits the braces when there are no matchers. */
export function renderSelector(name: string, ...matcherLists: string[]): string {
  const matchers = matcherLists.map((list) => list.trim().replace(/,$/, '')).filter((list) => list !== '');
  return matchers.length === 0 ? name : `${name}{${matchers.join(',')}}`;
}
