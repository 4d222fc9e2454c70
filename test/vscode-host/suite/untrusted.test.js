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
});
