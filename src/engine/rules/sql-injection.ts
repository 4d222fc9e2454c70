import type { QuerySite } from '../facts/queries';
import { defineRule } from '../rule';
import { djangoHelp } from '../facts/dialect-help';
import { bindHelp as jsBindHelp } from '../sources/typescript/help';
import type { Fix } from '../types';

// Raw SQL whose text is built from values that are not constants: an f-string, `%` formatting, .format() or
// `+` pasting a parameter or request value into the statement. Allow-listed and numeric values are fine.

const BUILT = new Set(['fstring', 'percent', 'format', 'concat']);
const HOW: Record<string, string> = {
  fstring: 'an f-string',
  percent: '`%` formatting',
  format: '`.format()`',
  concat: 'string concatenation',
};

export default defineRule({
  id: 'sql-injection',
  category: 'security',
  severity: 'error',
  summary: 'Raw SQL built by pasting request or parameter values into the text (f-string, %, .format, +) instead of binding them.',
  docs: {
    what: 'Finds raw SQL (SQLAlchemy `text()`, `exec_driver_sql`, DB-API `cursor.execute`, asyncpg `fetch`/`execute`) whose text is built with an f-string, `%` formatting, `.format()` or `+`, where at least one pasted value is not a constant, a number cast with `int()`, or a value looked up in or checked against a constant allow-list. Values passed separately as bound parameters are never flagged.',
    why: 'A value pasted into SQL text is parsed as SQL: `status = "x\' OR 1=1 --"` turns a filter into a full-table read, and with stacked statements into writes or `DROP TABLE`. Escaping by hand is easy to get wrong; bound parameters are sent separately from the statement and are never parsed as SQL. Pasted values also defeat prepared-statement and plan caching, and pg_stat_statements sees one query per distinct value.',
    instead: 'Bind the values: `session.execute(text("SELECT … WHERE status = :status"), {"status": status})`, `cursor.execute("… WHERE id = %s", (id,))`, `conn.fetch("… WHERE id = $1", id)`. For identifiers (a sort column, a table name) map user input through a constant dict (`SORTS[sort]`) or use psycopg `sql.Identifier`.',
  },
  examples: {
    bad: {
      'app/reports.py':
        'from sqlalchemy import text\n\n\nasync def jobs_by_status(session, status: str):\n    result = await session.execute(text(f"SELECT id, title FROM jobs WHERE status = \'{status}\'"))\n    return result.all()\n',
    },
    good: {
      'app/reports.py':
        'from sqlalchemy import text\n\n\nasync def jobs_by_status(session, status: str):\n    result = await session.execute(text("SELECT id, title FROM jobs WHERE status = :status"), {"status": status})\n    return result.all()\n',
    },
  },
  check(ctx) {
    const raw = ctx.facts.queries.filter((q): q is QuerySite & { sql: NonNullable<QuerySite['sql']> } => !!q.sql);
    const seen = new Set<string>();
    let unsafe = 0;
    for (const q of raw) {
      const sql = q.sql;
      if (!BUILT.has(sql.construction)) continue;
      const bad = sql.interpolations.filter((i) => !i.safe);
      if (!bad.length) continue;
      unsafe++;
      const key = `${sql.span.file}:${sql.span.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const first = bad[0];
      const tables = q.tables.length ? ` on "${q.tables.join('", "')}"` : '';
      const values = bad.map((b) => `\`${b.expr}\``).join(', ');
      const bind = bindHelp(q);
      ctx.report({
        message: `Raw SQL${tables} is built with ${HOW[sql.construction]} from ${values} (${first.reason}): a crafted value is executed as SQL, so a caller can read or change any row.`,
        help: bind,
        span: sql.span,
        fix: fixFor(sql),
        related: bad.slice(0, 5).map((b) => ({ span: b.span, message: `\`${b.expr}\` ${b.reason}` })),
        data: { construction: sql.construction, unsafe: bad.map((b) => b.expr), tables: q.tables },
      });
    }
    // Statements in .sql files are SQL already; the strength is about SQL built in application code.
    const executed = raw.filter((q) => q.operation === 'raw' && q.orm !== 'sql' && (q.executes || q.sql.construction !== 'literal'));
    if (executed.length && !unsafe) {
      const n = new Set(executed.map((q) => `${q.sql.span.file}:${q.sql.span.start}`)).size;
      ctx.report({
        strength: true,
        message: n === 1 ? 'The raw SQL statement uses bound parameters or constants only.' : `All ${n} raw SQL statements use bound parameters or constants only.`,
        help: 'Keep binding values (`:name`, `%s`, `$1`) instead of formatting them into SQL text.',
        key: 'all-raw-sql-bound',
      });
    }
  },
});

function bindHelp(q: QuerySite): string {
  const js = jsBindHelp(q.orm);
  if (js) return js;
  switch (q.orm) {
    case 'django':
      return djangoHelp.bind;
    case 'asyncpg':
      return 'Pass the values as arguments: `await conn.fetch("… WHERE status = $1", status)`; map identifiers (sort columns) through a constant dict.';
    case 'dbapi':
      return 'Pass the values as parameters: `cursor.execute("… WHERE status = %s", (status,))`; for identifiers use psycopg `sql.Identifier` or a constant dict.';
    default:
      return 'Bind the values: `session.execute(text("… WHERE status = :status"), {"status": status})`; map identifiers (sort columns, directions) through a constant dict such as `SORTS[sort]`.';
  }
}

function fixFor(sql: NonNullable<QuerySite['sql']>): Fix | undefined {
  const r = sql.boundRewrite;
  if (!r) return undefined;
  const params = Object.entries(r.params).map(([k, v]) => `"${k}": ${v}`).join(', ');
  return {
    title: 'Bind the values as parameters',
    edits: [
      { file: sql.span.file, start: sql.span.start, end: sql.span.end, newText: r.literal },
      { file: sql.span.file, start: r.paramsAt, end: r.paramsAt, newText: `, {${params}}` },
    ],
  };
}
