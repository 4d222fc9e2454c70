import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runExplain } from '../../src/cli/explain';
import { UsageError } from '../../src/cli/args';
import { connect, type Db } from '../../src/db/connection';
import { adminOrSkip, TEST_DB_URL, withDatabase } from './server';
import { openShadow, stepsFromSqlFiles } from '../../src/db/shadow';
import { ready$, readTree } from '../helpers';

// `pgready explain --try-index DDL` / `--try-advice`: cost before → after, the method, and nothing left
// behind. On the real server (PostgreSQL 15, a scratch database with rows; skipped with the reason when no
// server answers) and on the embedded shadow database (PGlite, --rows), where it always takes the
// rolled-back-transaction path.

const URL = TEST_DB_URL;
const PROJECT = path.join(__dirname, 'fixtures', 'sql-project');
const SCRATCH = `pgready_tryidx_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** Runs the CLI command in this process, capturing stdout and stderr. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const w = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let out = '';
  let err = '';
  const grab = (sink: 'out' | 'err') => (chunk: string | Uint8Array) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (sink === 'out') out += s;
    else err += s;
    return true;
  };
  (process.stdout as { write: unknown }).write = grab('out');
  (process.stderr as { write: unknown }).write = grab('err');
  try {
    let code: number;
    try {
      code = await runExplain(argv);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err += `usage: ${e.message}\n`;
      code = 2;
    }
    return { code, out, err };
  } finally {
    (process.stdout as { write: unknown }).write = w.out;
    (process.stderr as { write: unknown }).write = w.err;
  }
}

describe('cli: explain --try-index on PostgreSQL', function () {
  this.timeout(120_000);
  let admin: Db | undefined;
  let scratchUrl: string;

  before(async function () {
    admin = await adminOrSkip(this);
    await ready$();
    await admin!.simple(`CREATE DATABASE ${SCRATCH}`);
    scratchUrl = withDatabase(URL, SCRATCH);
    const db = await connect({ url: scratchUrl, readOnly: false, statementTimeoutMs: 30_000 });
    try {
      await db.simple(`CREATE TABLE events (id bigint PRIMARY KEY, account_id int NOT NULL, kind text NOT NULL, payload text);
        INSERT INTO events SELECT g, g % 5000, 'k' || (g % 7), repeat('x', 40) FROM generate_series(1, 50000) g;
        ANALYZE events;`);
    } finally {
      await db.close();
    }
  });

  after(async () => {
    if (admin) {
      await admin.simple(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`).catch((e) => console.log(`      could not drop ${SCRATCH}: ${e.message}`));
      await admin.close();
    }
  });

  async function indexExists(name: string): Promise<boolean> {
    const db = await connect({ url: scratchUrl });
    try {
      return (await db.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [name])).length > 0;
    } finally {
      await db.close();
    }
  }

  it('tries the advised index: cost drops, rolled-back transaction, nothing left (JSON)', async () => {
    const r = await cli(['--db', scratchUrl, '--try-advice', '--format', 'json', 'SELECT * FROM events WHERE account_id = $1']);
    assert.strictEqual(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.strictEqual(json.method, 'prepare'); // PG 15: the generic plan through PREPARE
    const t = json.tryIndex;
    assert.strictEqual(t.method, 'transaction');
    assert.strictEqual(t.indexSql, 'CREATE INDEX ix_events_account_id ON events (account_id)');
    assert.ok(t.usesIndex && t.indexName === 'ix_events_account_id', JSON.stringify(t));
    assert.ok(t.after < t.before / 10, `${t.before} → ${t.after}`);
    assert.strictEqual(t.leftBehind, 0);
    assert.ok(!(await indexExists('ix_events_account_id')));
  });

  it('prints cost before → after and the method (text), for a given CREATE INDEX', async () => {
    const r = await cli(['--db', scratchUrl, '--try-index', 'CREATE INDEX CONCURRENTLY ix_try_kind_account ON events (account_id, kind);', "SELECT id FROM events WHERE account_id = 42 AND kind = 'k3'"]);
    assert.strictEqual(r.code, 0, r.err);
    assert.match(r.out, /^Try index \(built in a rolled-back transaction\): CREATE INDEX ix_try_kind_account ON events \(account_id, kind\)$/m);
    const m = /cost ([\d.]+) → ([\d.]+) \(−[\d.]+ %\) · the plan uses ix_try_kind_account/.exec(r.out);
    assert.ok(m && Number(m[2]) < Number(m[1]), r.out);
    assert.match(r.out, /nothing was left behind/);
    assert.ok(!(await indexExists('ix_try_kind_account')));
  });

  it('refuses on a production connection, and rejects what is not one CREATE INDEX', async () => {
    const p = await cli(['--db', scratchUrl, '--production', '--try-index', 'CREATE INDEX ix_prod ON events (kind)', "SELECT * FROM events WHERE kind = 'k1'"]);
    assert.strictEqual(p.code, 2);
    assert.match(p.err, /Refusing to try the index on a production connection/);
    assert.ok(!(await indexExists('ix_prod')));
    const bad = await cli(['--db', scratchUrl, '--try-index', 'DROP TABLE events', 'SELECT 1']);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /exactly one CREATE INDEX/);
    const none = await cli(['--db', scratchUrl, '--try-advice', 'SELECT * FROM events WHERE id = 1']);
    assert.strictEqual(none.code, 1);
    assert.match(none.err, /suggests no index/);
  });
});

describe('cli: explain --try-index on the embedded database (PGlite)', function () {
  this.timeout(300_000);
  let cacheDir: string;
  let saved: string | undefined;

  before(async () => {
    await ready$();
    saved = process.env.PGREADY_CACHE_DIR;
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-tryidx-'));
    process.env.PGREADY_CACHE_DIR = cacheDir;
  });

  after(() => {
    if (saved === undefined) delete process.env.PGREADY_CACHE_DIR;
    else process.env.PGREADY_CACHE_DIR = saved;
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('cost drops for a seq scan on generated rows; rolled back; nothing left', async () => {
    const r = await cli(['--project', PROJECT, '--rows', '2000', '--format', 'json', '--production', '--try-index', 'CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total)', 'SELECT * FROM orders WHERE total = $1']);
    assert.strictEqual(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.strictEqual(json.method, 'generic_plan');
    const t = json.tryIndex;
    // The embedded database is private to the command: --production does not apply to it.
    assert.strictEqual(t.method, 'transaction');
    assert.ok(t.usesIndex && t.indexName === 'ix_orders_total', JSON.stringify(t));
    assert.ok(t.after < t.before / 2, `${t.before} → ${t.after}`);
    assert.strictEqual(t.leftBehind, 0);
    assert.ok(t.afterView.nodes.some((n: { index?: string }) => n.index === 'ix_orders_total'), JSON.stringify(t.afterView.nodes));

    // The cached build the command used does not have the index either.
    const db = await openShadow(stepsFromSqlFiles(readTree(PROJECT)), { rows: 2000, cacheDir: path.join(cacheDir, 'shadow') });
    try {
      assert.ok(db.fromCache);
      const names = (await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'orders'`)).map((x) => x.indexname);
      assert.ok(!names.includes('ix_orders_total'), names.join());
    } finally {
      await db.close();
    }
  });
});
