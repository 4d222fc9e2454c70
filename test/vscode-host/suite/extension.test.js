'use strict';
// Extension-host tests on a copy of test/fixtures/vscode-workspace (test/vscode/run-host.mjs makes the copy,
// because quick fixes edit files). Run: npm run test:vscode.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { activate, folder, uri, codeOf, pgreadyDiagnostics, waitFor, open, rangeText, writeMetrics } = require('./util');

const MIGRATION = 'alembic/versions/b7c8d9e0f1a2_jobs_status_index.py';
const ROUTES = 'app/routes.py';

describe('pgready extension (trusted workspace)', function () {
  let api;

  before(async function () {
    api = await activate();
  });

  it('activates, scans the workspace and exports its API', function () {
    assert.strictEqual(vscode.workspace.isTrusted, true);
    assert.ok(api.analyzer.folderStates().length === 1, 'one folder state');
    const t = api.analyzer.timings;
    assert.ok(t.scanFiles >= 5, `scanned ${t.scanFiles} files`);
    assert.ok(typeof t.activationMs === 'number');
    assert.strictEqual(api.canConnect(), true);
    writeMetrics({ fixture: { activationMs: t.activationMs, parsersMs: t.parsersMs, scanMs: t.scanMs, scanFiles: t.scanFiles } });
  });

  it('puts a require-concurrent-index-creation warning on the non-concurrent Alembic index', async function () {
    const u = uri(MIGRATION);
    await open(MIGRATION);
    const d = await waitFor('diagnostic on the migration', () => pgreadyDiagnostics(u).find((x) => codeOf(x) === 'require-concurrent-index-creation'));
    assert.strictEqual(rangeText(d.range), '14:4-14:57');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(d.source, 'pgready');
    assert.match(d.message, /blocks writes to "jobs"/);
    assert.strictEqual(d.code.target.scheme, 'pgready-docs');
    assert.strictEqual(d.code.target.path, '/require-concurrent-index-creation.md');
  });

  it('puts sql-injection (error) and n-plus-one (warning) on the route file with the right ranges', async function () {
    const u = uri(ROUTES);
    await open(ROUTES);
    const inj = await waitFor('sql-injection', () => pgreadyDiagnostics(u).find((x) => codeOf(x) === 'sql-injection'));
    assert.strictEqual(inj.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(rangeText(inj.range), '12:32-12:85');
    const n1 = pgreadyDiagnostics(u).find((x) => codeOf(x) === 'n-plus-one');
    assert.ok(n1, 'n-plus-one diagnostic');
    assert.strictEqual(n1.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(rangeText(n1.range), '8:58-8:69');
  });

  it('serves the rule docs as a read-only pgready-docs: document', async function () {
    const text = await vscode.commands.executeCommand('pgready.showRuleDocs', 'n-plus-one');
    assert.match(text, /^# n-plus-one/);
    assert.match(text, /## Why is this bad\?/);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse('pgready-docs:/sql-injection.md'));
    assert.match(doc.getText(), /^# sql-injection/);
  });

  it('shows the six categories with scores, rules with counts and clickable locations in the sidebar tree', async function () {
    const roots = api.tree.getChildren();
    assert.strictEqual(roots.length, 1);
    assert.match(roots[0].label, /^Overall readiness: \d+\/100$/);
    const cats = api.tree.getChildren(roots[0]);
    assert.deepStrictEqual(cats.map((c) => c.label), ['Schema Design', 'Data Integrity', 'Performance', 'Monitoring', 'Backup/Recovery', 'Security']);
    for (const c of cats) assert.match(c.description, /^(\d+\/100|unknown) · /);
    const rule = (cat, id) => cats.find((c) => c.label === cat).children.find((r) => r.rule === id);
    assert.strictEqual(rule('Schema Design', 'require-concurrent-index-creation').count, 1);
    assert.strictEqual(rule('Performance', 'n-plus-one').count, 1);
    assert.strictEqual(rule('Security', 'sql-injection').count, 1);
    const loc = rule('Security', 'sql-injection').children[0];
    assert.strictEqual(loc.label, 'app/routes.py:13');
    const item = api.tree.getTreeItem(loc);
    assert.strictEqual(item.command.command, 'vscode.open');
    assert.strictEqual(item.command.arguments[0].path, uri(ROUTES).path);
    assert.strictEqual(item.command.arguments[1].selection.start.line, 12);
  });

  async function applyFix(rel, rule, title) {
    const u = uri(rel);
    const doc = await open(rel);
    const d = await waitFor(`${rule} diagnostic`, () => pgreadyDiagnostics(u).find((x) => codeOf(x) === rule));
    // Fixes are offered once the engine's copy of the file matches the editor's (after a pending re-analysis).
    let titles = [];
    const action = await waitFor(`quick fix "${title}"`, async () => {
      const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', u, d.range, vscode.CodeActionKind.QuickFix.value);
      titles = actions.map((a) => a.title);
      return actions.find((a) => a.title === title);
    }, 10000, 200).catch((e) => assert.fail(`${e.message}; offered: ${titles.join(' | ')}`));
    assert.ok(await vscode.workspace.applyEdit(action.edit), 'applyEdit');
    await waitFor(`${rule} to go away`, () => !pgreadyDiagnostics(u).some((x) => codeOf(x) === rule));
    await doc.save();
    return doc;
  }

  it('quick fix: creates the index concurrently in an autocommit block, and the warning goes away', async function () {
    const doc = await applyFix(MIGRATION, 'require-concurrent-index-creation', 'Create the index concurrently');
    assert.match(doc.getText(), /with op\.get_context\(\)\.autocommit_block\(\):\n\s+op\.create_index\("ix_jobs_status", "jobs", \["status"\], postgresql_concurrently=True\)/);
  });

  it('quick fix: binds the injected value as a parameter, and the error goes away', async function () {
    const doc = await applyFix(ROUTES, 'sql-injection', 'Bind the values as parameters');
    assert.match(doc.getText(), /text\("SELECT id, title FROM jobs WHERE title = :title"\), \{"title": title\}/);
  });

  it('"Ignore <rule> on this line" inserts the inline comment above, indented, and the diagnostic goes away', async function () {
    const doc = await applyFix(ROUTES, 'n-plus-one', 'Ignore n-plus-one on this line');
    const lines = doc.getText().split('\n');
    const i = lines.findIndex((l) => l.includes('pgready: ignore[n-plus-one]'));
    assert.strictEqual(lines[i], '    # pgready: ignore[n-plus-one]');
    assert.match(lines[i + 1], /^    return \[\{"id": job\.id/);
  });

  it('picks up files created and deleted on disk (file watcher)', async function () {
    // Two waits of up to 60 s each: the file watcher is slow on a loaded machine, and the test's own
    // budget must cover both waits or mocha fails it before the second wait ends.
    this.timeout(150000);
    const rel = 'migrations/001_more.sql';
    const file = uri(rel).fsPath;
    // A watcher of the test's own tells a pgready bug (VS Code reported the change, pgready ignored it) from a
    // host that delivers no file events at all (some file systems, exhausted inotify instances).
    const seen = [];
    const probe = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder(), 'migrations/**'));
    probe.onDidCreate((u) => seen.push(`create ${u.path}`));
    probe.onDidChange((u) => seen.push(`change ${u.path}`));
    probe.onDidDelete((u) => seen.push(`delete ${u.path}`));
    try {
      // The folder and the file appear together, as in a checkout: VS Code may report only the folder.
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'CREATE INDEX ix_jobs_title ON jobs (title);\n');
      const fired = () => pgreadyDiagnostics(uri(rel)).some((x) => codeOf(x) === 'require-concurrent-index-creation');
      try {
        await waitFor('diagnostic on the new SQL file', fired, 60000);
      } catch (e) {
        if (!seen.length) {
          console.log(`file watcher: the host delivered no file events in 60 s (${e.message}); skipping`);
          this.skip();
        }
        throw new Error(`${e.message}; VS Code reported: ${seen.join(', ')}`);
      }
      fs.rmSync(path.dirname(file), { recursive: true });
      await waitFor('diagnostics of the deleted file to go', () => pgreadyDiagnostics(uri(rel)).length === 0, 60000);
    } finally {
      probe.dispose();
    }
  });

  it('the report command renders the Markdown report and saves .md/.json/.sarif', async function () {
    const md = await vscode.commands.executeCommand('pgready.showReport');
    assert.match(md, /^# PostgreSQL production readiness: /);
    assert.match(md, /## Readiness scores/);
    assert.match(md, /\| Performance \| \d+ \| 90 \|/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-report-'));
    for (const [format, check] of [['markdown', /^# PostgreSQL/], ['json', /"findings"/], ['sarif', /"version": "2\.1\.0"/]]) {
      const out = await vscode.commands.executeCommand('pgready.saveReport', format, path.join(dir, `report.${format}`));
      assert.match(fs.readFileSync(out, 'utf8'), check);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('measures open → diagnostics for a 2,000-line file and edit → diagnostics after the debounce', async function () {
    const rel = 'app/big_module.py';
    const blocks = [];
    blocks.push('from sqlalchemy import select, text\nfrom sqlalchemy.orm import Session\n\nfrom app.models import Job\n\n');
    let n = 0;
    while (blocks.join('').split('\n').length < 2000) {
      blocks.push(
        `\ndef list_jobs_${n}(session: Session):\n    jobs = session.scalars(select(Job).where(Job.status == "s${n}").limit(50)).all()\n    total = 0\n    for job in jobs:\n        total += len(job.title)\n    return [{"id": job.id, "total": total} for job in jobs]\n\n`,
      );
      n++;
    }
    const text = blocks.join('').split('\n').slice(0, 2000).join('\n') + '\n';
    const file = uri(rel).fsPath;
    fs.writeFileSync(file, text);
    const t0 = performance.now();
    const doc = await vscode.workspace.openTextDocument(uri(rel));
    await vscode.window.showTextDocument(doc);
    // The engine may already hold it (the watcher reports the new file); measure until diagnostics exist.
    await waitFor('first analysis of the big file', () => api.analyzer.folderStates()[0].engine.hasFile(rel), 20000, 2);
    const openMs = performance.now() - t0;
    const openTiming = api.analyzer.timings.last;

    // Edit: add a string-built query; diagnostics update DEBOUNCE_MS after the last keystroke.
    const before = pgreadyDiagnostics(doc.uri).length;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount - 1, 0), '\ndef bad(session, q):\n    return session.execute(text(f"SELECT * FROM jobs WHERE title = \'{q}\'"))\n');
    const t1 = performance.now();
    await vscode.workspace.applyEdit(edit);
    await waitFor('diagnostics after the edit', () => pgreadyDiagnostics(doc.uri).length > before, 20000, 2);
    const editMs = performance.now() - t1;
    const editTiming = api.analyzer.timings.last;
    writeMetrics({
      bigFile: {
        lines: doc.lineCount,
        openToAnalysedMs: Math.round(openMs),
        openTiming,
        editToDiagnosticsMs: Math.round(editMs),
        editAfterDebounceMs: Math.round(editMs - 300),
        editTiming,
      },
    });
    console.log(`big file: open→analysed ${Math.round(openMs)} ms; edit→diagnostics ${Math.round(editMs)} ms (debounce 300 ms; extract ${editTiming.extractMs.toFixed(1)} ms, analyse ${editTiming.analyzeMs.toFixed(1)} ms, publish ${editTiming.publishMs.toFixed(1)} ms)`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file);
  });
});
