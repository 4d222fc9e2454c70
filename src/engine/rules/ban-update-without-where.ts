import { isNewTable } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-update-without-where',
  category: 'schema',
  severity: 'warning',
  summary: 'An UPDATE without WHERE in a migration rewrites every row in one transaction, locking all of them.',
  docs: {
    what: 'Finds `UPDATE` statements without a WHERE clause in migrations (SQL files and Alembic `op.execute(...)`) on tables that existed before the migration. pgready\'s own rule; Squawk has none.',
    why: 'A whole-table UPDATE writes a new version of every row and holds a row lock on each until the migration commits: every concurrent UPDATE or DELETE of any row waits, the table and its indexes double in size until vacuum catches up, and replicas fall behind on the WAL burst. On a large table this is minutes of blocked writes.',
    instead: 'Backfill in batches outside the schema migration (`UPDATE … WHERE id BETWEEN $1 AND $2`, committing each batch), or give the new column a constant DEFAULT (free since PostgreSQL 11). If every row really must change, add a WHERE that skips rows already right (`WHERE col IS DISTINCT FROM …`).',
  },
  examples: {
    bad: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, active boolean);\n',
      'migrations/002_backfill.sql': 'UPDATE users SET active = true;\n',
    },
    good: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, active boolean);\n',
      'migrations/002_backfill.sql': 'UPDATE users SET active = true WHERE active IS NULL AND id < 10000;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const u = st.ast?.UpdateStmt;
        if (!u || u.whereClause || u.withClause) continue;
        const table = String(u.relation?.relname ?? '').toLowerCase();
        if (!table || isNewTable(m, st, table)) continue;
        ctx.report({
          message: `UPDATE "${table}" without WHERE rewrites every row in one transaction: each row stays locked until the migration commits, so concurrent writes to "${table}" wait, and the table doubles in size until vacuum runs.`,
          help: st.op
            ? 'Backfill in batches outside upgrade() (or in a data migration that commits per batch), or use a constant server_default.'
            : 'Backfill in batches (UPDATE … WHERE id BETWEEN … AND …, one transaction each), or use a constant DEFAULT.',
          span: st.span,
          data: { table, migration: m.id },
        });
      }
    }
  },
});
