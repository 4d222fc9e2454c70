'use strict';
// Live checks from the editor against the real PostgreSQL 15 at 127.0.0.1:5432 (trust auth, user postgres):
// a scratch database pgready_host_<random> where none of the fixture's Alembic migrations is applied and a
// table without a primary key exists. The suite connects through pgready's settings and commands, runs
// "pgready: Run Live Checks" and reads the results where static findings go: the tree (category scores with
// "basis: database", the live findings, the checks that ran), the diagnostics of the migration files and
// the report. Then: a connection killed during the checks, Disconnect, and the on-connect setting.
// Skipped, with the reason, when no server answers.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { Client } = require('pg');
const { activate, uri, codeOf, pgreadyDiagnostics, waitFor, sleep } = require('./util');

const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const SCRATCH = `pgready_host_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const MIGRATIONS = ['alembic/versions/a1b2c3d4e5f6_initial.py', 'alembic/versions/b7c8d9e0f1a2_jobs_status_index.py'];

describe('pgready live checks (trusted workspace, PostgreSQL 15)', function () {
  this.timeout(120000);
  let api;
  let admin;

  const config = () => vscode.workspace.getConfiguration('pgready');
  /** Writes workspace settings, then lets the configuration events (session closed, rescan) settle. */
  async function settings(values) {
    for (const [k, v] of Object.entries(values)) await config().update(k, v, vscode.ConfigurationTarget.Workspace);
    await sleep(500);
    await api.ready();
  }
  const state = () => api.analyzer.folderStates()[0];
  const overall = () => api.tree.getChildren()[0];
  const categories = () => api.tree.getChildren(overall()).filter((n) => n.kind === 'category');
  const category = (label) => categories().find((c) => c.label === label);
  const liveNode = () => api.tree.getChildren(overall()).find((n) => n.kind === 'live');
  const rule = (cat, id) => category(cat).children.find((r) => r.rule === id);

  before(async function () {
    api = await activate();
    admin = new Client({ ...SERVER, database: 'postgres', connectionTimeoutMillis: 3000 });
    try {
      await admin.connect();
    } catch (e) {
      console.log(`      (skipped: no PostgreSQL at ${SERVER.host}:${SERVER.port}: ${e.message})`);
      admin = undefined;
      this.skip();
    }
    await admin.query(`CREATE DATABASE ${SCRATCH}`);
    const db = new Client({ ...SERVER, database: SCRATCH });
    await db.connect();
    await db.query('CREATE TABLE audit_log (id int, note text); CREATE INDEX ix_audit_log_note ON audit_log (note)');
    await db.end();
    await settings({ 'connection.host': SERVER.host, 'connection.port': SERVER.port, 'connection.user': SERVER.user, 'connection.database': SCRATCH });
  });

  after(async function () {
    if (!admin) return;
    await vscode.commands.executeCommand('pgready.disconnect').catch(() => undefined);
    await settings({ 'connection.host': undefined, 'connection.port': undefined, 'connection.user': undefined, 'connection.database': undefined, 'connection.production': undefined, 'liveChecks.onConnect': undefined });
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`).catch((e) => console.log(`could not drop ${SCRATCH}: ${e.message}`));
    await admin.end();
  });

  it('connecting does not run the checks (pgready.liveChecks.onConnect is off by default)', async function () {
    const label = await vscode.commands.executeCommand('pgready.connect');
    assert.match(String(label), new RegExp(`^PostgreSQL 15\\.\\d+ at 127\\.0\\.0\\.1:5432/${SCRATCH}$`));
    await sleep(1000);
    assert.strictEqual(api.live.summary(state()), undefined);
    assert.strictEqual(liveNode(), undefined);
    assert.doesNotMatch(category('Schema Design').description, /basis: database/);
  });

  it('Run Live Checks: the findings reach the tree (basis: database), the migration files and the report', async function () {
    const t0 = Date.now();
    const summary = await vscode.commands.executeCommand('pgready.runLiveChecks');
    console.log(`live checks from the editor: ${Date.now() - t0} ms (${summary && summary.checks.length} checks, ${summary && summary.added} new findings)`);
    assert.ok(summary, `a summary (last error: ${api.live.lastError})`);
    assert.strictEqual(summary.checks.length, 14);
    assert.match(summary.source, new RegExp(`/${SCRATCH}$`));

    // Tree: categories the checks judged say so; the live findings sit under their category.
    const schema = category('Schema Design');
    assert.match(schema.description, /^\d+\/100 · .* · basis: database$/);
    assert.strictEqual(schema.tooltip, 'checked against the database');
    const unapplied = rule('Schema Design', 'live-unapplied-migration');
    assert.ok(unapplied, `live-unapplied-migration in the tree: ${schema.children.map((r) => r.rule).join(', ')}`);
    assert.strictEqual(unapplied.count, 2);
    assert.deepStrictEqual(unapplied.children.map((l) => l.label.replace(/:\d+$/, '')), MIGRATIONS);
    const item = api.tree.getTreeItem(unapplied.children[0]);
    assert.strictEqual(item.command.arguments[0].path, uri(MIGRATIONS[0]).path, 'a click opens the migration');
    const nopk = rule('Schema Design', 'live-table-without-primary-key');
    assert.ok(nopk && nopk.children[0].label === '(repository)', 'audit_log has no primary key and no code');
    const live = liveNode();
    assert.ok(live, 'a "Database checks" node');
    assert.strictEqual(live.children.length, 14);
    assert.strictEqual(live.children[0].status, 'problem', 'problems first');
    assert.ok(live.children.some((c) => c.label === 'Unapplied migrations' && c.status === 'problem'));

    // Diagnostics on the migration files, with the live rule id and the database's words.
    for (const rel of MIGRATIONS) {
      const d = await waitFor(`live-unapplied-migration on ${rel}`, () => pgreadyDiagnostics(uri(rel)).find((x) => codeOf(x) === 'live-unapplied-migration'));
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
      assert.match(d.message, /is not applied: the database has no alembic_version table/);
    }

    // The report: the database section, the scores' basis and the live findings; the saved JSON too.
    const md = await vscode.commands.executeCommand('pgready.showReport');
    assert.match(md, /from static analysis of the repository and 14 live checks on PostgreSQL 15/);
    assert.match(md, /\| Schema Design \| \d+ \| 90 \| \d+ \| checked against the database \|/);
    assert.match(md, /## Database\n\nChecked against PostgreSQL 15\.\d+ at 127\.0\.0\.1:5432\//);
    assert.match(md, /- ✗ Unapplied migrations: 2 migrations of 2 not applied/);
    assert.match(md, /\*\*live-unapplied-migration\*\* at `alembic\/versions\/a1b2c3d4e5f6_initial\.py:\d+`/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-live-report-'));
    try {
      const out = await vscode.commands.executeCommand('pgready.saveReport', 'json', path.join(dir, 'report.json'));
      const json = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.strictEqual(json.live.checks.length, 14);
      assert.ok(json.findings.some((f) => f.rule === 'live-unapplied-migration'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the results stay through a re-analysis of the workspace', async function () {
    await vscode.commands.executeCommand('pgready.analyzeWorkspace');
    assert.strictEqual(rule('Schema Design', 'live-unapplied-migration').count, 2);
    assert.match(category('Schema Design').description, /basis: database$/);
  });

  it('a connection killed during the checks is an error message, not a hang', async function () {
    // A transaction that drops an index holds its lock: the checks' catalog read waits on it, and while it
    // waits, the server ends pgready's session (as a restart or failover would).
    const blocker = new Client({ ...SERVER, database: SCRATCH });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('DROP INDEX ix_audit_log_note');
      const t0 = Date.now();
      const run = vscode.commands.executeCommand('pgready.runLiveChecks');
      const pid = await waitFor('the live checks waiting on the lock', async () => {
        const r = await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pgready' AND wait_event_type = 'Lock'`, [SCRATCH]);
        return r.rows[0] && r.rows[0].pid;
      }, 2500, 25);
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const result = await run;
      const ms = Date.now() - t0;
      console.log(`killed live-check session: error after ${ms} ms: ${api.live.lastError}`);
      assert.strictEqual(result, undefined);
      assert.ok(ms < 15000, `took ${ms} ms`);
      assert.match(api.live.lastError, /^Live checks failed: The server at 127\.0\.0\.1:5432\/\S+ ended the session: terminating connection due to administrator command\.$/);
      assert.strictEqual(rule('Schema Design', 'live-unapplied-migration').count, 2, 'the last good results stay');
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
  });

  it('Disconnect drops the live results: static scores and no live diagnostics', async function () {
    await vscode.commands.executeCommand('pgready.disconnect');
    await waitFor('static scores again', () => !/basis: database/.test(category('Schema Design').description));
    assert.strictEqual(liveNode(), undefined);
    assert.strictEqual(rule('Schema Design', 'live-unapplied-migration'), undefined);
    assert.ok(!pgreadyDiagnostics(uri(MIGRATIONS[0])).some((d) => codeOf(d).startsWith('live-')));
    const md = await vscode.commands.executeCommand('pgready.showReport');
    assert.match(md, /no database was connected/);
  });

  it('with pgready.liveChecks.onConnect they run on connect, but never on a connection marked production', async function () {
    await settings({ 'liveChecks.onConnect': true, 'connection.production': true });
    assert.ok(await vscode.commands.executeCommand('pgready.connect'), 'connected');
    await sleep(1500);
    assert.strictEqual(api.live.summary(state()), undefined, 'not run on a production connection');
    await settings({ 'connection.production': false });
    assert.ok(await vscode.commands.executeCommand('pgready.connect'), 'connected');
    await waitFor('live checks on connect', () => api.live.summary(state()), 30000, 100);
    assert.ok(rule('Schema Design', 'live-unapplied-migration'));
  });
});
