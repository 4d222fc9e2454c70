import { columnsData, columnsSubject, offendingColumnsByStatement, rawTypeName } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'prefer-text-field',
  category: 'schema',
  severity: 'info',
  summary: 'varchar(n) puts a business rule in the type: changing n later takes an ACCESS EXCLUSIVE lock (and rewrites when shrinking).',
  docs: {
    what: 'Finds migrations that declare `varchar(n)` / `character varying(n)` columns (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE); in Alembic, `sa.String(n)`. One finding per statement, naming all such columns.',
    why: 'In PostgreSQL, text and varchar are stored identically; the length is only a constraint. When the limit must change, ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock on the table (blocking every read and write), and shrinking it scans or rewrites the whole table. A CHECK constraint can be replaced with NOT VALID + VALIDATE without blocking.',
    instead: 'Use `text` with `CHECK (char_length(col) <= n)` when the limit matters; in Alembic, `sa.Text()` plus `sa.CheckConstraint(...)`. Plain `varchar` without a length is fine.',
  },
  examples: {
    bad: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100));\n' },
    good: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text CHECK (char_length(name) <= 100));\n' },
  },
  check(ctx) {
    const groups = offendingColumnsByStatement(ctx, (s) => {
      if (rawTypeName(s.col.type) !== 'varchar' || !s.col.type.typmods?.length) return undefined;
      return { n: s.col.type.typmods[0]?.A_Const?.ival?.ival ?? 'n' };
    });
    for (const g of groups) {
      const many = g.hits.length > 1;
      const types = g.hits.map((h) => `varchar(${h.info.n})`);
      const checks = g.hits.map((h) => `char_length(${h.site.col.column}) <= ${h.info.n}`);
      ctx.report({
        message: `${columnsSubject(g)} ${many ? `${types.join(', ')}: changing those limits` : `${types[0]}: changing that limit`} later takes an ACCESS EXCLUSIVE lock on "${g.table}" (every read and write waits), and shrinking ${many ? 'one' : 'it'} rewrites the table.`,
        help: g.alembic
          ? `Use sa.Text() with ${checks.map((c) => `sa.CheckConstraint("${c}")`).join(', ')} if the limit${many ? 's matter' : ' matters'}.`
          : `Use text with ${checks.map((c) => `CHECK (${c})`).join(', ')} if the limit${many ? 's matter' : ' matters'}.`,
        span: g.span,
        data: columnsData(g),
      });
    }
  },
});
