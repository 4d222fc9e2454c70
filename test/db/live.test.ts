import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFile } from 'child_process';
import { connect, type Db } from '../../src/db/connection';
import { adminOrSkip, TEST_DB_URL, withDatabase } from './server';
import { runLiveChecks, withLiveChecks } from '../../src/db/live-report';
import { tryIndex } from '../../src/db/try-index';
import { Engine, initEngine, type AnalysisResult } from '../../src/engine';
import { mergeLive, type LiveResults } from '../../src/engine/live';

// Live readiness checks against the real PostgreSQL server (15 here). A scratch database per run, built
// from the fastapi-shop example's own migrations (the engine's SQL for each Alembic op), with the last
// migration left unapplied and some planted problems. Skipped, with the reason, when no server answers.

const URL = TEST_DB_URL;
const ROOT = path.resolve(__dirname, '../..');
const SHOP = path.join(ROOT, 'examples/fastapi-shop');
const SCRATCH = `pgready_live_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

function analyseProject(root: string): AnalysisResult {
  const engine = new Engine();
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else engine.setFile(path.relative(root, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return engine.analyze();
}

describe('live: merge with static findings (pure)', () => {
  before(() => initEngine());

  it('confirms, clears, adds live findings and marks categories live', () => {
    const result = analyseProject(SHOP);
    const fk = result.findings.filter((f) => f.rule === 'missing-fk-index');
    assert.ok(fk.length >= 2);
    const live: LiveResults = {
      source: 'test db',
      serverVersionNum: 150000,
      ms: 1,
      checks: [
        {
          check: 'fk-without-index',
          title: 'FK',
          category: 'performance',
          status: 'problem',
          summary: 's',
          findings: [],
          verdicts: [
            { rule: 'missing-fk-index', match: { table: 'job_applications', columns: ['job_id'] }, verdict: 'confirmed', note: 'fk exists.' },
            { rule: 'missing-fk-index', match: { table: 'messages', columns: ['sender_id'] }, verdict: 'cleared', note: 'indexed in db.' },
          ],
        },
        {
          check: 'unapplied-migrations',
          title: 'M',
          category: 'schema',
          status: 'problem',
          summary: 's',
          verdicts: [],
          findings: [{ rule: 'live-unapplied-migration', severity: 'error', category: 'schema', message: 'not applied', help: 'upgrade', anchor: { migration: 'e63d1c8a7f05' }, key: 'e63' }],
        },
      ],
    };
    const { result: merged, live: summary } = mergeLive(result, live);
    const confirmed = merged.findings.filter((f) => f.rule === 'missing-fk-index' && f.data?.table === 'job_applications');
    assert.ok(confirmed.length >= 1 && confirmed.every((f) => /Confirmed by the database: fk exists\./.test(f.message)));
    assert.ok(!merged.findings.some((f) => f.rule === 'missing-fk-index' && f.data?.table === 'messages'));
    assert.strictEqual(summary.cleared.length, fk.filter((f) => f.data?.table === 'messages').length);
    const added = merged.findings.find((f) => f.rule === 'live-unapplied-migration')!;
    assert.strictEqual(added.span?.file, 'alembic/versions/e63d1c8a7f05_jobs_status_index.py');
    assert.strictEqual(merged.readiness.categories.performance.basis, 'live');
    assert.strictEqual(merged.readiness.categories.schema.basis, 'live');
    assert.strictEqual(merged.readiness.categories.backup.basis, 'repository');
    assert.ok(merged.readiness.categories.schema.score! < result.readiness.categories.schema.score!);
  });
});

describe('live: checks on PostgreSQL', function () {
  this.timeout(120_000);
  let admin: Db | undefined;
  let scratch: Db;
  let scratchUrl: string;
  let analysis: AnalysisResult;
  let live: LiveResults;

  before(async function () {
    admin = await adminOrSkip(this);
    await initEngine();
    analysis = analyseProject(SHOP);
    await admin!.simple(`CREATE DATABASE ${SCRATCH}`);
    scratchUrl = withDatabase(URL, SCRATCH);
    scratch = await connect({ url: scratchUrl, readOnly: false, statementTimeoutMs: 30_000 });
    const migrations = analysis.facts.migrations;
    const last = migrations[migrations.length - 1];
    for (const m of migrations.slice(0, -1)) for (const s of m.upgrade) await scratch.simple(s.sql);
    const prev = migrations[migrations.length - 2].id;
    await scratch.simple(`CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES ('${prev}');
      INSERT INTO companies (id, name, slug) SELECT g, 'c' || g, 'c' || g FROM generate_series(1, 20) g;
      INSERT INTO users (id, email, username, password_hash, full_name, company_id)
        SELECT g, 'u' || g || '@x.test', 'user' || (CASE WHEN g IN (2, 3) THEN 1 WHEN g IN (5, 6, 7) THEN 4 ELSE g END), 'h', 'U ' || g, 1 + g % 20 FROM generate_series(1, 300) g;
      INSERT INTO jobs (id, company_id, title, description, status) SELECT g, 1 + g % 20, 'job ' || g, 'd', 'open' FROM generate_series(1, 400) g;
      INSERT INTO job_applications (id, job_id, applicant_id) SELECT g, 1 + g % 400, 1 + (g / 400) FROM generate_series(1, 20000) g;
      CREATE INDEX ix_messages_sender_by_hand ON messages (sender_id);
      CREATE INDEX ix_users_company_id_again ON users (company_id);
      CREATE TABLE legacy_import (payload text);
      ANALYZE;`);
    // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind (the duplicates make it fail).
    await scratch.simple(`CREATE UNIQUE INDEX CONCURRENTLY ix_users_username_unique ON users (username)`).then(
      () => assert.fail('expected the unique build to fail'),
      () => undefined,
    );
    assert.ok(last.id);
    const db = await connect({ url: scratchUrl });
    try {
      live = await runLiveChecks(db, analysis);
    } finally {
      await db.close();
    }
  });

  after(async () => {
    await scratch?.close();
    if (admin) {
      await admin.simple(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`).catch((e) => console.log(`      could not drop ${SCRATCH}: ${e.message}`));
      await admin.close();
    }
  });

  const check = (id: string) => live.checks.find((c) => c.check === id)!;

  it('runs every check without errors', () => {
    for (const c of live.checks) assert.strictEqual(c.error, undefined, `${c.check}: ${c.error}`);
  });

  it('finds the unapplied migration and names its revision', () => {
    const c = check('unapplied-migrations');
    assert.strictEqual(c.status, 'problem');
    assert.deepStrictEqual(c.findings.map((f) => f.data?.revision), ['e63d1c8a7f05']);
    assert.match(c.findings[0].message, /e63d1c8a7f05.*not applied.*9a2f6e0b3c47/);
  });

  it('confirms the unindexed foreign key and clears the one indexed by hand', () => {
    const c = check('fk-without-index');
    assert.ok(c.verdicts.some((v) => v.verdict === 'confirmed' && v.match?.table === 'job_applications'));
    assert.ok(c.verdicts.some((v) => v.verdict === 'cleared' && v.match?.table === 'messages' && /ix_messages_sender_by_hand/.test(v.note)));
  });

  it('counts the duplicates behind the missing unique constraint', () => {
    const v = check('unique-duplicates').verdicts.find((x) => x.match?.table === 'users')!;
    assert.strictEqual(v.verdict, 'confirmed');
    assert.deepStrictEqual(v.data, { duplicateGroups: 2, duplicateRows: 7 });
    assert.match(v.note, /2 duplicated username values \(7 rows\)/);
  });

  it('reports pg_stat_statements, server timeouts, WAL archiving, and the other catalog checks', () => {
    const pss = check('pg-stat-statements');
    assert.ok(['ok', 'problem'].includes(pss.status));
    assert.ok(pss.verdicts.some((v) => v.rule === 'missing-query-monitoring'));
    const t = check('server-timeouts');
    assert.match(t.summary, /statement_timeout .*idle_in_transaction_session_timeout/);
    assert.ok(t.verdicts.some((v) => v.rule === 'missing-query-timeout'));
    assert.ok(check('wal-archiving').verdicts.some((v) => v.rule === 'missing-backup-strategy') || check('wal-archiving').status === 'unknown');
    assert.deepStrictEqual(check('invalid-indexes').findings.map((f) => f.data?.index), ['ix_users_username_unique']);
    assert.ok(check('duplicate-indexes').findings.some((f) => f.data?.index === 'ix_users_company_id_again' && f.data?.duplicateOf === 'ix_users_company_id'));
    assert.deepStrictEqual(check('tables-without-primary-key').findings.map((f) => f.data?.table), ['legacy_import']);
    assert.strictEqual(check('xid-wraparound').status, 'ok');
    assert.match(check('connections').summary, /connections in use.*need up to 120 \(30 per process × 4 workers\)/);
  });

  it('merges into the report: confirmed messages, cleared list, live basis', async () => {
    const merged = await withLiveChecks(analysis, { connection: { url: scratchUrl }, workers: 2 });
    const fk = merged.result.findings.filter((f) => f.rule === 'missing-fk-index');
    assert.ok(fk.length >= 1 && fk.every((f) => f.data?.table === 'job_applications' && /Confirmed by the database/.test(f.message)));
    assert.ok(merged.live.cleared.some((c) => c.rule === 'missing-fk-index' && /ix_messages_sender_by_hand/.test(c.reason)));
    const uq = merged.result.findings.find((f) => f.rule === 'missing-unique-constraint')!;
    assert.match(uq.message, /Confirmed by the database: .*2 duplicated username values/);
    const mig = merged.result.findings.find((f) => f.rule === 'live-unapplied-migration')!;
    assert.strictEqual(mig.span?.file, 'alembic/versions/e63d1c8a7f05_jobs_status_index.py');
    const inv = merged.result.findings.find((f) => f.rule === 'live-invalid-index')!;
    assert.strictEqual(inv.span?.file, 'app/models.py'); // the users model: the index is not in the code
    assert.strictEqual(merged.result.readiness.categories.performance.basis, 'live');
    assert.strictEqual(merged.result.readiness.categories.monitoring.basis, 'live');
  });

  it('never writes: the live session is read-only', async () => {
    const db = await connect({ url: scratchUrl });
    try {
      await assert.rejects(db.simple('CREATE TABLE should_fail (x int)'), /read-only/);
    } finally {
      await db.close();
    }
  });

  it('tries a suggested index in a rolled-back transaction and shows the cost drop', async () => {
    const db = await connect({ url: scratchUrl });
    try {
      const r = await tryIndex(db, 'SELECT * FROM job_applications WHERE job_id = $1', 'CREATE INDEX CONCURRENTLY ix_job_applications_job_id ON job_applications (job_id);', { hypothetical: false });
      assert.strictEqual(r.method, 'transaction');
      assert.ok(r.usesIndex, JSON.stringify(r.notes));
      assert.ok(r.after.cost < r.before.cost / 2, `${r.before.cost} → ${r.after.cost}`);
      const left = await db.query(`SELECT 1 FROM pg_class WHERE relname = 'ix_job_applications_job_id'`);
      assert.strictEqual(left.length, 0);
      await assert.rejects(db.simple('CREATE TABLE still_read_only (x int)'), /read-only/);
      await assert.rejects(tryIndex(db, 'SELECT * FROM job_applications WHERE job_id = 1', 'CREATE INDEX ON job_applications (job_id)', { production: true, hypothetical: false }), /production/);
      await assert.rejects(tryIndex(db, 'SELECT 1', 'DROP TABLE users'), /exactly one CREATE INDEX/);
    } finally {
      await db.close();
    }
  });

  it('tries a suggested index with hypopg when the database has it', async function () {
    try {
      await scratch.simple('CREATE EXTENSION IF NOT EXISTS hypopg');
    } catch (e) {
      console.log(`      (skipped: hypopg not available on this server: ${(e as Error).message})`);
      this.skip();
    }
    const db = await connect({ url: scratchUrl });
    try {
      const r = await tryIndex(db, 'SELECT * FROM job_applications WHERE job_id = 7', 'CREATE INDEX ON job_applications (job_id)', { production: true });
      assert.strictEqual(r.method, 'hypopg');
      assert.ok(r.usesIndex && /btree_job_applications_job_id/.test(r.indexName ?? ''), JSON.stringify(r.indexName));
      assert.ok(r.after.cost < r.before.cost);
      const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM hypopg_list_indexes');
      assert.strictEqual(left.n, 0);
    } finally {
      await db.close();
      await scratch.simple('DROP EXTENSION hypopg');
    }
  });

  it('pgready report --db adds the live checks (CLI, JSON)', async function () {
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const r = await cli(['report', SHOP, '--db', scratchUrl, '--format', 'json']);
    const progress = /^(pgready: )?(listing|parsing|checking)/;
    assert.deepStrictEqual(r.stderr.split('\n').filter((l) => l.trim() && !progress.test(l)), []);
    const json = JSON.parse(r.stdout);
    assert.ok(Array.isArray(json.cleared) && json.cleared.some((c: { rule: string }) => c.rule === 'missing-fk-index'));
    assert.ok(json.findings.some((f: { rule: string; message: string }) => f.rule === 'missing-fk-index' && /Confirmed by the database/.test(f.message)));
    assert.ok(json.findings.some((f: { rule: string }) => f.rule === 'live-unapplied-migration'));
    assert.strictEqual(json.score.categories.performance.basis, 'live');
    const bad = await cli(['report', SHOP, '--db', 'postgres://postgres@127.0.0.1:1/none']);
    assert.strictEqual(bad.code, 2);
    const lines = bad.stderr.split('\n').filter((l) => l.trim() && !progress.test(l));
    assert.strictEqual(lines.length, 1, bad.stderr);
    assert.match(lines[0], /^pgready: live checks: Connection refused at 127\.0\.0\.1:1/);
  });
});
