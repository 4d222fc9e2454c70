import { dialectHelp } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-drop-database',
  // Data Integrity: everything in the database is destroyed; an error because nothing about it is recoverable.
  category: 'integrity',
  severity: 'error',
  summary: 'DROP DATABASE in a migration destroys every table and row in that database.',
  docs: {
    what: 'Finds `DROP DATABASE` in a migration (a SQL file, or Alembic `op.execute(...)`).',
    why: 'A migration runs against every environment it is deployed to, production included: DROP DATABASE there deletes every table, row and index of that database, and no downgrade brings it back. It is almost always a development script that slipped into the migrations folder.',
    instead: 'Remove it from the migration. Drop databases by hand, with a backup, outside the migration history.',
  },
  examples: {
    bad: { 'migrations/V1__reset.sql': 'DROP DATABASE shop;\n' },
    good: { 'migrations/V1__init.sql': 'CREATE TABLE shop_items (id bigint PRIMARY KEY);\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const d = st.ast?.DropdbStmt;
        if (!d) continue;
        const db = String(d.dbname ?? '');
        ctx.report({
          message: `DROP DATABASE "${db}" in a migration deletes every table and row of "${db}" wherever the migration runs, production included, with no way back.`,
          help: dialectHelp(m, st, {
            sql: 'Remove the statement from the migration; drop databases by hand, after a backup.',
            alembic: 'Remove the op.execute(...) from the migration; drop databases by hand, after a backup.',
          }),
          span: st.span,
          data: { database: db, migration: m.id },
        });
      }
    }
  },
});
