'use strict';
// Run with --trusted=false (Restricted Mode): static analysis still runs, nothing may connect.
const assert = require('assert');
const vscode = require('vscode');
const { activate, uri, codeOf, pgreadyDiagnostics, waitFor, open } = require('./util');

describe('pgready extension (untrusted workspace)', function () {
  it('analyses in Restricted Mode but canConnect() is false', async function () {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the workspace should be untrusted');
    const api = await activate();
    assert.strictEqual(api.canConnect(), false);
    await open('app/routes.py');
    await waitFor('sql-injection diagnostic', () => pgreadyDiagnostics(uri('app/routes.py')).some((d) => codeOf(d) === 'sql-injection'));
    assert.ok(api.tree.getChildren().length === 1, 'the tree is filled');
  });

  it('EXPLAIN: the lens says why it is unavailable, and the command neither connects nor builds the embedded database', async function () {
    const rel = 'app/explain_untrusted.py';
    require('fs').writeFileSync(uri(rel).fsPath, 'from sqlalchemy import text\n\n\ndef f(session):\n    return session.execute(text("SELECT id FROM jobs WHERE status = \'open\'")).all()\n');
    await activate();
    await open(rel);
    const lenses = await waitFor('the Restricted Mode lens', async () => {
      const all = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri(rel), 10)) || [];
      return all.some((l) => l.command && /EXPLAIN/.test(l.command.title)) ? all.filter((l) => l.command && /EXPLAIN/.test(l.command.title)) : undefined;
    }, 30000, 200);
    assert.deepStrictEqual(lenses.map((l) => l.command.title), ['EXPLAIN unavailable in Restricted Mode']);
    assert.strictEqual(lenses[0].command.command, 'workbench.trust.manage');
    const vm = await vscode.commands.executeCommand('pgready.explain', { sql: 'SELECT 1', uri: uri(rel).toString() });
    assert.strictEqual(vm, undefined, 'EXPLAIN refused');
    assert.strictEqual(await vscode.commands.executeCommand('pgready.testConnection'), undefined, 'no connection test');
  });
});
