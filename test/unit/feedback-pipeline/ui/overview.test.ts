import { buildOverview, selectPage } from '../../../../feedback-pipeline/ui/overview.js';
import { guarded, NO_PROMETHEUS, summary } from './fixtures.js';

const all = [guarded('web', {}, 'shop'), guarded('cart', {}, 'shop'), guarded('api', {}, 'billing'), summary('unguarded'), guarded('Checkout-API', {}, 'shop')];

describe('the overview page of guarded Deployments', () => {
  test.each([
    ['no filter: every guarded one, by namespace then name', {}, ['billing/api', 'shop/Checkout-API', 'shop/cart', 'shop/web']],
    ['by namespace (exact)', { namespace: 'shop' }, ['shop/Checkout-API', 'shop/cart', 'shop/web']],
    ['by part of the name, any case', { name: 'API' }, ['billing/api', 'shop/Checkout-API']],
    ['both', { namespace: 'shop', name: 'api' }, ['shop/Checkout-API']],
    ['nothing matches', { namespace: 'none' }, []],
  ])('%s', (_name, filter, expected) => {
    const page = selectPage(all, { ...filter, page: 1, perPage: 50 });
    expect(page.deployments.map((deployment) => `${deployment.namespace}/${deployment.name}`)).toEqual(expected);
    expect(page.guarded).toBe(4);
    expect(page.matched).toBe(expected.length);
  });

  test('pages: a page past the last shows the last; counts say how many there are', () => {
    const many = Array.from({ length: 120 }, (_, index) => guarded(`d${String(index).padStart(3, '0')}`));
    const third = selectPage(many, { page: 3, perPage: 50 });
    expect(third.deployments.map((deployment) => deployment.name)).toEqual(Array.from({ length: 20 }, (_, index) => `d${100 + index}`));
    expect(third.pages).toBe(3);
    expect(selectPage(many, { page: 9, perPage: 50 }).query.page).toBe(3);
    expect(selectPage([], { page: 2, perPage: 50 })).toMatchObject({ pages: 1, query: { page: 1 }, deployments: [] });
  });

  test('rows are built for the page only', () => {
    const overview = buildOverview(selectPage(all, { page: 2, perPage: 3 }), NO_PROMETHEUS, new Date('2026-11-30T12:00:00Z'));
    expect(overview.rows.map((row) => row.name)).toEqual(['web']);
    expect(overview).toMatchObject({ guarded: 4, matched: 4, pages: 2, generatedAt: '2026-11-30T12:00:00.000Z', prometheus: { state: 'off' } });
  });
});
