'use strict';
// Run with --trusted=false (Restricted Mode), after untrusted.test.js: the live checks connect to a
// database, so the command refuses before looking for a connection, and the scores stay static.
const assert = require('assert');
const vscode = require('vscode');
const { activate } = require('./util');

describe('pgready live checks (untrusted workspace)', function () {
  it('Run Live Checks is refused in Restricted Mode: no connection attempt, no results', async function () {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the workspace should be untrusted');
    const api = await activate();
    assert.strictEqual(await vscode.commands.executeCommand('pgready.runLiveChecks'), undefined);
    // Refused up front (a trusted workspace without a connection would end with "no database connection").
    assert.match(String(api.live.lastError), /^Restricted Mode/);
    const state = api.analyzer.folderStates()[0];
    assert.strictEqual(api.live.summary(state), undefined);
    const cats = api.tree.getChildren(api.tree.getChildren()[0]).filter((n) => n.kind === 'category');
    assert.ok(cats.length === 6 && cats.every((c) => !/basis: database/.test(c.description)));
  });
});
