import { colLabel, columnSites, rawTypeName } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'prefer-text-field',
  category: 'schema',
  severity: 'info',
  summary: 'varchar(n) puts a business rule in the type: changing n later takes an ACCESS EXCLUSIVE lock (and rewrites when shrinking).',
  docs: {
    what: 'Finds migrations that declare `varchar(n)` / `character varying(n)` columns (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE); in Alembic, `sa.String(n)`.',
    why: 'In PostgreSQL, text and varchar are stored identically; the length is only a constraint. When the limit must change, ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock on the table (blocking every read and write), and shrinking it scans or rewrites the whole table. A CHECK constraint can be replaced with NOT VALID + VALIDATE without blocking.',
    instead: 'Use `text` with `CHECK (char_length(col) <= n)` when the limit matters; in Alembic, `sa.Text()` plus `sa.CheckConstraint(...)`. Plain `varchar` without a length is fine.',
  },
  examples: {
    bad: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100));\n' },
    good: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text CHECK (char_length(name) <= 100));\n' },
  },
  check(ctx) {
    for (const s of columnSites(ctx)) {
      if (rawTypeName(s.col.type) !== 'varchar' || !s.col.type.typmods?.length) continue;
      const n = s.col.type.typmods[0]?.A_Const?.ival?.ival;
      ctx.report({
        message: `${colLabel(s.col)} is varchar(${n ?? 'n'}): changing that limit later takes an ACCESS EXCLUSIVE lock on "${s.col.table}" (every read and write waits), and shrinking it rewrites the table.`,
        help: s.alembic
          ? `Use sa.Text() with sa.CheckConstraint("char_length(${s.col.column}) <= ${n ?? 'n'}") if the limit matters.`
          : `Use text with CHECK (char_length(${s.col.column}) <= ${n ?? 'n'}) if the limit matters.`,
        span: s.span,
        data: { table: s.col.table, column: s.col.column, migration: s.m.id },
      });
    }
  },
});
