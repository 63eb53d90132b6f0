import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Annotations } from '../../../../common/contract/annotations.js';
import { InvalidInputError } from '../../../../common/errors.js';
import { deploymentPage } from '../../../../feedback-pipeline/ui/html/deployment-page.js';
import { escapeHtml, html, jsonScript } from '../../../../feedback-pipeline/ui/html/html.js';
import { overviewPage } from '../../../../feedback-pipeline/ui/html/overview-page.js';
import { timeRange } from '../../../../feedback-pipeline/ui/chart-data.js';
import { buildRow } from '../../../../feedback-pipeline/ui/deployment-row.js';
import { buildOverview, selectPage } from '../../../../feedback-pipeline/ui/overview.js';
import { statusJson, statusSchema } from '../../../../feedback-pipeline/ui/overview-json.js';
import { parseOverviewQuery, parseRangeQuery } from '../../../../feedback-pipeline/ui/page-query.js';
import { statusTable } from '../../../../feedback-pipeline/ui/status-table.js';
import { guarded, NO_PROMETHEUS, prometheusSays, rolledBackFrom } from './fixtures.js';

const INJECTED = '<script>window.pwned=1</script>';
const odd = guarded('web', {
  [Annotations.slo]: `checkout-availability,${INJECTED}`,
  [Annotations.rules]: JSON.stringify([{ alert: `X"><img src=x onerror=alert(1)>`, severity: 'page', slo: 'a"b', labels: { slo: '</td>' } }]),
  [Annotations.images]: JSON.stringify({ 'app"><b>': `r/app:1${INJECTED}` }),
  [Annotations.deployedAt]: `yesterday ${INJECTED}`,
  [Annotations.rolledBackFrom]: rolledBackFrom('2026-11-30T12:00:10.000Z', { 'app"><b>': `r/app:1${INJECTED}` }).replace('started 20s after the rollout', `bad </td>${INJECTED}`),
});
const now = new Date('2026-11-30T12:05:00Z');
const overview = buildOverview(selectPage([odd, guarded('checkout')], { page: 1, perPage: 50 }), prometheusSays({ 'checkout-availability': { budget: '0.99841', burn: '1.5' } }), now);

/** Every <script> element of a page: only ours (by src) and JSON data blocks. */
function scripts(page: string): string[] {
  return [...page.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
}

describe('pages: nothing from outside becomes markup or script', () => {
  test('the html tag escapes every value; lists join; nothing renders for null, undefined and false', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(html`<p>${'<b>'}${[html`<i>${'&'}</i>`, 'x']}${null}${undefined}${false}${0}</p>`.text).toBe('<p>&lt;b&gt;<i>&amp;</i>x0</p>');
  });

  test('a JSON data block cannot be closed by its data', () => {
    const block = jsonScript('d', { label: `</script>${INJECTED}\u2028` }).text;
    expect(block).not.toMatch(/<\/script>.*<\/script>/s);
    expect(block.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(block.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, ''))).toEqual({ label: `</script>${INJECTED}\u2028` });
  });

  test('the overview shows odd annotations as text: no element, attribute or script comes from them', () => {
    const page = overviewPage(overview);
    expect(page).not.toContain(INJECTED);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
    expect(scripts(page)).toEqual([]);
    expect(page).toContain('href="/slos/%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E"');
  });

  test('the overview shows Prometheus\' values exactly, with a number people read', () => {
    const page = overviewPage(overview);
    expect(page).toContain('<data value="0.99841">99.84%</data>');
    expect(page).toContain('<data value="1.5">1.5x</data>');
    expect(page).toMatch(/status-burning/);
    expect(page).toMatch(/status-rolled-back"><span aria-hidden="true">↺<\/span> rolled back/);
  });

  test('a Deployment page carries its chart data only in a JSON block and loads only our scripts', () => {
    const row = buildRow(odd, NO_PROMETHEUS);
    const range = timeRange('1h', now);
    const page = deploymentPage({
      generatedAt: now.toISOString(),
      row,
      revisions: [],
      markers: [{ kind: 'rollback', time: '2026-11-30T12:00:10.000Z', label: `to ${INJECTED}` }],
      records: [],
      range,
      chart: { start: 0, end: 1, step: 1, times: [0, 1], series: [{ label: INJECTED, values: [0.1, 0.2] }], markers: [{ kind: 'rollback', time: '2026-11-30T12:00:10.000Z', label: INJECTED }] },
      prometheus: { state: 'ok', url: 'http://p', at: now.toISOString() },
    });
    expect(scripts(page)).toEqual(['<script src="/assets/uPlot.iife.min.js" defer>', '<script type="module" src="/assets/charts.js">', '<script type="application/json" id="timeline-data">']);
    expect(page).not.toContain(INJECTED);
  });

  test('the terminal table keeps each Deployment on one line', () => {
    const text = statusTable(buildOverview(selectPage([guarded('web', { [Annotations.rolledBackFrom]: rolledBackFrom().replace('CheckoutAvailabilitySLO', 'A\\nB') })], { page: 1, perPage: 50 }), NO_PROMETHEUS, now));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE +NAME +STATUS +IMAGES +DEPLOYED-AT +BUDGET-LEFT +BURN-RATE +LAST-ROLLBACK$/);
    expect(lines[1]).toMatch(/^shop +web +rolled back +checkout=example\.com\/checkout:v1 +2026-11-30T12:00:00Z +- +- +2026-11-30T12:00:10\.000Z 2->1 \(A B\)$/);
    expect(lines[3]).toBe('SLO numbers: no Prometheus (pass --prometheus-url to see error budgets and burn rates)');
  });
});

describe('query strings', () => {
  test.each([
    ['nothing: page 1 of 50', {}, { page: 1, perPage: 50 }],
    ['empty form fields are not given', { namespace: '', name: ' ', page: '' }, { page: 1, perPage: 50 }],
    ['every parameter', { namespace: 'shop', name: 'web', page: '3', per_page: '25' }, { namespace: 'shop', name: 'web', page: 3, perPage: 25 }],
  ])('%s', (_name, query, expected) => {
    expect(parseOverviewQuery(query)).toEqual(expected);
  });

  test.each([
    ['a namespace that is not a name', { namespace: 'Shop!' }, 'namespace: must be a Kubernetes namespace name'],
    ['a page that is not a number', { page: 'two' }, 'page: must be a whole number from 1 to 1000000'],
    ['too many per page', { per_page: '1000' }, 'per_page: must be at most 100'],
    ['an unknown parameter', { sort: 'name' }, 'unknown parameter(s) sort: use namespace, name, page, per_page'],
    ['a repeated parameter', { namespace: ['a', 'b'] }, 'namespace: must be given once'],
  ])('%s is refused, naming it', (_name, query, message) => {
    expect(() => parseOverviewQuery(query)).toThrow(InvalidInputError);
    expect(() => parseOverviewQuery(query)).toThrow(message);
  });

  test('ranges: one of the choices, "auto" by default', () => {
    expect(parseRangeQuery({})).toBe('auto');
    expect(parseRangeQuery({ range: '7d' })).toBe('7d');
    expect(() => parseRangeQuery({ range: '2y' })).toThrow('range: must be one of auto, 1h, 6h, 1d, 7d, 30d');
  });
});

describe('the status JSON', () => {
  test('matches its schema, field for field', () => {
    const json = statusJson(overview);
    expect(statusSchema.parse(JSON.parse(JSON.stringify(json)))).toEqual(json);
    expect(json.deployments[1]).toMatchObject({ name: 'web', status: 'rolled-back', deployedAt: null, lastRollback: { from: { revision: 2, replicaSet: 'checkout-2' }, to: { revision: 1 } } });
    expect(json.deployments[0]!.slos).toEqual([{ id: 'checkout-availability', budgetRemaining: 0.99841, currentBurnRate: 1.5 }]);
  });

  test('docs/status.schema.json is the schema (regenerate it from statusSchema when the schema changes)', () => {
    const documented = JSON.parse(readFileSync(join(process.cwd(), 'docs', 'status.schema.json'), 'utf8'));
    expect(documented).toEqual(z.toJSONSchema(statusSchema));
  });
});
