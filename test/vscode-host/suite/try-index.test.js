'use strict';
// "Try it" on an index advice (the plan view's button runs the command pgready.tryIndex with the advice's
// CREATE INDEX), on a copy of test/fixtures/vscode-workspace with no database configured: the embedded
// shadow database (PGlite) built from the fixture's migrations. jobs.title leads no index there, so the
// query below scans jobs; with the index tried, the planner uses it and the cost drops. The index is built
// in a transaction that is rolled back: afterwards the catalog does not have it and the plan is as before.
const assert = require('assert');
const vscode = require('vscode');
const { activate, uri } = require('./util');

const QUERY = 'SELECT id, title FROM jobs WHERE title = :title';
const DDL = 'CREATE INDEX CONCURRENTLY ix_jobs_title ON jobs (title);';

describe('pgready "Try it" (trusted workspace, embedded database)', function () {
  this.timeout(240000);
  const at = () => uri('app/routes.py').toString();
  let seen;

  /** Rows the catalog has for `relname`, read with EXPLAIN ANALYZE (a SELECT, so it runs and is rolled back). */
  async function relations(relname) {
    const vm = await vscode.commands.executeCommand('pgready.explainAnalyze', { sql: `SELECT relname FROM pg_class WHERE relname = '${relname}'`, uri: at() });
    assert.ok(vm, `EXPLAIN ANALYZE of pg_class for ${relname}`);
    return vm.nodes[0].actualRows;
  }

  const usesIndex = (vm, name) => vm.nodes.some((n) => n.index === name);

  before(async function () {
    await activate();
    const t = await vscode.workspace.getConfiguration('pgready').get('connection.host');
    assert.ok(!t, 'no connection configured: the plan and the try run on the embedded database');
  });

  it('the plan of a query on an unindexed column scans the table', async function () {
    seen = await vscode.commands.executeCommand('pgready.explain', { sql: QUERY, uri: at() });
    assert.ok(seen, 'a view model (see the error notification otherwise)');
    assert.match(seen.source, /embedded PGlite/);
    assert.ok(!usesIndex(seen, 'ix_jobs_title'));
    assert.ok(seen.nodes.some((n) => n.relation === 'jobs'), seen.nodes.map((n) => n.label).join(' / '));
  });

  it('Try it: the cost before and after differ, the plan uses the tried index, and nothing is committed', async function () {
    const t0 = Date.now();
    const r = await vscode.commands.executeCommand('pgready.tryIndex', { uri: at(), sql: seen.sql, ddl: DDL, index: 0 });
    console.log(`Try it on the shadow database: ${Date.now() - t0} ms, cost ${r && r.before.cost} → ${r && r.after.cost}`);
    assert.ok(r, 'a result (see the error notification otherwise)');
    assert.strictEqual(r.method, 'transaction', 'PGlite has no hypopg: built in a rolled-back transaction');
    assert.strictEqual(r.indexSql, 'CREATE INDEX ix_jobs_title ON jobs (title)', 'CONCURRENTLY dropped: it cannot run in a transaction');
    assert.ok(r.after.cost < r.before.cost, `cost ${r.before.cost} → ${r.after.cost}`);
    assert.strictEqual(r.before.cost, seen.totalCost, 'the "before" is the plan the user saw');
    assert.ok(r.usesIndex && r.indexName === 'ix_jobs_title', JSON.stringify({ usesIndex: r.usesIndex, indexName: r.indexName }));
    assert.ok(r.notes.some((n) => /rolled back/.test(n) && /embedded database is private/.test(n)), r.notes.join('\n'));

    // Nothing committed: the catalog has no such index (and has the fixture's own, so the probe itself works),
    // the plan is the one from before, and trying the same index again does not find it already there.
    assert.strictEqual(await relations('ix_jobs_title'), 0, 'ix_jobs_title does not exist afterwards');
    assert.strictEqual(await relations('ix_jobs_company_id'), 1, 'the probe sees a migration\'s index');
    const again = await vscode.commands.executeCommand('pgready.explain', { sql: QUERY, uri: at() });
    assert.ok(!usesIndex(again, 'ix_jobs_title'));
    assert.strictEqual(again.totalCost, seen.totalCost);
    const twice = await vscode.commands.executeCommand('pgready.tryIndex', { uri: at(), sql: seen.sql, ddl: DDL, index: 0 });
    assert.ok(twice && twice.usesIndex, 'a second try builds it again (it was not left behind)');
    assert.strictEqual(await relations('ix_jobs_title'), 0);
  });

  it('Try it refuses what is not one CREATE INDEX, without touching the database', async function () {
    const r = await vscode.commands.executeCommand('pgready.tryIndex', { uri: at(), sql: seen.sql, ddl: 'DROP TABLE jobs', index: 0 });
    assert.strictEqual(r, undefined);
    assert.strictEqual(await relations('jobs'), 1, 'jobs is still there');
  });
});
