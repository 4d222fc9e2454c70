import { isNewTable } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-delete-without-where',
  category: 'integrity',
  severity: 'warning',
  summary: 'A DELETE without WHERE in a migration removes every row of the table.',
  docs: {
    what: 'Finds `DELETE FROM t` without a WHERE clause in migrations (SQL files and Alembic `op.execute(...)`) on tables that existed before the migration. pgready\'s own rule; Squawk has none.',
    why: 'It deletes all production data in the table, usually by accident (a WHERE lost in an edit, a statement written for a test database). It also locks every row until the migration commits, and leaves the table full of dead tuples for vacuum.',
    instead: 'Add the WHERE that selects the rows to remove. If emptying the table is intended, say so with `TRUNCATE t;` (and review its foreign keys).',
  },
  examples: {
    bad: {
      'migrations/001_sessions.sql': 'CREATE TABLE sessions (id bigint PRIMARY KEY, expires_at timestamptz);\n',
      'migrations/002_cleanup.sql': 'DELETE FROM sessions;\n',
    },
    good: {
      'migrations/001_sessions.sql': 'CREATE TABLE sessions (id bigint PRIMARY KEY, expires_at timestamptz);\n',
      'migrations/002_cleanup.sql': "DELETE FROM sessions WHERE expires_at < now() - interval '30 days';\n",
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const d = st.ast?.DeleteStmt;
        if (!d || d.whereClause || d.withClause) continue;
        const table = String(d.relation?.relname ?? '').toLowerCase();
        if (!table || isNewTable(m, st, table)) continue;
        ctx.report({
          message: `DELETE FROM "${table}" has no WHERE: it removes every row of the table in production, holding a lock on each until the migration commits.`,
          help: 'Add the WHERE that selects the rows to delete; if emptying the table is intended, write TRUNCATE so the intent is explicit.',
          span: st.span,
          data: { table, migration: m.id },
        });
      }
    }
  },
});
