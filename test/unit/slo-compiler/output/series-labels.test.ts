import { candidateValues, matches, parseMatchers, seriesText, solveLabels, type Matcher } from '../../../../slo-compiler/output/series-labels.js';

const m = (text: string): Matcher[] => {
  const parsed = parseMatchers(text);
  if (!parsed) throw new Error(`unparsable ${text}`);
  return parsed;
};

describe('parseMatchers', () => {
  test.each([
    ['equality and regex matchers', 'job="checkout",code=~"5.."', [{ name: 'job', op: '=', value: 'checkout' }, { name: 'code', op: '=~', value: '5..' }]],
    ['negative matchers with spaces', ' code != "200" , path !~ "/health.*" ', [{ name: 'code', op: '!=', value: '200' }, { name: 'path', op: '!~', value: '/health.*' }]],
    ['escaped quotes in values', 'msg="say \\"hi\\""', [{ name: 'msg', op: '=', value: 'say "hi"' }]],
    ['no matchers', '', []],
  ])('%s', (_description, text, expected) => {
    expect(parseMatchers(text)).toEqual(expected);
  });

  test('returns null for text that is not a matcher list', () => {
    expect(parseMatchers('job=checkout')).toBeNull();
  });
});

describe('solveLabels', () => {
  test.each([
    ['an error series matching a status-code regex and the job', m('job="checkout",code=~"5.."'), undefined, { job: 'checkout', code: '500' }],
    ['an alternation picks its first branch', m('code=~"(5..|429)"'), undefined, { code: '500' }],
    ['a good series inside the total that misses the error regex', m('job="checkout"'), m('job="checkout",code=~"5.."'), { job: 'checkout', code: '200' }],
    ['a good series for a negative error matcher', m('job="search"'), m('job="search",code!~"2.."'), { job: 'search', code: '200' }],
  ])('%s', (_description, must, mustNot, expected) => {
    const labels = solveLabels(must, mustNot);
    expect(labels).toEqual(expected);
    for (const matcher of must) expect(matches(matcher, labels![matcher.name] ?? '')).toBe(true);
    if (mustNot) expect(mustNot.some((matcher) => !matches(matcher, labels![matcher.name] ?? ''))).toBe(true);
  });

  test('returns null when the error selector matches every series of the total', () => {
    expect(solveLabels(m('job="x"'), m('job="x"'))).toBeNull();
  });

  test('candidate values include samples of the regexes', () => {
    expect(candidateValues(m('code=~"4[0-9]9"'))).toContain('409');
  });

  test('seriesText sorts labels and drops braces when there are none', () => {
    expect(seriesText('up', { job: 'a', code: '1' })).toBe('up{code="1", job="a"}');
    expect(seriesText('up', {})).toBe('up');
  });
});
