import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { connect, DbError, normalizeUrl, redactUrl, resolveTarget, type Db } from '../../src/db/connection';
import { explain } from '../../src/db/explain';

// Against a real PostgreSQL (15 on these machines: the PREPARE fallback for generic plans). The URL comes from
// PGREADY_TEST_DATABASE_URL; with no server there, every test here reports itself skipped with the reason.
const URL = process.env.PGREADY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `pgready_dbtest_${process.pid}`;

async function within<T>(ms: number, p: Promise<T>): Promise<{ value?: T; error?: unknown; elapsed: number }> {
  const t0 = Date.now();
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref());
  try {
    return { value: await Promise.race([p, timer]), elapsed: Date.now() - t0 };
  } catch (error) {
    return { error, elapsed: Date.now() - t0 };
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('db: connection URLs (no server needed)', () => {
  it('normalises SQLAlchemy async URLs and redacts passwords', () => {
    assert.strictEqual(normalizeUrl('postgresql+asyncpg://u:p@h:5433/d'), 'postgresql://u:p@h:5433/d');
    assert.strictEqual(normalizeUrl('postgres://u@h/d'), 'postgresql://u@h/d');
    assert.strictEqual(redactUrl('postgresql+psycopg://u:secret@h/d'), 'postgresql://u:***@h/d');
    const t = resolveTarget({ url: 'postgresql+asyncpg://app:pw@db.internal:6543/shop?ssl=require', env: {} });
    assert.deepStrictEqual([t.host, t.port, t.user, t.database, t.config.password], ['db.internal', 6543, 'app', 'shop', 'pw']);
    assert.strictEqual(t.config.application_name, 'pgready');
  });

  it('falls back to libpq PG* variables', () => {
    const t = resolveTarget({ env: { PGHOST: 'pghost', PGPORT: '5499', PGUSER: 'alice', PGDATABASE: 'app', PGPASSWORD: 'x', PGCONNECT_TIMEOUT: '3' } });
    assert.deepStrictEqual([t.host, t.port, t.user, t.database, t.config.password, t.config.connectionTimeoutMillis], ['pghost', 5499, 'alice', 'app', 'x', 3000]);
    const u = resolveTarget({ url: 'postgres://', env: { PGHOST: 'h2', PGDATABASE: 'd2', PGUSER: 'bob' } });
    assert.deepStrictEqual([u.host, u.database, u.user], ['h2', 'd2', 'bob']);
  });
});

describe('db: sslmode as libpq means it (no server needed)', () => {
  it('the same from a URL and from PGSSLMODE: require encrypts without checking, verify-* check, the rest does not encrypt', () => {
    const modes: [string, unknown][] = [
      ['require', { rejectUnauthorized: false }],
      ['no-verify', { rejectUnauthorized: false }],
      ['verify-ca', true],
      ['verify-full', true],
      ['prefer', undefined],
      ['allow', undefined],
      ['disable', false],
    ];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      for (const [mode, ssl] of modes) {
        const fromUrl = resolveTarget({ url: `postgresql://app@db.internal:6543/shop?sslmode=${mode}`, env: {} });
        assert.deepStrictEqual(fromUrl.config.ssl, ssl, `URL sslmode=${mode}`);
        assert.deepStrictEqual([fromUrl.host, fromUrl.port, fromUrl.database], ['db.internal', 6543, 'shop']);
        const fromEnv = resolveTarget({ env: { PGHOST: 'db.internal', PGSSLMODE: mode } });
        assert.deepStrictEqual(fromEnv.config.ssl, mode === 'disable' ? false : ssl, `PGSSLMODE=${mode}`);
      }
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepStrictEqual(warnings.filter((w) => /SECURITY WARNING/.test(w)), []);
  });

  it('the URL\'s sslmode wins over PGSSLMODE; other query parameters are kept', () => {
    const t = resolveTarget({ url: 'postgres://u@h/d?application_name=x&sslmode=verify-full&options=-c%20search_path%3Dapp', env: { PGSSLMODE: 'disable' } });
    assert.strictEqual(t.config.ssl, true);
    assert.strictEqual(t.database, 'd');
    assert.strictEqual(resolveTarget({ url: 'postgres://u@h/d?sslmode=disable', env: { PGSSLMODE: 'require' } }).config.ssl, false);
    assert.deepStrictEqual(resolveTarget({ url: 'postgres://u@h/d', env: { PGSSLMODE: 'require' } }).config.ssl, { rejectUnauthorized: false });
  });
});

describe('db: PostgreSQL server', function () {
  this.timeout(60_000);
  let db: Db;
  let admin: Db;

  before(async function () {
    try {
      admin = await connect({ url: URL, readOnly: false, connectTimeoutMs: 3000 });
    } catch (e) {
      console.log(`      (skipped: no PostgreSQL at ${redactUrl(URL)}: ${(e as Error).message})`);
      this.skip();
    }
    await admin.simple(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.items (id serial PRIMARY KEY, owner_id int NOT NULL, name text NOT NULL, price numeric NOT NULL DEFAULT 1);
      CREATE INDEX ON ${SCHEMA}.items (owner_id);
      INSERT INTO ${SCHEMA}.items (owner_id, name) SELECT g % 100, 'item ' || g FROM generate_series(1, 5000) g;
      ANALYZE ${SCHEMA}.items;`);
    db = await connect({ url: URL });
    await db.simple(`SET search_path = ${SCHEMA}, public`);
  });

  after(async () => {
    await db?.close();
    await admin?.simple(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await admin?.close();
  });

  const count = async () => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.items`))[0].n);

  it('labels and bounds the session: application_name, statement_timeout, lock_timeout, read-only', async () => {
    const [s] = await db.query<Record<string, string>>(
      `SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt, current_setting('default_transaction_read_only') AS ro`,
    );
    assert.deepStrictEqual(s, { app: 'pgready', st: '10s', lt: '3s', ro: 'on' });
    assert.ok(db.serverVersionNum >= 100000);
    await assert.rejects(db.query(`INSERT INTO items (owner_id, name) VALUES (1, 'x')`), (e: DbError) => e instanceof DbError && /read-only/.test(e.message));
  });

  it('explains a plain query (EXPLAIN FORMAT JSON)', async () => {
    const r = await explain(db, 'SELECT * FROM items WHERE owner_id = 7');
    assert.strictEqual(r.method, 'plain');
    assert.ok(!r.generic && !r.plan.analyzed);
    assert.match(r.plan.root.raw['Node Type'], /Index Scan|Bitmap Heap Scan/);
    assert.strictEqual(r.tableRows.items, 5000);
  });

  it('explains $1 and :name queries as generic plans (PG ≤ 15: PREPARE + EXECUTE with NULLs, then DEALLOCATE)', async function () {
    for (const sql of ['SELECT * FROM items WHERE owner_id = $1 AND price > $2', 'SELECT * FROM items WHERE owner_id = :owner AND price > :min']) {
      const r = await explain(db, sql);
      assert.ok(r.generic);
      assert.strictEqual(r.parameters, 2);
      assert.strictEqual(r.method, db.serverVersionNum >= 160000 ? 'generic_plan' : 'prepare');
      const text = JSON.stringify(r.raw);
      assert.match(text, /owner_id = \$1/);
    }
    // nothing left behind in the session
    assert.deepStrictEqual(await db.query(`SELECT name FROM pg_prepared_statements`), []);
    assert.strictEqual((await db.query<{ m: string }>(`SELECT current_setting('plan_cache_mode') AS m`))[0].m, 'auto');
  });

  it('explains a writing statement without running it (generic UPDATE in a read-only session)', async () => {
    const before = await count();
    const r = await explain(db, 'UPDATE items SET price = price + 1 WHERE owner_id = %s');
    assert.ok(r.writes && r.generic);
    assert.strictEqual(r.plan.root.raw['Node Type'], 'ModifyTable');
    assert.strictEqual(await count(), before);
  });

  it('EXPLAIN ANALYZE of INSERT, UPDATE and DELETE leaves the rows unchanged (always rolled back)', async () => {
    const before = await count();
    const sum = async () => String((await admin.query<{ s: string }>(`SELECT sum(price) AS s FROM ${SCHEMA}.items`))[0].s);
    const priceBefore = await sum();
    const ins = await explain(db, `INSERT INTO items (owner_id, name) SELECT owner_id, name FROM items WHERE owner_id < 50`, { analyze: true, buffers: true });
    assert.ok(ins.plan.analyzed && ins.plan.hasBuffers);
    assert.strictEqual(await count(), before);
    await explain(db, `UPDATE items SET price = price * 2 WHERE owner_id < 90`, { analyze: true });
    assert.strictEqual(await sum(), priceBefore);
    const del = await explain(db, `DELETE FROM items WHERE owner_id < 90`, { analyze: true });
    assert.ok(del.plan.analyzed);
    assert.strictEqual(await count(), before);
    // and the session is back to read-only, outside any transaction
    assert.strictEqual((await db.query<{ ro: string }>(`SELECT current_setting('transaction_read_only') AS ro`))[0].ro, 'on');
  });

  it('rolls back even when the ANALYZEd statement fails half-way', async () => {
    const before = await count();
    await assert.rejects(explain(db, `INSERT INTO items (owner_id, name) SELECT 1, CASE WHEN g < 10 THEN 'x' END FROM generate_series(1, 20) g`, { analyze: true }), /null value|not-null/i);
    assert.strictEqual(await count(), before);
    await db.query('SELECT 1'); // the session is usable
  });

  it('ANALYZE of a SELECT runs read-only; ANALYZE with parameters is refused', async () => {
    const r = await explain(db, 'SELECT count(*) FROM items', { analyze: true });
    assert.ok(r.plan.analyzed && r.plan.executionTime !== undefined);
    await assert.rejects(explain(db, 'SELECT * FROM items WHERE id = :id', { analyze: true }), /no values to run with/);
    await assert.rejects(explain(db, 'SELECT 1; SELECT 2'), /one statement at a time/);
    await assert.rejects(explain(db, 'DROP TABLE items'), /plans queries/);
  });

  it('a statement past statement_timeout is a clear error within bounded time', async () => {
    const quick = await connect({ url: URL, statementTimeoutMs: 1000 });
    try {
      const r = await within(5000, quick.query('SELECT pg_sleep(5)'));
      assert.ok(r.error instanceof DbError, String(r.error));
      assert.match((r.error as Error).message, /statement_timeout \(1 s\)/);
      assert.ok(r.elapsed < 3000, `took ${r.elapsed} ms`);
      await quick.query('SELECT 1'); // still usable afterwards
    } finally {
      await quick.close();
    }
  });

  it('the server ending the session mid-query is a clear error', async () => {
    const victim = await connect({ url: URL });
    try {
      const [{ pid }] = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const running = within(8000, victim.query('SELECT pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 300));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const r = await running;
      assert.ok(r.error instanceof DbError, String(r.error));
      assert.match((r.error as Error).message, /ended the session|went away|reset/);
      assert.ok(r.elapsed < 4000, `took ${r.elapsed} ms`);
    } finally {
      await victim.close();
    }
  });

  it('a closed port is "connection refused" at once', async () => {
    const port = await freePort();
    const r = await within(5000, connect({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 2000 }));
    assert.ok(r.error instanceof DbError, String(r.error));
    assert.match((r.error as Error).message, new RegExp(`Connection refused at 127\\.0\\.0\\.1:${port}`));
    assert.ok(r.elapsed < 2500);
  });

  it('an unknown host or a silent one fails within the connect timeout', async () => {
    const unknown = await within(8000, connect({ url: 'postgres://postgres@no-such-host.invalid/test', connectTimeoutMs: 2000 }));
    assert.ok(unknown.error instanceof DbError, String(unknown.error));
    assert.match((unknown.error as Error).message, /Unknown host|Timed out/);
    assert.ok(unknown.elapsed < 3000, `took ${unknown.elapsed} ms`);
    // A listener that accepts and never answers: the start-up packet gets no reply.
    const silent = net.createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const r = await within(6000, connect({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 1000 }));
      assert.ok(r.error instanceof DbError, String(r.error));
      assert.match((r.error as Error).message, /Timed out after 1 s connecting to 127\.0\.0\.1/);
      assert.ok(r.elapsed < 2500, `took ${r.elapsed} ms`);
    } finally {
      silent.close();
    }
  });

  it('a missing database is named', async () => {
    const r = await within(5000, connect({ url: URL.replace(/\/[^/?]*(\?|$)/, '/pgready_no_such_db$1') }));
    assert.ok(r.error instanceof DbError);
    assert.match((r.error as Error).message, /Database does not exist/);
  });
});

// Wrong password needs a server that checks passwords; the shared one trusts 127.0.0.1. So this starts a
// private PostgreSQL cluster with scram-sha-256 on a free port (root can run initdb as the postgres user).
describe('db: wrong password (private cluster with password auth)', function () {
  this.timeout(120_000);
  let dir = '';
  let port = 0;
  const bin = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`)[0] : undefined;
  const asPostgres = (cmd: string) => execFileSync('su', ['postgres', '-c', cmd], { stdio: 'pipe', timeout: 60_000 });

  before(async function () {
    if (!bin || !fs.existsSync(`${bin}/initdb`)) {
      console.log('      (skipped: no PostgreSQL server binaries to start a private cluster)');
      this.skip();
    }
    if (process.getuid?.() !== 0 || spawnSync('id', ['postgres']).status !== 0) {
      console.log('      (skipped: starting a private cluster needs root and a postgres user)');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-pw-'));
    fs.chmodSync(dir, 0o777);
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'pw'), 'right-password\n');
    fs.chmodSync(path.join(dir, 'pw'), 0o644);
    asPostgres(`${bin}/initdb -D ${dir}/data -U postgres --auth=scram-sha-256 --pwfile=${dir}/pw -E UTF8 --locale=C.UTF-8 >/dev/null`);
    asPostgres(`${bin}/pg_ctl -D ${dir}/data -l ${dir}/log -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1" -w -t 60 start >/dev/null`);
  });

  after(() => {
    if (dir && fs.existsSync(`${dir}/data/postmaster.pid`)) asPostgres(`${bin}/pg_ctl -D ${dir}/data -m immediate stop >/dev/null`);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says "wrong password" in one line, at once', async () => {
    const r = await within(5000, connect({ url: `postgres://postgres:nope@127.0.0.1:${port}/postgres` }));
    assert.ok(r.error instanceof DbError, String(r.error));
    assert.strictEqual((r.error as Error).message, `Authentication failed for user "postgres" at 127.0.0.1:${port}/postgres: wrong password.`);
    assert.ok(r.elapsed < 3000);
  });

  it('says a password is needed when none is given', async () => {
    const r = await within(5000, connect({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, env: {} }));
    assert.ok(r.error instanceof DbError, String(r.error));
    assert.match((r.error as Error).message, /asks for a password/);
  });

  it('connects with the right one', async () => {
    const db = await connect({ url: `postgresql+asyncpg://postgres:right-password@127.0.0.1:${port}/postgres` });
    assert.strictEqual((await db.query<{ a: number }>('SELECT 1 AS a'))[0].a, 1);
    await db.close();
  });
});
