// The editor's live checks, without an editor: the tree, diagnostics and report built from a live merge of
// the fixture workspace; the "looks like production" test that keeps them from running on connect; and, on
// the PostgreSQL 15 server (skipped with the reason when none answers), the shared CLI code path the
// command calls, including a session that dies in the middle of the checks.
import * as assert from 'assert';
import { connect, DbError, type Db } from '../../src/db/connection';
import { adminOrSkip, TEST_DB_URL, withDatabase } from '../db/server';
import { collectLiveChecks, runLiveChecks } from '../../src/db/live-report';
import type { LiveCheck } from '../../src/db/live';
import { mergeLive, renderMarkdown, type LiveResults } from '../../src/engine';
import { diagnosticsByFile } from '../../src/vscode/diagnostics';
import { looksLikeProduction } from '../../src/vscode/live/production';
import { readLiveSettings } from '../../src/vscode/settings';
import { buildTree, type CategoryNode, type LiveCheckNode, type LiveNode, type RuleNode } from '../../src/vscode/tree';
import { analyseFixture } from './helpers';

const URL = TEST_DB_URL;
const INITIAL = 'alembic/versions/a1b2c3d4e5f6_initial.py';

/** What the live checks report on a database where no migration of the fixture was applied. */
const LIVE: LiveResults = {
  source: 'PostgreSQL 15.20 at 127.0.0.1:5432/shop',
  serverVersionNum: 150020,
  ms: 42,
  checks: [
    {
      check: 'unapplied-migrations',
      title: 'Unapplied migrations',
      category: 'schema',
      status: 'problem',
      summary: '1 migration of 2 not applied: a1b2c3d4e5f6',
      findings: [{ rule: 'live-unapplied-migration', severity: 'error', category: 'schema', message: 'Migration a1b2c3d4e5f6 is not applied.', help: 'alembic upgrade head', anchor: { migration: 'a1b2c3d4e5f6' }, key: 'unapplied:a1b2c3d4e5f6' }],
      verdicts: [],
    },
    { check: 'cache-hit', title: 'Cache hit ratio', category: 'performance', status: 'unknown', summary: 'too few block reads to judge', findings: [], verdicts: [] },
    { check: 'wraparound', title: 'Transaction-ID wraparound', category: 'integrity', status: 'ok', summary: 'age 12', findings: [], verdicts: [] },
  ],
};

describe('vscode: live checks in the editor (pure)', () => {
  it('the tree shows the live finding on its migration, "basis: database" and the checks that ran', async () => {
    const { result } = await analyseFixture();
    const merged = mergeLive(result, LIVE);
    const tree = buildTree({ ...merged.result, live: merged.live });
    const cats = tree.children.filter((c): c is CategoryNode => c.kind === 'category');
    const schema = cats.find((c) => c.category === 'schema')!;
    assert.match(schema.description!, /^\d+\/100 · .* · basis: database$/);
    assert.strictEqual(schema.tooltip, 'checked against the database');
    assert.doesNotMatch(cats.find((c) => c.category === 'security')!.description!, /basis/, 'no live check judged security');
    const rule = (schema.children as RuleNode[]).find((r) => r.rule === 'live-unapplied-migration')!;
    assert.strictEqual(rule.count, 1);
    assert.strictEqual(rule.children[0].label, `${INITIAL}:9`, 'on the revision line');

    const live = tree.children.find((c): c is LiveNode => c.kind === 'live')!;
    assert.strictEqual(live.label, 'Database checks');
    assert.strictEqual(live.description, '1 with problems, 1 not judged · PostgreSQL 15.20 at 127.0.0.1:5432/shop');
    assert.deepStrictEqual((live.children as LiveCheckNode[]).map((c) => [c.status, c.label]), [['problem', 'Unapplied migrations'], ['unknown', 'Cache hit ratio'], ['ok', 'Transaction-ID wraparound']]);
    assert.match(live.tooltip!, /^Checked against PostgreSQL 15\.20/);
    assert.ok(!buildTree(result).children.some((c) => c.kind === 'live'), 'no live node without live checks');
  });

  it('a live finding with a location becomes a diagnostic there; the report gets a Database section', async () => {
    const { result } = await analyseFixture();
    const merged = mergeLive(result, LIVE);
    const d = diagnosticsByFile(merged.result.findings).get(INITIAL)!.find((x) => x.code.value === 'live-unapplied-migration')!;
    assert.ok(d, 'diagnostic on the migration');
    assert.strictEqual(d.severity, 'error');
    assert.strictEqual(d.range.startLine, 8);

    const md = renderMarkdown({ result: merged.result, root: 'ws', version: '0', live: merged.live });
    assert.match(md, /from static analysis of the repository and 3 live checks on PostgreSQL 15\.20 at 127\.0\.0\.1:5432\/shop\._/);
    assert.match(md, /\| Schema Design \| \d+ \| 90 \| \d+ \| checked against the database \|/);
    assert.match(md, /## Database\n\nChecked against .*\n- ✗ Unapplied migrations: 1 migration of 2 not applied: a1b2c3d4e5f6\n- \? Cache hit ratio/);
    assert.match(md, /\*\*live-unapplied-migration\*\* at `alembic\/versions\/a1b2c3d4e5f6_initial\.py:9`/);
    const staticMd = renderMarkdown({ result, root: 'ws', version: '0' });
    assert.match(staticMd, /no database was connected/);
    assert.doesNotMatch(staticMd, /## Database/);
  });

  it('"looks like production": prod words in host, database or user, not "product"', () => {
    for (const name of ['postgres@db-prod-1.internal/shop', 'app@10.0.0.5/shop_production', 'PostgreSQL 15 at prod01:5432/x', 'u@h/prd', 'PROD']) assert.ok(looksLikeProduction(name), name);
    for (const name of ['postgres@127.0.0.1/products', 'u@staging.example.com/shop', 'u@h/reproduce', undefined]) assert.ok(!looksLikeProduction(name), String(name));
    assert.ok(looksLikeProduction('u@localhost/shop', 'PostgreSQL 15 at prod-db:5432/shop'), 'any of the names');
  });

  it('reads pgready.liveChecks.* (off by default)', () => {
    const config = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });
    assert.deepStrictEqual(readLiveSettings(config({})), { onConnect: false, workers: undefined });
    assert.deepStrictEqual(readLiveSettings(config({ 'liveChecks.onConnect': true, 'liveChecks.workers': 8 })), { onConnect: true, workers: 8 });
    assert.deepStrictEqual(readLiveSettings(config({ 'liveChecks.onConnect': 'yes', 'liveChecks.workers': 0 })), { onConnect: false, workers: undefined });
  });
});

describe('vscode: live checks on PostgreSQL (the CLI code path)', function () {
  this.timeout(60_000);
  const scratch = `pgready_vslive_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let admin: Db | undefined;
  let url: string;

  before(async function () {
    admin = await adminOrSkip(this);
    await admin!.simple(`CREATE DATABASE ${scratch}`);
    url = withDatabase(URL, scratch);
  });

  after(async () => {
    if (!admin) return;
    await admin.simple(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch((e) => console.log(`      could not drop ${scratch}: ${e.message}`));
    await admin.close();
  });

  it('collectLiveChecks runs all 14 checks read-only and finds the unapplied migrations', async () => {
    const { result } = await analyseFixture();
    const live = await collectLiveChecks(result, { connection: { url } });
    assert.strictEqual(live.checks.length, 14);
    const m = live.checks.find((c) => c.check === 'unapplied-migrations')!;
    assert.strictEqual(m.status, 'problem');
    assert.deepStrictEqual(m.findings.map((f) => f.rule), ['live-unapplied-migration', 'live-unapplied-migration']);
    const merged = mergeLive(result, live);
    assert.strictEqual(merged.result.readiness.categories.schema.basis, 'live');
  });

  it('a session that dies during the checks fails the run with one line, quickly; a failing check alone does not', async () => {
    const { result } = await analyseFixture();
    const ran: string[] = [];
    const failing: LiveCheck = { id: 'fails', title: 'Fails', category: 'schema', run: async (ctx) => (await ctx.db.query('SELECT no_such_column FROM pg_class'), ran.push('fails'), { status: 'ok', summary: '' }) };
    const after: LiveCheck = { id: 'after', title: 'After', category: 'schema', run: async () => (ran.push('after'), { status: 'ok', summary: 'ran' }) };
    // pg_terminate_backend on its own session is what an administrator (or a restart, or a failover) does to it.
    const dies: LiveCheck = { id: 'dies', title: 'Dies', category: 'schema', run: async (ctx) => (await ctx.db.query('SELECT pg_terminate_backend(pg_backend_pid())'), { status: 'ok', summary: '' }) };

    const db = await connect({ url });
    try {
      const r = await runLiveChecks(db, result, {}, [failing, after]);
      assert.deepStrictEqual(r.checks.map((c) => c.status), ['unknown', 'ok']);
      assert.match(r.checks[0].summary, /^could not check: .*no_such_column/);
      assert.deepStrictEqual(ran, ['after']);
    } finally {
      await db.close();
    }

    const db2 = await connect({ url });
    const t0 = Date.now();
    try {
      await assert.rejects(runLiveChecks(db2, result, {}, [dies, after]), (e: Error) => {
        assert.ok(e instanceof DbError, String(e));
        assert.match(e.message, /^Lost the connection during the live checks \("Dies"\): /);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
      assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
      assert.deepStrictEqual(ran, ['after'], 'no check ran after the session died');
    } finally {
      await db2.close();
    }
  });
});
