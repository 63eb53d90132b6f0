import { Annotations } from '../../../../common/contract/annotations.js';
import { DEFAULT_WATCH_WINDOW_MS, lastRollbackTime, parseDeploymentPolicy } from '../../../../feedback-pipeline/core/policy.js';

describe('parseDeploymentPolicy', () => {
  test('no annotations: rollback enabled, 30m window, no stamps, no problems', () => {
    expect(parseDeploymentPolicy({})).toEqual({
      policy: { rollback: 'enabled', watchWindow: DEFAULT_WATCH_WINDOW_MS, images: {}, rules: [] },
      problems: [],
    });
  });

  test('every annotation valid: all parsed', () => {
    const { policy, problems } = parseDeploymentPolicy({
      [Annotations.rollback]: 'dry-run',
      [Annotations.watchWindow]: '1h30m',
      [Annotations.deployedAt]: '2026-11-21T10:00:00Z',
      [Annotations.images]: '{"app":"shop/checkout:v2"}',
      [Annotations.rules]: '[{"alert":"A","severity":"page","slo":"s","labels":{"slo":"s"}},{"alert":"B"}]',
      [Annotations.gitPath]: 'apps/checkout.yaml',
    });
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      rollback: 'dry-run',
      watchWindow: 90 * 60_000,
      deployedAt: new Date('2026-11-21T10:00:00Z'),
      images: { app: 'shop/checkout:v2' },
      rules: [
        { alert: 'A', severity: 'page', slo: 's', labels: { slo: 's' } },
        { alert: 'B', severity: 'page', labels: {} },
      ],
      gitPath: 'apps/checkout.yaml',
    });
  });

  test.each<{
    description: string;
    annotations: Record<string, string>;
    annotation: string;
    says: RegExp;
    check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => void;
  }>([
    {
      description: 'an unknown rollback mode is a problem and means disabled',
      annotations: { [Annotations.rollback]: 'enabeld' },
      annotation: Annotations.rollback,
      says: /unknown mode "enabeld", treated as disabled: use one of enabled, dry-run, disabled/,
      check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => expect(policy.rollback).toBe('disabled'),
    },
    {
      description: 'a bad watch window is a problem and keeps the default',
      annotations: { [Annotations.watchWindow]: '1 hour' },
      annotation: Annotations.watchWindow,
      says: /"1 hour" is not a duration/,
      check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => expect(policy.watchWindow).toBe(DEFAULT_WATCH_WINDOW_MS),
    },
    {
      description: 'rules that are not JSON are a problem naming the JSON error',
      annotations: { [Annotations.rules]: '[{"alert": "A"' },
      annotation: Annotations.rules,
      says: /not valid JSON \(.+\): expected a JSON list/,
      check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => expect(policy.rules).toEqual([]),
    },
    {
      description: 'rules of the wrong shape are a problem naming the field path',
      annotations: { [Annotations.rules]: '[{"alert":"A","labels":{"x":1}}]' },
      annotation: Annotations.rules,
      says: /\[0\]\.labels\.x: .*expected a JSON list/,
      check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => expect(policy.rules).toEqual([]),
    },
    {
      description: 'a deployed-at that is not a time is a problem and leaves deployedAt unset',
      annotations: { [Annotations.deployedAt]: 'yesterday' },
      annotation: Annotations.deployedAt,
      says: /"yesterday" is not an RFC 3339 time/,
      check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => expect(policy.deployedAt).toBeUndefined(),
    },
    {
      description: 'images that are not an object are a problem',
      annotations: { [Annotations.images]: '["a"]' },
      annotation: Annotations.images,
      says: /expected a JSON object of container name -> image/,
      check: (policy: ReturnType<typeof parseDeploymentPolicy>['policy']) => expect(policy.images).toEqual({}),
    },
  ])('$description', ({ annotations, annotation, says, check }) => {
    const { policy, problems } = parseDeploymentPolicy(annotations);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.annotation).toBe(annotation);
    expect(problems[0]!.message).toMatch(says);
    check(policy);
  });
});

describe('lastRollbackTime', () => {
  test.each([
    { description: 'no annotation: none', value: undefined, expected: undefined },
    { description: 'a record with a time: that time', value: '{"time":"2026-11-21T10:00:00Z"}', expected: new Date('2026-11-21T10:00:00Z') },
    { description: 'a record that is not JSON: none', value: '{', expected: undefined },
    { description: 'a record without a time: none', value: '{"from":{}}', expected: undefined },
  ])('$description', ({ value, expected }) => {
    expect(lastRollbackTime(value === undefined ? {} : { [Annotations.rolledBackFrom]: value })).toEqual(expected);
  });
});
