/**
 * Picks concrete label values that satisfy (or deliberately fail) PromQL label matchers, so emitted promtool
 * tests can write input_series for an SLO's selectors. Handles =, !=, =~ and !~ with everyday regexes.
 */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/gy;

export function parseMatchers(text: string): Matcher[] | null {
  const matchers: Matcher[] = [];
  MATCHER.lastIndex = 0;
  let rest = text.trim();
  if (rest === '') return matchers;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = MATCHER.exec(rest)) !== null) {
    matchers.push({ name: match[1]!, op: match[2] as Matcher['op'], value: JSON.parse(`"${match[3]!}"`) as string });
    consumed = MATCHER.lastIndex;
    if (consumed >= rest.length) break;
  }
  rest = rest.slice(consumed).trim();
  return rest === '' ? matchers : null;
}

export function matches(matcher: Matcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return anchored(matcher.value).test(value);
    case '!~':
      return !anchored(matcher.value).test(value);
  }
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** A string a simple regex probably matches: first alternative, `.`/`\d` -> 0, classes -> first member. */
function sampleOf(pattern: string): string {
  let text = pattern.replace(/^\^|\$$/g, '');
  const top = text.replace(/^\((.*)\)$/, '$1');
  text = top.split('|')[0] ?? '';
  return text
    .replace(/\\d/g, '0')
    .replace(/\[([^\]])[^\]]*\]/g, '$1')
    .replace(/[()]/g, '')
    .replace(/\.\*|\.\+/g, '0')
    .replace(/\./g, '0')
    .replace(/[*?]/g, '')
    .replace(/\+/g, '')
    .replace(/\\(.)/g, '$1');
}

const FALLBACK_VALUES = ['200', '500', 'ok', 'error', 'metricops-test', '0', '1', 'GET', ''];

export function candidateValues(matchers: Matcher[]): string[] {
  const fromMatchers = matchers.flatMap((matcher) =>
    matcher.op === '=' || matcher.op === '!=' ? [matcher.value] : [sampleOf(matcher.value)],
  );
  return [...new Set([...fromMatchers, ...FALLBACK_VALUES])];
}

/**
 * Label values for a series matching every matcher in `must`, and, when `mustNot` is given, failing at least one
 * matcher of it. Null when no candidate works (the caller then skips the test and says why).
 */
export function solveLabels(must: Matcher[], mustNot?: Matcher[]): Record<string, string> | null {
  const names = [...new Set([...must, ...(mustNot ?? [])].map((matcher) => matcher.name))].sort();
  const all = [...must, ...(mustNot ?? [])];
  const options = names.map((name) => {
    const onLabel = must.filter((matcher) => matcher.name === name);
    return candidateValues(all.filter((matcher) => matcher.name === name)).filter((value) => onLabel.every((m) => matches(m, value)));
  });
  if (options.some((values) => values.length === 0)) return null;
  const failsOne = (labels: Record<string, string>) =>
    mustNot === undefined || mustNot.some((matcher) => !matches(matcher, labels[matcher.name] ?? ''));
  // Try the first candidate everywhere, then vary one label at a time: enough for real selectors.
  const base = Object.fromEntries(names.map((name, index) => [name, options[index]![0]!]));
  if (failsOne(base)) return withoutEmpty(base);
  for (const [index, name] of names.entries()) {
    for (const value of options[index]!) {
      const labels = { ...base, [name]: value };
      if (failsOne(labels)) return withoutEmpty(labels);
    }
  }
  return null;
}

/** An empty label value means "label absent" in Prometheus. */
function withoutEmpty(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== ''));
}

export function seriesText(name: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(', ');
  return body === '' ? name : `${name}{${body}}`;
}
