import * as assert from 'assert';
import { analyzeFiles, type DbClientConfig, type QuerySite } from '../../src/engine';
import { pythonParser } from '../../src/engine/sources/python/parser';
import { ready$ } from '../helpers';

// Facts from the Python raw SQL, client config and column-write extractors, and the sql-injection fix.

function facts(text: string, path = 'app/x.py') {
  return analyzeFiles([{ path, text }]).facts;
}

function rawSites(text: string): QuerySite[] {
  return facts(text).queries.filter((q) => q.sql);
}

const HEADER = 'from sqlalchemy import text\nfrom flask import request\n\nALLOWED = {"a": "x.a"}\n\n';

describe('python raw SQL facts', () => {
  before(ready$);

  const cases: [string, string, string, boolean[]][] = [
    ['f-string in text()', 'def f(s, status):\n    s.execute(text(f"SELECT * FROM jobs WHERE status = \'{status}\'"))\n', 'fstring', [false]],
    ['percent formatting', 'def f(cur):\n    cur.execute("SELECT * FROM users WHERE name = \'%s\'" % request.args["n"])\n', 'percent', [false]],
    ['.format()', 'def f(cur, x):\n    cur.execute("SELECT * FROM users WHERE id = {}".format(x))\n', 'format', [false]],
    ['concatenation through a variable', 'def f(s, sort):\n    q = "SELECT * FROM jobs ORDER BY " + sort\n    s.execute(text(q))\n', 'concat', [false]],
    ['+= building', 'def f(cur, st):\n    sql = "SELECT * FROM users WHERE 1=1"\n    sql += " AND status = \'" + st + "\'"\n    cur.execute(sql)\n', 'concat', [false]],
    ['constant literal', 'def f(cur, x):\n    cur.execute("SELECT * FROM users WHERE id = %s", (x,))\n', 'literal', []],
    ['allow-list lookup and int()', 'def f(s, sort, n):\n    o = ALLOWED.get(sort)\n    s.execute(text(f"SELECT * FROM jobs ORDER BY {o} LIMIT {int(n)}"))\n', 'fstring', [true, true]],
    ['validated by not-in + raise', 'def f(cur, d):\n    if d not in ("ASC", "DESC"):\n        raise ValueError(d)\n    cur.execute(f"SELECT * FROM users ORDER BY id {d}")\n', 'fstring', [true]],
    ['subscript of an allow-list', 'def f(cur, k):\n    cur.execute(f"SELECT {ALLOWED[k]} FROM users")\n', 'fstring', [true]],
  ];
  for (const [name, body, construction, safe] of cases) {
    it(name, () => {
      const [site] = rawSites(HEADER + body);
      assert.ok(site, 'no raw SQL site');
      assert.strictEqual(site.operation, 'raw');
      assert.strictEqual(site.sql!.construction, construction);
      assert.deepStrictEqual(site.sql!.interpolations.map((i) => i.safe), safe);
    });
  }

  it('marks bound parameters, orm and function name', () => {
    const sites = rawSites(
      HEADER +
        'async def f(session, conn, cur, x):\n' +
        '    await session.execute(text("SELECT * FROM jobs WHERE id = :id"), {"id": x})\n' +
        '    await conn.fetchrow("SELECT * FROM users WHERE id = $1", x)\n' +
        '    cur.execute("SELECT * FROM users WHERE id = %s", (x,))\n' +
        '    for i in range(3):\n' +
        '        cur.execute("SELECT * FROM users")\n',
    );
    assert.deepStrictEqual(sites.map((s) => [s.orm, s.sql!.parameterized, s.executes]), [
      ['sqlalchemy', true, true],
      ['asyncpg', true, true],
      ['dbapi', true, true],
      ['dbapi', false, true],
    ]);
    assert.strictEqual(sites[0].functionName, 'app.x.f');
    assert.strictEqual(sites[3].loop?.kind, 'for');
  });

  it('reads WHERE columns of raw SQL as predicates, with spans in the file', () => {
    const text = HEADER + 'def f(s, t):\n    s.execute(text("SELECT j.id FROM jobs j WHERE j.company_id = :c AND j.title ILIKE \'%x%\'"), {"c": t})\n';
    const [site] = rawSites(text);
    assert.deepStrictEqual(site.tables, ['jobs']);
    assert.deepStrictEqual(site.predicates.map((p) => [p.table, p.column, p.op]), [['jobs', 'company_id', 'eq'], ['jobs', 'title', 'ilike-contains']]);
    const p = site.predicates[0];
    assert.strictEqual(text.slice(p.span.start, p.span.end), 'company_id');
  });

  it('pushes SqlSites for constant statements only', () => {
    const f = facts(HEADER + 'def f(s, x):\n    s.execute(text("SELECT 1 FROM jobs"))\n    s.execute(text(f"SELECT 1 FROM jobs WHERE id = {x}"))\n');
    assert.deepStrictEqual(f.sqlSites.map((s) => s.sql), ['SELECT 1 FROM jobs']);
  });

  it('ignores non-SQL fetch/execute calls and ORM statements', () => {
    const sites = rawSites('from sqlalchemy import select, text\n\nasync def f(client, session):\n    await client.fetch("https://example.com")\n    await session.execute(select(User))\n    sa_default = text("now()")\n');
    assert.deepStrictEqual(sites, []);
  });
});

describe('python DB client facts', () => {
  before(ready$);
  const client = (code: string): DbClientConfig => {
    const f = facts(code);
    const c = f.clients.filter((x) => x.kind !== 'connect-listener');
    assert.strictEqual(c.length, 1, JSON.stringify(f.clients));
    return c[0];
  };

  it('create_async_engine with asyncpg server_settings', () => {
    const c = client('from sqlalchemy.ext.asyncio import create_async_engine\ne = create_async_engine("postgresql+asyncpg://a@h/d", pool_size=5, max_overflow=2, pool_pre_ping=True, connect_args={"server_settings": {"statement_timeout": "5000", "lock_timeout": "1000"}})\n');
    assert.deepStrictEqual(c.timeouts, { statement_timeout: '5000', lock_timeout: '1000' });
    assert.deepStrictEqual([c.poolSize, c.maxOverflow, c.poolPrePing, c.driver, c.settingsKnown], [5, 2, true, 'asyncpg', true]);
  });

  it('create_engine with libpq options', () => {
    const c = client('from sqlalchemy import create_engine\ne = create_engine(URL, connect_args={"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"})\n');
    assert.deepStrictEqual(c.timeouts, { statement_timeout: '5000', idle_in_transaction_session_timeout: '60000' });
  });

  it('no timeouts, and unknown settings behind **kwargs or a variable', () => {
    assert.deepStrictEqual(client('from sqlalchemy import create_engine\ne = create_engine(URL)\n').timeouts, {});
    assert.strictEqual(client('from sqlalchemy import create_engine\ne = create_engine(URL, **opts)\n').settingsKnown, false);
    assert.strictEqual(client('from sqlalchemy import create_engine\ne = create_engine(URL, connect_args=ARGS)\n').settingsKnown, false);
  });

  it('asyncpg pools, psycopg pools and connections', () => {
    assert.ok(client('import asyncpg\nasync def f():\n    return await asyncpg.create_pool(DSN, command_timeout=30)\n').timeouts.statement_timeout);
    assert.strictEqual(client('import asyncpg\nasync def f():\n    return await asyncpg.create_pool(DSN, server_settings={"statement_timeout": "5000"})\n').timeouts.statement_timeout, '5000');
    assert.strictEqual(client('from psycopg_pool import ConnectionPool\np = ConnectionPool("dbname=x", kwargs={"options": "-c statement_timeout=3s"})\n').timeouts.statement_timeout, '3s');
    assert.strictEqual(client('import psycopg\nc = psycopg.connect(DSN, options="-c statement_timeout=1s")\n').timeouts.statement_timeout, '1s');
  });

  it('Flask-SQLAlchemy engine options and connect listeners', () => {
    const c = client('class Config:\n    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "connect_args": {"options": "-c statement_timeout=5000"}}\n');
    assert.deepStrictEqual([c.kind, c.timeouts.statement_timeout, c.poolPrePing], ['flask-sqlalchemy-config', '5000', true]);
    const f = facts('from sqlalchemy import create_engine, event\nengine = create_engine(URL)\n\n@event.listens_for(engine, "connect")\ndef on_connect(conn, rec):\n    conn.cursor().execute("SET statement_timeout = 5000")\n');
    assert.deepStrictEqual(f.clients.map((x) => [x.kind, x.timeouts.statement_timeout]), [['create_engine', '5000'], ['connect-listener', '5000']]);
  });

  it('hard-coded credentials and password-hashing evidence', () => {
    const f = facts('from sqlalchemy import create_engine\nfrom passlib.context import CryptContext\npwd = CryptContext(schemes=["argon2"])\ne = create_engine("postgresql://app:s3cr3t@db.internal/prod")\nf = create_engine("postgresql://app:CHANGE_ME@db/prod")\ng = create_engine("postgresql://app:${DB_PASSWORD}@db/prod")\n');
    assert.deepStrictEqual(f.credentials.map((c) => c.span.line), [4]);
    assert.deepStrictEqual(f.evidence.map((e) => [e.kind, e.what]), [['password-hashing', 'argon2 (passlib CryptContext) in app/x.py']]);
  });
});

describe('python column writes and uniqueness assumptions', () => {
  before(ready$);

  it('hashed and generated values, through local variables', () => {
    const f = facts(
      'import secrets, hashlib\nfrom sqlalchemy import insert\n\ndef f(session, user: User, password):\n' +
        '    token = secrets.token_urlsafe(32)\n' +
        '    session.add(ApiToken(token=token, token_hash=hashlib.sha256(token.encode()).hexdigest()))\n' +
        '    user.password_hash = pwd_context.hash(password)\n' +
        '    session.execute(insert(Reset).values({"code": str(secrets.randbelow(999999))}))\n',
    );
    assert.deepStrictEqual(f.columnWrites.map((w) => [w.model, w.column, w.hashed, w.generatedSecret]), [
      ['ApiToken', 'token', false, true],
      ['ApiToken', 'token_hash', true, true],
      ['Reset', 'code', false, true],
      ['User', 'password_hash', true, false],
    ]);
  });

  it('check-then-insert and expects-one', () => {
    const f = facts(
      'from sqlalchemy import select\n\nasync def signup(session, name):\n' +
        '    existing = await session.execute(select(User).where(User.username == name))\n' +
        '    if existing.scalar_one_or_none() is not None:\n        raise ValueError()\n' +
        '    session.add(User(username=name))\n',
    );
    assert.deepStrictEqual(f.uniquenessAssumptions.map((u) => [u.kind, u.model, u.columns]).sort(), [
      ['check-then-insert', 'User', ['username']],
      ['expects-one', 'User', ['username']],
    ]);
  });

  it('no assumption when the insert writes other columns', () => {
    const f = facts('from sqlalchemy import select\n\nasync def f(session, name):\n    if await session.scalar(select(User).where(User.username == name)):\n        return\n    session.add(Audit(username=name))\n');
    assert.deepStrictEqual(f.uniquenessAssumptions, []);
  });
});

describe('sql-injection fix', () => {
  before(ready$);

  it('rewrites text(f"…") to a bound parameter; the result parses and the rule goes silent', () => {
    const text = 'from sqlalchemy import text\n\n\nasync def f(session, status: str):\n    result = await session.execute(text(f"SELECT id FROM jobs WHERE status = \'{status}\' AND kind = {kind.value}"))\n    return result.all()\n';
    const before = analyzeFiles([{ path: 'app/r.py', text }]).findings.filter((x) => x.rule === 'sql-injection' && !x.strength);
    assert.strictEqual(before.length, 1);
    const fix = before[0].fix!;
    assert.ok(fix, 'no fix');
    let fixed = text;
    for (const e of [...fix.edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, e.start) + e.newText + fixed.slice(e.end);
    assert.ok(fixed.includes('text("SELECT id FROM jobs WHERE status = :status AND kind = :value"), {"status": status, "value": kind.value})'), fixed);
    const tree = pythonParser().parse(fixed)!;
    assert.strictEqual(tree.rootNode.hasError, false);
    tree.delete();
    const after = analyzeFiles([{ path: 'app/r.py', text: fixed }]).findings.filter((x) => x.rule === 'sql-injection');
    assert.deepStrictEqual(after.map((x) => x.strength), [true]);
  });
});
