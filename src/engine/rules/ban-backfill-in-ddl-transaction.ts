import { isNewTable } from '../facts/migration-helpers';
import { locksOf, transactionsOf } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

type Node = Record<string, any>;

/** The table a data-changing statement writes to many rows of: UPDATE, INSERT … SELECT, DELETE. */
function backfillTarget(st: { ast?: Node }): { table: string; kind: string } | undefined {
  const a = st.ast ?? {};
  if (a.UpdateStmt) return { table: String(a.UpdateStmt.relation?.relname ?? '').toLowerCase(), kind: 'UPDATE' };
  if (a.InsertStmt?.selectStmt?.SelectStmt && !a.InsertStmt.selectStmt.SelectStmt.valuesLists) {
    return { table: String(a.InsertStmt.relation?.relname ?? '').toLowerCase(), kind: 'INSERT … SELECT' };
  }
  if (a.DeleteStmt) return { table: String(a.DeleteStmt.relation?.relname ?? '').toLowerCase(), kind: 'DELETE' };
  return undefined;
}

export default defineRule({
  id: 'ban-backfill-in-ddl-transaction',
  category: 'schema',
  severity: 'warning',
  summary: 'A data backfill in the same transaction as an ACCESS EXCLUSIVE schema change keeps the table locked for the whole backfill.',
  docs: {
    what: 'Finds an UPDATE, INSERT … SELECT or DELETE in the same migration transaction as a schema change that took an ACCESS EXCLUSIVE lock on the same existing table (ALTER TABLE, rename…), in SQL files and Alembic (`op.add_column` then `op.execute("UPDATE …")`). pgready\'s own rule.',
    why: 'The ACCESS EXCLUSIVE lock from the DDL is held until the transaction commits, so the table stays blocked for reads and writes while the backfill visits every row: a millisecond ADD COLUMN becomes minutes of outage. In the other order, the backfill\'s row locks are held while the DDL waits for its lock.',
    instead: 'Commit the schema change first, then backfill in batches in separate transactions (a later migration, or Alembic `autocommit_block()`), then add constraints such as NOT NULL.',
  },
  examples: {
    bad: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'migrations/002_display.sql': 'ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = name WHERE display_name IS NULL;\n',
    },
    good: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'migrations/002_display.sql': 'ALTER TABLE users ADD COLUMN display_name text;\n',
      'migrations/003_backfill.sql': 'UPDATE users SET display_name = name WHERE display_name IS NULL;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const tx of transactionsOf(m)) {
        const ddl = new Map<string, (typeof tx)[number]>();
        for (const st of tx) for (const l of locksOf(st)) if (l.mode === 'ACCESS EXCLUSIVE' && !ddl.has(l.table) && !isNewTable(m, st, l.table)) ddl.set(l.table, st);
        if (!ddl.size) continue;
        for (const st of tx) {
          const b = backfillTarget(st);
          const lockSt = b && ddl.get(b.table);
          if (!b || !lockSt || isNewTable(m, st, b.table)) continue;
          if (locksOf(lockSt).some((l) => l.what === 'TRUNCATE' || l.what === 'DROP TABLE')) continue;
          const after = tx.indexOf(lockSt) < tx.indexOf(st);
          ctx.report({
            message: after
              ? `This ${b.kind} backfills "${b.table}" in the same transaction as a schema change that holds an ACCESS EXCLUSIVE lock on it: every read and write on "${b.table}" waits until the whole backfill commits.`
              : `This ${b.kind} backfills "${b.table}" in the same transaction as a later schema change that needs an ACCESS EXCLUSIVE lock on it: the backfill's row locks are held while that lock is awaited, and then the table is blocked until commit.`,
            help: st.op
              ? 'Commit the schema change first: move the backfill into its own migration (or an autocommit_block()), in batches.'
              : 'Commit the schema change first: move the backfill into a migration of its own, in batches.',
            span: st.span,
            related: [{ span: lockSt.span, message: `ACCESS EXCLUSIVE lock on "${b.table}"` }],
            data: { table: b.table, migration: m.id },
          });
        }
      }
    }
  },
});
