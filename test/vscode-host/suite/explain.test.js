'use strict';
// EXPLAIN from the editor, on a copy of test/fixtures/vscode-workspace with no database configured: the
// CodeLens sits above a SQL string, and running it plans on the embedded shadow database (PGlite) built
// from the fixture's Alembic migrations. The command returns the plan's view model.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { activate, uri, waitFor, open } = require('./util');

const REL = 'app/reports.py';
const SOURCE = `from sqlalchemy import text
from sqlalchemy.orm import Session


def open_jobs(session: Session, company_id: int):
    return session.execute(
        text("SELECT id, title FROM jobs WHERE company_id = :company_id AND status = 'open' ORDER BY id LIMIT 20"),
        {"company_id": company_id},
    ).all()
`;

describe('pgready EXPLAIN (trusted workspace, embedded database)', function () {
  this.timeout(240000);
  let lenses;

  before(async function () {
    await activate();
    fs.writeFileSync(uri(REL).fsPath, SOURCE);
    await open(REL);
  });

  after(function () {
    fs.rmSync(uri(REL).fsPath, { force: true });
  });

  it('puts EXPLAIN and EXPLAIN ANALYZE lenses above the SQL string', async function () {
    lenses = await waitFor('EXPLAIN lenses', async () => {
      const all = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri(REL), 10);
      const mine = (all || []).filter((l) => l.command && /^EXPLAIN/.test(l.command.title));
      return mine.length >= 2 ? mine : undefined;
    }, 30000, 200);
    const explain = lenses.find((l) => l.command.title === 'EXPLAIN');
    assert.ok(explain, 'an EXPLAIN lens');
    assert.strictEqual(explain.range.start.line, 6, 'on the text("…") line');
    assert.strictEqual(explain.command.command, 'pgready.explain');
    assert.match(explain.command.arguments[0].sql, /^SELECT id, title FROM jobs WHERE company_id = :company_id/);
    assert.ok(lenses.some((l) => l.command.title === 'EXPLAIN ANALYZE'));
  });

  it('EXPLAIN from the lens plans on the shadow database and says the tables are empty', async function () {
    const explain = lenses.find((l) => l.command.title === 'EXPLAIN');
    const t0 = Date.now();
    const vm = await vscode.commands.executeCommand(explain.command.command, ...explain.command.arguments);
    console.log(`EXPLAIN via shadow database: ${Date.now() - t0} ms`);
    assert.ok(vm, 'the command returned a view model (see the error notification otherwise)');
    assert.match(vm.source, /embedded PGlite \(PostgreSQL 1[6-9]/);
    assert.ok(vm.nodes.length >= 1);
    assert.ok(vm.nodes.some((n) => n.relation === 'jobs'), `a node reads jobs: ${vm.nodes.map((n) => n.label).join(' / ')}`);
    assert.strictEqual(vm.generic, true, 'the :company_id parameter makes it a generic plan');
    assert.strictEqual(vm.analyzed, false);
    assert.ok(vm.notes.some((n) => /Tables are empty/.test(n)), vm.notes.join('\n'));
    assert.ok(vm.nodes.filter((n) => n.hottest).length === 1, 'one hottest node');
  });

  it('EXPLAIN ANALYZE of a SELECT runs (rolled back) and reports actual rows', async function () {
    const vm = await vscode.commands.executeCommand('pgready.explainAnalyze', { sql: "SELECT count(*) FROM jobs WHERE status = 'open'", uri: uri(REL).toString() });
    assert.ok(vm, 'a view model');
    assert.strictEqual(vm.analyzed, true);
    assert.strictEqual(vm.nodes[0].actualRows, 1);
    assert.ok(typeof vm.executionTime === 'number');
  });

  it('an error is a message, not a hang: an unknown table returns undefined quickly', async function () {
    const t0 = Date.now();
    const vm = await vscode.commands.executeCommand('pgready.explain', { sql: 'SELECT * FROM no_such_table', uri: uri(REL).toString() });
    assert.strictEqual(vm, undefined);
    assert.ok(Date.now() - t0 < 15000, `took ${Date.now() - t0} ms`);
  });

  it('EXPLAIN selection explains the selected text', async function () {
    const doc = await open(REL);
    const line = doc.lineAt(6).text;
    const start = line.indexOf('SELECT');
    const end = line.indexOf(' ORDER BY');
    const editor = vscode.window.activeTextEditor;
    editor.selection = new vscode.Selection(6, start, 6, end);
    const vm = await vscode.commands.executeCommand('pgready.explainSelection');
    assert.ok(vm, 'a view model');
    assert.match(vm.sql, /^SELECT id, title FROM jobs WHERE company_id = \$1/);
  });
});
