import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { adviceToFindings, buildPlan, indexableColumns, initExplain, misestimateOf, nodeAt, planAdvice, planViewModel, renderPlanText, type Plan } from '../../src/engine/explain';

// Plan fixtures are real EXPLAIN (FORMAT JSON) output captured from PostgreSQL 15 and PGlite (PostgreSQL 18)
// by test/fixtures/plans/capture.ts.
const PLANS = path.join(__dirname, '..', 'fixtures', 'plans');
const load = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(PLANS, `${name}.json`), 'utf8'));
const plan = (name: string): Plan => buildPlan(load(name));
const rules = (p: Plan, opts = {}) => planAdvice(p, opts).map((a) => a.rule);

describe('explain: plan model', () => {
  before(() => initExplain());

  it('keeps PostgreSQL keys raw and derives metrics separately', () => {
    const p = plan('pg15-seq-scan-filter');
    const scan = p.nodes.find((n) => n.raw['Node Type'] === 'Seq Scan')!;
    assert.ok(p.analyzed && p.hasBuffers);
    assert.strictEqual(scan.raw['Relation Name'], 'users');
    assert.ok(!('derived' in scan.raw) && !('exclusiveTime' in scan.raw));
    assert.strictEqual(scan.derived.actualRowsTotal, Number(scan.raw['Actual Rows']) * Number(scan.raw['Actual Loops']));
    assert.ok(scan.derived.exclusiveBuffers);
  });

  it('does not modify its input', () => {
    const raw = load('pg15-nested-loop');
    const before = JSON.stringify(raw);
    buildPlan(raw);
    assert.strictEqual(JSON.stringify(raw), before);
  });

  it('exclusive time is inclusive time minus the children, and shares sum to about 1', () => {
    const p = plan('pg15-nested-loop');
    for (const n of p.nodes) {
      const children = n.children.reduce((s, c) => s + (c.derived.inclusiveTime ?? 0), 0);
      assert.ok(Math.abs((n.derived.exclusiveTime ?? 0) - Math.max(0, (n.derived.inclusiveTime ?? 0) - children)) < 1e-9);
    }
    const inner = p.nodes.find((n) => n.raw['Node Type'] === 'Index Only Scan')!;
    // 5,000 loops of a per-loop time: the inner index lookup is where the time goes.
    assert.strictEqual(inner.raw['Actual Loops'], 5000);
    assert.ok(Math.abs(inner.derived.inclusiveTime! - Number(inner.raw['Actual Total Time']) * 5000) < 1e-6);
    assert.deepStrictEqual(p.hottest, inner.path);
    const sum = p.nodes.reduce((s, n) => s + (n.derived.exclusiveTimeShare ?? 0), 0);
    assert.ok(sum > 0.9 && sum <= 1.01, `shares sum to ${sum}`);
  });

  it('misestimate factor is symmetric with a direction, floored at one row', () => {
    assert.deepStrictEqual(misestimateOf(10, 1000), { factor: 100, direction: 'under' });
    assert.deepStrictEqual(misestimateOf(1000, 10), { factor: 100, direction: 'over' });
    assert.deepStrictEqual(misestimateOf(0, 0), { factor: 1, direction: 'exact' });
    assert.deepStrictEqual(misestimateOf(5, 0), { factor: 5, direction: 'over' });
    const scan = plan('pg15-misestimate').nodes.find((n) => n.raw['Node Type'] === 'Seq Scan')!;
    assert.strictEqual(scan.derived.misestimate!.direction, 'under');
    assert.ok(scan.derived.misestimate!.factor >= 10);
  });

  it('without ANALYZE, the most expensive node is chosen by exclusive cost', () => {
    const p = plan('pg15-generic-param');
    assert.ok(!p.analyzed);
    assert.strictEqual(p.totalTime, undefined);
    assert.strictEqual(nodeAt(p, p.hottest)!.raw['Node Type'], 'Bitmap Heap Scan');
    assert.ok(p.nodes.every((n) => n.derived.exclusiveTime === undefined && n.derived.misestimate === undefined));
  });

  it('accepts the array, the object, the JSON text and a {"QUERY PLAN": …} row', () => {
    const raw = load('pg15-index-scan') as unknown[];
    const a = buildPlan(raw);
    assert.strictEqual(buildPlan(raw[0]).totalCost, a.totalCost);
    assert.strictEqual(buildPlan(JSON.stringify(raw)).totalCost, a.totalCost);
    assert.strictEqual(buildPlan({ 'QUERY PLAN': raw }).totalCost, a.totalCost);
    assert.throws(() => buildPlan({ nope: 1 }), /no "Plan" key/);
  });
});

describe('explain: plan advice', () => {
  before(() => initExplain());

  it('plan-seq-scan-filter: a selective filter on a big table suggests the index', () => {
    const advice = planAdvice(plan('pg15-seq-scan-filter'));
    assert.deepStrictEqual(advice.map((a) => a.rule), ['plan-seq-scan-filter']);
    assert.deepStrictEqual(advice[0].data.columns, ['email']);
    assert.strictEqual(advice[0].data.createIndex, 'CREATE INDEX CONCURRENTLY ix_users_email ON users (email);');
    assert.match(advice[0].message, /users/);
    assert.strictEqual(advice[0].nodeLabel, 'Seq Scan on users');
  });

  it('plan-seq-scan-filter without ANALYZE needs the table size', () => {
    const p = plan('pg15-seq-scan-estimate');
    assert.deepStrictEqual(rules(p), []);
    const advice = planAdvice(p, { tableRows: { users: 100_000 } });
    assert.deepStrictEqual(advice.map((a) => a.rule), ['plan-seq-scan-filter']);
    assert.deepStrictEqual(advice[0].data.columns, ['status', 'country']);
    assert.deepStrictEqual(rules(p, { tableRows: { users: 500 } }), []);
  });

  it('an index scan stays silent', () => {
    assert.deepStrictEqual(rules(plan('pg15-index-scan')), []);
    assert.deepStrictEqual(rules(plan('pg15-generic-param')), []);
    assert.deepStrictEqual(rules(plan('pglite-generic-plan')), []);
  });

  it("plan-sort-spill: external sort with work_mem = '64kB'", () => {
    const advice = planAdvice(plan('pg15-sort-spill'));
    assert.deepStrictEqual(advice.map((a) => a.rule), ['plan-sort-spill']);
    assert.match(advice[0].message, /external merge/);
  });

  it('plan-hash-spill: Hash Batches > 1', () => {
    const advice = planAdvice(plan('pg15-hash-spill'));
    assert.deepStrictEqual(advice.map((a) => a.rule), ['plan-hash-spill']);
    assert.ok(Number(advice[0].data.batches) > 1);
  });

  it('plan-row-misestimate: reported where the error starts, not on every ancestor', () => {
    const p = plan('pg15-misestimate');
    const advice = planAdvice(p).filter((a) => a.rule === 'plan-row-misestimate');
    assert.strictEqual(advice.length, 1);
    assert.strictEqual(nodeAt(p, advice[0].path)!.raw['Node Type'], 'Seq Scan');
    assert.strictEqual(advice[0].data.direction, 'under');
    // the correlated filter also gets its two-column index
    assert.deepStrictEqual(planAdvice(p).find((a) => a.rule === 'plan-seq-scan-filter')!.data.columns, ['city', 'zip']);
  });

  it('plan-row-misestimate stays silent below a Limit (a top-N sort stops early by design)', () => {
    const p = plan('pg15-limit-sort');
    const sort = p.nodes.find((n) => n.raw['Node Type'] === 'Sort')!;
    assert.ok(sort.derived.misestimate!.factor >= 10 && sort.derived.misestimate!.direction === 'over');
    assert.deepStrictEqual(rules(p), []);
  });

  it('plan-nested-loop-many-rows and plan-heap-fetches', () => {
    const advice = planAdvice(plan('pg15-nested-loop'));
    assert.deepStrictEqual(advice.map((a) => a.rule).sort(), ['plan-heap-fetches', 'plan-nested-loop-many-rows', 'plan-seq-scan-filter']);
    assert.deepStrictEqual(rules(plan('pg15-heap-fetches')), ['plan-heap-fetches']);
  });

  it('reads index columns from filters: equality first, one range column, no OR / LIKE / <>', () => {
    assert.deepStrictEqual(indexableColumns(`((created_at > now()) AND (author_id = $1) AND (deleted_at IS NULL))`), ['author_id', 'deleted_at', 'created_at']);
    assert.deepStrictEqual(indexableColumns(`((status)::text = 'open'::text)`), ['status']);
    assert.deepStrictEqual(indexableColumns(`((a = 1) OR (b = 2))`), []);
    assert.deepStrictEqual(indexableColumns(`(name ~~ '%x%'::text)`), []);
    assert.deepStrictEqual(indexableColumns(`(kind <> 3)`), []);
    assert.deepStrictEqual(indexableColumns(`(u.id = ANY ('{1,2}'::integer[]))`), ['id']);
  });

  it('turns advice into findings on a source span', () => {
    const span = { file: 'app/q.py', start: 0, end: 5, line: 3, column: 1, endLine: 3, endColumn: 6 };
    const [f] = adviceToFindings(planAdvice(plan('pg15-seq-scan-filter')), span);
    assert.strictEqual(f.category, 'performance');
    assert.strictEqual(f.span, span);
    assert.match(f.fingerprint, /^[0-9a-f]+$/);
  });
});

describe('explain: view model', () => {
  before(() => initExplain());

  it('flat pre-order nodes with tree links, one hottest node, advice attached', () => {
    const vm = planViewModel(plan('pg15-nested-loop'), { notes: ['n'], source: 'PostgreSQL 15' });
    assert.strictEqual(vm.nodes[0].id, 'root');
    assert.deepStrictEqual(vm.nodes[0].childIds, ['0']);
    assert.strictEqual(vm.nodes.filter((n) => n.hottest).length, 1);
    const hot = vm.nodes.find((n) => n.hottest)!;
    assert.strictEqual(hot.nodeType, 'Index Only Scan');
    assert.strictEqual(hot.index, 'ix_orders_user_id');
    assert.strictEqual(hot.loops, 5000);
    assert.ok(hot.exclusiveTimeShare! > 0.5);
    assert.deepStrictEqual(hot.advice.map((a) => a.rule), ['plan-heap-fetches']);
    for (const n of vm.nodes) for (const c of n.childIds) assert.strictEqual(vm.nodes.find((x) => x.id === c)!.parentId, n.id);
    // JSON-safe: what a webview receives (undefined fields drop out, nothing else changes)
    const dropUndefined = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(vm)), dropUndefined(vm));
    assert.strictEqual(JSON.stringify(JSON.parse(JSON.stringify(vm))), JSON.stringify(vm));
  });

  it('renders a text tree with rows, time share and advice lines', () => {
    const text = renderPlanText(planViewModel(plan('pg15-sort-spill')));
    assert.match(text, /^Gather Merge/m);
    assert.match(text, /-> Sort .*loops 2/);
    assert.match(text, /warning\[plan-sort-spill\]/);
    assert.match(renderPlanText(planViewModel(plan('pg15-index-scan'))), /No plan advice\./);
  });
});
