import type { DbClientConfig } from '../facts/config';
import { defineRule, type RuleContext } from '../rule';
import type { Fix } from '../types';

// A pool that keeps connections open between requests but never checks them: after a failover, a server
// restart or an idle-connection kill (PgBouncer/cloud load-balancer idle timeouts, idle_session_timeout,
// pg_terminate_backend) the pooled connections are dead while the pool still hands them out.
// - SQLAlchemy (create_engine / create_async_engine / Flask-SQLAlchemy) without pool_pre_ping: the first
//   request on each stale connection fails. Silent for NullPool (nothing is kept) and sqlite URLs (not extracted).
// - Django with CONN_MAX_AGE > 0 or None and no CONN_HEALTH_CHECKS: same failure, one request per worker.
// - node-postgres Pool without an 'error' listener: an idle client's error is emitted on the pool and, with
//   nobody listening, is an uncaught exception that ends the process.
// Knex, TypeORM and Sequelize attach their own error handling to the pg connections; Prisma reconnects.

const SQLALCHEMY = new Set(['create_engine', 'create_async_engine']);
const FLASK_CALL = 'flask-sqlalchemy';
const FLASK_CONFIG = 'flask-sqlalchemy-config';
const JS = /\.(c|m)?(j|t)sx?$/;
const LISTEN = '(?:on|once|addListener|prependListener)\\s*\\(\\s*[\'"`]error[\'"`]';
/**
 * Engines in tests, one-shot scripts and migration environments (alembic/env.py) are not the long-lived
 * production pool: their connections are opened fresh and never sit idle long enough to go stale.
 */
const NOT_SERVING = /(^|\/)(tests?|__tests__|spec|scripts?|alembic|migrations)\/|(^|\/)(conftest\.py|test_[^/]*\.py|[^/]*_test\.py|[^/]*\.(test|spec)\.[cm]?[jt]sx?)$/;

export default defineRule({
  id: 'missing-pool-health-check',
  category: 'backup',
  severity: 'warning',
  summary: 'A connection pool that never checks its idle connections, so a failover, restart or idle-connection kill breaks requests (or, for node-postgres, crashes the process).',
  docs: {
    what: 'Finds SQLAlchemy `create_engine`/`create_async_engine` calls and Flask-SQLAlchemy engine options without `pool_pre_ping=True` (silent with `poolclass=NullPool`), Django `DATABASES` entries with persistent connections (`CONN_MAX_AGE` > 0 or `None`) but no `CONN_HEALTH_CHECKS = True`, and node-postgres `new Pool(…)` with no `\'error\'` listener on the pool. Knex, TypeORM, Sequelize and Prisma handle dropped connections themselves and are not reported.',
    why: 'A pooled connection can die while it sits idle: a primary failover, a PostgreSQL restart or upgrade, PgBouncer or a cloud load balancer closing idle connections, `idle_session_timeout`, `pg_terminate_backend`. The pool does not notice and hands the dead connection to the next request, which fails with "server closed the connection unexpectedly" / "connection already closed" — one failed request per stale connection, every time. node-postgres is worse: the idle client\'s error is emitted on the Pool, and an `\'error\'` event nobody listens to is an uncaught exception that kills the Node process.',
    instead: 'SQLAlchemy: `create_engine(url, pool_pre_ping=True)` (a cheap ping on checkout; dead connections are replaced transparently), plus `pool_recycle=` below any proxy idle timeout. Django 4.1+: `"CONN_HEALTH_CHECKS": True` next to `CONN_MAX_AGE`. node-postgres: `pool.on(\'error\', (err) => logger.error(err))` right after `new Pool(…)`; the pool discards the broken client and opens a new one on the next query.',
  },
  examples: {
    bad: {
      'app/db.py': 'from sqlalchemy import create_engine\n\nengine = create_engine("postgresql+psycopg://app@db/shop", pool_size=10)\n',
    },
    good: {
      'app/db.py': 'from sqlalchemy import create_engine\n\nengine = create_engine("postgresql+psycopg://app@db/shop", pool_size=10, pool_pre_ping=True)\n',
    },
  },
  check(ctx) {
    const clients = ctx.facts.clients.filter((c) => !NOT_SERVING.test(c.span.file));
    const hasFlaskConfig = clients.some((c) => c.kind === FLASK_CONFIG);
    for (const c of clients) {
      if (SQLALCHEMY.has(c.kind) || c.kind === FLASK_CONFIG || (c.kind === FLASK_CALL && !hasFlaskConfig)) sqlalchemy(ctx, c);
      else if (c.kind === 'django') django(ctx, c);
      else if (c.kind === 'pg.Pool') nodePostgres(ctx, c);
    }
  },
});

function sqlalchemy(ctx: RuleContext, c: DbClientConfig): void {
  if (c.poolPrePing === true) return;
  if (c.poolClass && /NullPool\b/.test(c.poolClass)) return;
  const own = ctx.text(c.span.file)?.slice(c.span.start, c.span.end) ?? '';
  if (c.poolPrePing === undefined) {
    // pool_pre_ping from a variable, or options we cannot see (**kwargs, an unresolved options dict).
    if (/\bpool_pre_ping\b/.test(own)) return;
    if (SQLALCHEMY.has(c.kind) ? own.includes('**') : !c.settingsKnown) return;
  }
  const what =
    c.kind === FLASK_CONFIG ? 'SQLALCHEMY_ENGINE_OPTIONS' : c.kind === FLASK_CALL ? 'Flask-SQLAlchemy (no SQLALCHEMY_ENGINE_OPTIONS)' : `${c.kind}(…)`;
  const set = c.poolPrePing === false ? 'sets pool_pre_ping=False' : 'has no pool_pre_ping';
  const recycle = c.poolRecycle !== undefined ? `; pool_recycle=${c.poolRecycle} only retires connections by age, not ones the server or a proxy already dropped` : '';
  ctx.report({
    message: `${what} ${set}: after a failover, a server restart or an idle-connection kill (PgBouncer, a cloud load balancer, idle_session_timeout) the pool hands out dead connections, and the first request on each one fails with "server closed the connection unexpectedly"${recycle}.`,
    help:
      c.kind === FLASK_CONFIG || c.kind === FLASK_CALL
        ? 'Set `SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}` (merged into any options you already pass): the pool pings each connection on checkout and replaces dead ones transparently.'
        : `Pass \`pool_pre_ping=True\` to ${c.kind}(): the pool pings each connection on checkout and replaces dead ones transparently. Keep \`pool_recycle=\` below any proxy idle timeout as well.`,
    span: c.span,
    fix: SQLALCHEMY.has(c.kind) ? prePingFix(ctx, c) : undefined,
    key: `${c.kind}:${c.code}`,
    data: { kind: c.kind, poolPrePing: c.poolPrePing ?? null },
  });
}

/** Adds `pool_pre_ping=True` to the create_engine call (or turns an explicit False into True). */
function prePingFix(ctx: RuleContext, c: DbClientConfig): Fix | undefined {
  const text = ctx.text(c.span.file);
  if (!text) return undefined;
  const call = text.slice(c.span.start, c.span.end);
  const title = 'Ping pooled connections before use (pool_pre_ping=True)';
  if (c.poolPrePing === false) {
    const m = /\bpool_pre_ping\s*=\s*False\b/.exec(call);
    if (!m) return undefined;
    const start = c.span.start + m.index;
    return { title, edits: [{ file: c.span.file, start, end: start + m[0].length, newText: 'pool_pre_ping=True' }] };
  }
  if (!call.endsWith(')') || /\bpool_pre_ping\b/.test(call)) return undefined;
  const close = c.span.end - 1;
  let i = close - 1;
  while (i > c.span.start && /\s/.test(text[i])) i--;
  const arg = 'pool_pre_ping=True';
  let edit: { start: number; end: number; newText: string };
  if (text.slice(i + 1, close).includes('\n')) {
    // One argument per line: add a line in the same style before the closing parenthesis.
    const lineStart = text.lastIndexOf('\n', i) + 1;
    const indent = /^\s*/.exec(text.slice(lineStart))![0];
    edit = { start: i + 1, end: i + 1, newText: `${text[i] === ',' ? '' : ','}\n${indent}${arg},` };
  } else {
    edit = { start: i + 1, end: i + 1, newText: text[i] === '(' ? arg : text[i] === ',' ? ` ${arg}` : `, ${arg}` };
  }
  return { title, edits: [{ file: c.span.file, ...edit }] };
}

/** CONN_MAX_AGE = None (unlimited) or a positive literal keeps connections between requests. */
function persistent(age: string | undefined): boolean {
  if (age === undefined) return false;
  if (age === 'None') return true;
  return /^\d[\d_]*$/.test(age) && Number(age.replace(/_/g, '')) > 0;
}

/**
 * CONN_HEALTH_CHECKS set to something other than a literal False where the settings extraction cannot
 * judge it: a value from the environment in the entry itself, or another settings module of a split
 * configuration (`DATABASES["default"]["CONN_HEALTH_CHECKS"] = True` in production.py).
 */
function healthChecksUnseen(ctx: RuleContext, c: DbClientConfig): boolean {
  const re = /\bCONN_HEALTH_CHECKS\b['"]?\s*\]?\s*[:=]\s*(?!False\b)|\bconn_health_checks\s*=\s*(?!False\b)/i;
  if (re.test(ctx.text(c.span.file)?.slice(c.span.start, c.span.end) ?? '')) return true;
  for (const f of ctx.facts.files.keys()) if (f !== c.span.file && f.endsWith('.py') && re.test(ctx.text(f) ?? '')) return true;
  return false;
}

function django(ctx: RuleContext, c: DbClientConfig): void {
  if (!persistent(c.connMaxAge) || c.poolPrePing === true) return;
  if (c.poolPrePing === undefined && healthChecksUnseen(ctx, c)) return;
  const alias = /^DATABASES\["[^"]*"\]/.exec(c.code)?.[0] ?? 'DATABASES entry';
  const age = c.connMaxAge === 'None' ? 'CONN_MAX_AGE=None, kept forever' : `CONN_MAX_AGE=${c.connMaxAge}`;
  const set = c.poolPrePing === false ? 'with CONN_HEALTH_CHECKS = False' : 'without CONN_HEALTH_CHECKS';
  ctx.report({
    message: `${alias} keeps connections open between requests (${age}) ${set}: after a failover, a server restart or an idle-connection kill (PgBouncer, a cloud load balancer, idle_session_timeout) the first request each worker serves on its dead connection fails with InterfaceError/OperationalError ("connection already closed").`,
    help: 'Add `"CONN_HEALTH_CHECKS": True` (Django 4.1+) to the DATABASES entry: Django then checks a reused connection before the request\'s first query and reconnects if it is gone. On older Django, set CONN_MAX_AGE = 0.',
    span: c.connMaxAgeSpan ?? c.span,
    fix: c.poolPrePing === undefined ? healthChecksFix(ctx, c) : undefined,
    key: `django:${alias}`,
    data: { kind: 'django', connMaxAge: c.connMaxAge },
  });
}

/** Adds CONN_HEALTH_CHECKS next to CONN_MAX_AGE, in the form CONN_MAX_AGE is written in. */
function healthChecksFix(ctx: RuleContext, c: DbClientConfig): Fix | undefined {
  const s = c.connMaxAgeSpan;
  const text = s && ctx.text(s.file);
  if (!s || !text) return undefined;
  const held = text.slice(s.start, s.end);
  const title = 'Check persistent connections before reuse (CONN_HEALTH_CHECKS)';
  const at = (pos: number, newText: string): Fix => ({ title, edits: [{ file: s.file, start: pos, end: pos, newText }] });
  const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const sub = /^(.*)CONN_MAX_AGE(['"]\s*\])\s*=/.exec(held);
  if (sub) return at(s.end, `\n${indent}${sub[1]}CONN_HEALTH_CHECKS${sub[2]} = True`);
  if (/^conn_max_age\s*=/.test(held)) return at(s.end, ', conn_health_checks=True');
  const q = /^(['"])CONN_MAX_AGE\1/.exec(held)?.[1];
  if (!q) return undefined;
  const entry = `${q}CONN_HEALTH_CHECKS${q}: True`;
  const after = /^\s*,?/.exec(text.slice(s.end))![0];
  const ownLine = text.slice(lineStart, s.start).trim() === '';
  if (!ownLine) return at(s.end, `, ${entry}`);
  if (after.includes(',')) return at(s.end + after.indexOf(',') + 1, `\n${indent}${entry},`);
  return at(s.end, `,\n${indent}${entry},`);
}

/** An `.on('error', …)` on the pool's name in another JS/TS file (`import { pool } from './db'`). */
function listenedElsewhere(ctx: RuleContext, c: DbClientConfig): boolean {
  const name = c.binding?.split('.').pop();
  const receiver = name ? `\\b${name.replace(/\$/g, '\\$')}` : '(?:\\$client|[Pp]ool)';
  const re = new RegExp(`${receiver}\\s*\\.\\s*${LISTEN}`);
  for (const f of ctx.facts.files.keys()) if (f !== c.span.file && JS.test(f) && re.test(ctx.text(f) ?? '')) return true;
  return false;
}

function nodePostgres(ctx: RuleContext, c: DbClientConfig): void {
  if (c.errorListener !== false || listenedElsewhere(ctx, c)) return;
  const name = c.binding ? ` \`${c.binding}\`` : '';
  const recv = c.binding && /^[A-Za-z_$][\w$]*$/.test(c.binding) ? c.binding : 'pool';
  ctx.report({
    message: `The node-postgres Pool${name} has no 'error' listener: when the database fails over, restarts or drops an idle connection (pg_terminate_backend, an idle timeout), the idle client's error is emitted on the pool and, unhandled, crashes the Node process.`,
    help: `Listen for it right after creating the pool: \`${recv}.on('error', (err) => console.error('idle PostgreSQL client error', err))\`. The pool discards the broken client and opens a new one on the next query.`,
    span: c.span,
    fix: listenerFix(ctx, c),
    key: `pg.Pool:${c.code}`,
    data: { kind: c.kind, binding: c.binding ?? null },
  });
}

/** Inserts `pool.on('error', …)` on the line after `const pool = new Pool(…);` when the declaration ends its line. */
function listenerFix(ctx: RuleContext, c: DbClientConfig): Fix | undefined {
  if (!c.binding || !/^[A-Za-z_$][\w$]*$/.test(c.binding)) return undefined;
  const text = ctx.text(c.span.file);
  if (!text) return undefined;
  const eol = text.indexOf('\n', c.span.end);
  const end = eol < 0 ? text.length : eol;
  if (!/^\s*;?\s*(\/\/.*)?$/.test(text.slice(c.span.end, end))) return undefined;
  const lineStart = text.lastIndexOf('\n', c.span.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const semi = /;\s*(\/\/.*)?$/.test(text.slice(c.span.end, end)) ? ';' : '';
  const newText = `\n${indent}${c.binding}.on('error', (err) => console.error('idle PostgreSQL client error', err))${semi}`;
  return { title: "Handle idle-client errors on the pool (pool.on('error'))", edits: [{ file: c.span.file, start: end, end, newText }] };
}
