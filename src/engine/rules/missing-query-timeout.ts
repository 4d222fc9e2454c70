import type { DbClientConfig } from '../facts/config';
import { djangoHelp } from '../facts/dialect-help';
import { defineRule, type RuleContext } from '../rule';
import { resolveEnvUrl } from '../sources/prisma/index';
import { timeoutHelp } from '../sources/typescript/help';
import type { Fix } from '../types';

// A database engine/pool whose connections get no statement_timeout: one slow query (a missing index, a
// lock wait, a runaway report) holds its connection and its locks until someone kills it.

const LISTENER = 'connect-listener';
/** Flask-SQLAlchemy's SQLAlchemy() takes its engine options from config when the project sets them. */
const FLASK_CALL = 'flask-sqlalchemy';
const FLASK_CONFIG = 'flask-sqlalchemy-config';

export default defineRule({
  id: 'missing-query-timeout',
  category: 'performance',
  severity: 'warning',
  summary: 'A database engine or pool whose sessions run without statement_timeout, so a stuck query holds its connection and locks indefinitely.',
  docs: {
    what: 'Finds `create_engine`/`create_async_engine`, `asyncpg.create_pool`, psycopg pools and connections, and Flask-SQLAlchemy engine options that give their connections no `statement_timeout` (via libpq `options="-c statement_timeout=…"`, asyncpg `server_settings` or `command_timeout`, or a `connect` event listener running `SET statement_timeout`), and Django `DATABASES` entries without `"OPTIONS": {"options": "-c statement_timeout=…"}`. Also says whether `lock_timeout` and `idle_in_transaction_session_timeout` are missing. Stays silent when the settings are hidden in a variable or `**kwargs`, or set for the role or database in a migration.',
    why: 'PostgreSQL\'s default is no timeout. A query that suddenly scans a big table, waits behind a lock, or a transaction left open by a crashed request keeps its pooled connection busy; the pool (`pool_size` + `max_overflow`) drains, every request queues behind it and the service goes down while the database looks idle. An idle-in-transaction session also blocks VACUUM and holds row locks, and a DDL migration waiting on a lock queues every later query on that table.',
    instead: 'Set timeouts on every connection: asyncpg URLs `create_async_engine(url, connect_args={"server_settings": {"statement_timeout": "5000", "idle_in_transaction_session_timeout": "60000"}})`; psycopg `create_engine(url, connect_args={"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"})`. Raise it per transaction for known long jobs with `SET LOCAL statement_timeout`.',
  },
  examples: {
    bad: {
      'app/db.py':
        'from sqlalchemy.ext.asyncio import create_async_engine\n\nengine = create_async_engine("postgresql+asyncpg://app@db/shop", pool_size=10)\n',
    },
    good: {
      'app/db.py':
        'from sqlalchemy.ext.asyncio import create_async_engine\n\nengine = create_async_engine(\n    "postgresql+asyncpg://app@db/shop",\n    pool_size=10,\n    connect_args={"server_settings": {"statement_timeout": "5000", "idle_in_transaction_session_timeout": "60000"}},\n)\n',
    },
  },
  check(ctx) {
    const all = ctx.facts.clients.map((c) => resolveEnvUrl(c, ctx.facts.files.keys(), (f) => ctx.text(f)));
    const listenerSets = all.some((c) => c.kind === LISTENER && c.timeouts.statement_timeout);
    const hasFlaskConfig = all.some((c) => c.kind === FLASK_CONFIG);
    const clients = all.filter((c) => c.kind !== LISTENER && !(c.kind === FLASK_CALL && hasFlaskConfig));
    if (!clients.length) return;
    if (databaseLevelTimeout(ctx)) return;

    let unset = 0;
    for (const c of clients) {
      if (c.timeouts.statement_timeout || listenerSets) continue;
      if (!c.settingsKnown) continue;
      unset++;
      const missing = (['lock_timeout', 'idle_in_transaction_session_timeout'] as const).filter((k) => !c.timeouts[k]);
      const also = missing.length ? `; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set either` : '';
      const pool = c.poolSize !== undefined ? ` (pool_size=${c.poolSize}${c.maxOverflow !== undefined ? `, max_overflow=${c.maxOverflow}` : ''})` : '';
      ctx.report({
        message: `${label(c)}${pool} gives its connections no statement_timeout${also}: one stuck query or open transaction holds its connection and locks indefinitely, and the pool drains until every request waits.`,
        help: helpFor(c),
        span: c.span,
        fix: fixFor(ctx, c),
        key: `${c.kind}:${c.code}`,
        data: { kind: c.kind, driver: c.driver, missing: ['statement_timeout', ...missing] },
      });
    }
    const judged = clients.filter((c) => c.settingsKnown || c.timeouts.statement_timeout);
    if (!unset && judged.length && judged.every((c) => c.timeouts.statement_timeout || listenerSets)) {
      ctx.report({
        strength: true,
        message: judged.length === 1 ? 'The database engine sets statement_timeout on its connections.' : `All ${judged.length} database engines and pools set statement_timeout on their connections.`,
        help: 'Keep statement_timeout on every connection; raise it per transaction with SET LOCAL for known long jobs.',
        key: 'statement-timeout-set',
      });
    }
    const prePing = clients.filter((c) => c.poolPrePing === true);
    if (prePing.length) {
      const django = prePing[0].kind === 'django';
      ctx.report({
        strength: true,
        message: django
          ? 'CONN_HEALTH_CHECKS is on: persistent connections dropped by a failover, restart or idle timeout are replaced before a request uses them.'
          : 'pool_pre_ping is on: connections dropped by a failover, restart or idle timeout are replaced before a request uses them.',
        help: django ? 'Keep CONN_HEALTH_CHECKS = True on every DATABASES entry that sets CONN_MAX_AGE.' : 'Keep pool_pre_ping=True (or pool_recycle below the server/proxy idle timeout).',
        span: prePing[0].span,
        key: 'pool-pre-ping',
      });
    }
  },
});

function label(c: DbClientConfig): string {
  if (c.kind === FLASK_CONFIG) return 'SQLALCHEMY_ENGINE_OPTIONS';
  if (c.kind === FLASK_CALL) return 'Flask-SQLAlchemy (no SQLALCHEMY_ENGINE_OPTIONS)';
  if (c.kind === 'django') return c.code;
  return `${c.kind}(…)`;
}

function usesServerSettings(c: DbClientConfig): boolean {
  return c.driver === 'asyncpg' || c.kind.startsWith('asyncpg');
}

function helpFor(c: DbClientConfig): string {
  const js = timeoutHelp(c);
  if (js) return js;
  if (c.kind === 'django') return djangoHelp.timeout;
  if (c.kind.startsWith('asyncpg')) return 'Pass `server_settings={"statement_timeout": "5000", "idle_in_transaction_session_timeout": "60000"}` (and `command_timeout=` as a client-side backstop) to the pool.';
  if (c.kind === 'psycopg_pool') return 'Pass `kwargs={"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"}` to the pool.';
  if (c.kind.endsWith('.connect')) return 'Pass `options="-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"` to connect().';
  if (c.kind === FLASK_CONFIG || c.kind === FLASK_CALL) return 'Set `SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "connect_args": {"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"}}`.';
  if (usesServerSettings(c)) return 'Add `connect_args={"server_settings": {"statement_timeout": "5000", "idle_in_transaction_session_timeout": "60000"}}` (asyncpg URL) to the engine.';
  return 'Add `connect_args={"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"}` (psycopg URL) to the engine.';
}

/** Inserts the connect_args kwarg into create_engine/create_async_engine when it has none yet. */
function fixFor(ctx: RuleContext, c: DbClientConfig): Fix | undefined {
  if (c.kind !== 'create_engine' && c.kind !== 'create_async_engine') return undefined;
  if (c.settingsSpan) return undefined;
  const text = ctx.text(c.span.file);
  if (!text) return undefined;
  const call = text.slice(c.span.start, c.span.end);
  if (!call.endsWith(')') || /connect_args\s*=/.test(call)) return undefined;
  const arg = usesServerSettings(c)
    ? 'connect_args={"server_settings": {"statement_timeout": "5000", "idle_in_transaction_session_timeout": "60000"}}'
    : 'connect_args={"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"}';
  const close = c.span.end - 1;
  let i = close - 1;
  while (i > c.span.start && /\s/.test(text[i])) i--;
  const multiline = text.slice(i + 1, close).includes('\n');
  let edit: { start: number; end: number; newText: string };
  if (multiline) {
    // The argument list is one per line: add a line in the same style, before the closing parenthesis.
    const lineStart = text.lastIndexOf('\n', i) + 1;
    const indent = /^\s*/.exec(text.slice(lineStart))![0];
    const comma = text[i] === ',' ? '' : ',';
    edit = { start: i + 1, end: i + 1, newText: `${comma}\n${indent}${arg},` };
  } else {
    const empty = text[i] === '(';
    edit = { start: i + 1, end: i + 1, newText: empty ? arg : text[i] === ',' ? ` ${arg}` : `, ${arg}` };
  }
  return { title: 'Set statement_timeout on the engine\'s connections', edits: [{ file: c.span.file, ...edit }] };
}

/** `ALTER ROLE … SET statement_timeout` / `ALTER DATABASE … SET statement_timeout` in a migration or raw SQL. */
function databaseLevelTimeout(ctx: RuleContext): boolean {
  const re = /\bALTER\s+(ROLE|USER|DATABASE)\b[\s\S]*\bSET\s+statement_timeout\b/i;
  for (const m of ctx.facts.migrations) for (const st of m.upgrade) if (re.test(st.sql)) return true;
  for (const q of ctx.facts.queries) if (q.sql?.text && re.test(q.sql.text)) return true;
  for (const s of ctx.facts.sqlSites) if (re.test(s.sql)) return true;
  return false;
}
