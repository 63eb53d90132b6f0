import { canonicalGroup } from '../../../../slo-compiler/ruler/canonical-group.js';
import { isGeneratedGroupName } from '../../../../slo-compiler/ruler/ownership.js';
import { DuplicateGroupError, planRulerSync, type CurrentGroup, type DesiredGroup } from '../../../../slo-compiler/ruler/ruler-plan.js';

const group = (name: string, expr = 'up') => ({ name, rules: [{ record: 'job:up', expr }] });
const desired = (name: string, expr?: string): DesiredGroup => ({ name, canonical: canonicalGroup(group(name, expr)), group: group(name, expr) });
const current = (name: string, expr?: string): CurrentGroup => ({ name, canonical: canonicalGroup(group(name, expr)) });

const A = 'sloth-slo-sli-recordings-a';
const B = 'sloth-slo-alerts-b';
const C = 'sloth-slo-meta-recordings-c';

describe('planRulerSync', () => {
  test.each([
    ['an empty ruler gets every compiled group created', [desired(A), desired(B)], [], { create: [B, A], update: [], delete: [], unchanged: [], foreign: [] }],
    ['a ruler holding the same groups needs nothing', [desired(A), desired(B)], [current(B), current(A)], { create: [], update: [], delete: [], unchanged: [B, A], foreign: [] }],
    ['a group whose rules changed is updated, the others stay', [desired(A, 'up == 0'), desired(B)], [current(A), current(B)], { create: [], update: [A], delete: [], unchanged: [B], foreign: [] }],
    ["a generated group nothing compiles any more is deleted", [desired(A)], [current(A), current(C)], { create: [], update: [], delete: [C], unchanged: [A], foreign: [] }],
    ['a group metricops did not generate is left alone', [desired(A)], [current(A), current('team-recordings')], { create: [], update: [], delete: [], unchanged: [A], foreign: ['team-recordings'] }],
    ['a group the ruler holds in an unreadable form is updated', [desired(A)], [{ name: A, canonical: null }], { create: [], update: [A], delete: [], unchanged: [], foreign: [] }],
    ['no compiled groups delete every generated one and keep the foreign ones', [], [current(A), current('metricops-inline-rules'), current('mine')], { create: [], update: [], delete: ['metricops-inline-rules', A], unchanged: [], foreign: ['mine'] }],
  ])('%s', (_sentence, wanted, held, expected) => {
    const plan = planRulerSync(wanted, held, isGeneratedGroupName);
    expect({
      create: plan.create.map((item) => item.name), update: plan.update.map((item) => item.name),
      delete: plan.delete, unchanged: plan.unchanged, foreign: plan.foreign,
    }).toEqual(expected);
  });

  test('two compiled groups with one name are refused: a namespace holds one group per name', () => {
    expect(() => planRulerSync([desired(A), desired(A)], [], isGeneratedGroupName)).toThrow(DuplicateGroupError);
  });
});
