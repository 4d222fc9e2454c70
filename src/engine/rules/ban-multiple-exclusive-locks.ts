import { blockingLocks, transactionsOf } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-multiple-exclusive-locks',
  category: 'schema',
  severity: 'warning',
  summary: 'One transaction taking ACCESS EXCLUSIVE locks on several existing tables holds the first while waiting for the next: long stalls and deadlocks.',
  docs: {
    what: 'Finds a migration transaction that takes ACCESS EXCLUSIVE locks on two or more tables that existed before the migration (ALTER TABLE, DROP, TRUNCATE, rename, REFRESH, VACUUM FULL…). Reported at the statement that locks the second table. pgready\'s own rule.',
    why: 'Locks are held until the transaction commits. While the migration waits for the second table, the first one is already locked against every read and write, so the stall spreads to both; and application transactions that touch the tables in the other order deadlock with it (one side is killed after deadlock_timeout).',
    instead: 'Change one table per transaction: split the migration (one migration per table, or Alembic `autocommit_block()` sections), and set a short lock_timeout so a blocked step fails fast and can be retried.',
  },
  examples: {
    bad: {
      'migrations/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY);\n',
      'migrations/002_notes.sql': 'ALTER TABLE users ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN note text;\n',
    },
    good: {
      'migrations/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY);\n',
      'migrations/002_users_note.sql': 'ALTER TABLE users ADD COLUMN note text;\n',
      'migrations/003_orders_note.sql': 'ALTER TABLE orders ADD COLUMN note text;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const tx of transactionsOf(m)) {
        const locked = new Map<string, (typeof tx)[number]>();
        for (const st of tx) {
          for (const l of blockingLocks(m, st)) {
            if (l.mode !== 'ACCESS EXCLUSIVE' || l.viaIndex || locked.has(l.table)) continue;
            if (locked.size >= 1) {
              const [firstTable, firstSt] = [...locked.entries()][0];
              ctx.report({
                message: `This transaction already holds an ACCESS EXCLUSIVE lock on "${firstTable}" and now takes one on "${l.table}": while it waits for "${l.table}", every read and write on "${firstTable}" is blocked too, and transactions that lock them in the other order deadlock with it.`,
                help: st.op ? 'Change one table per transaction: split the migration, or give each table its own autocommit_block() section.' : 'Change one table per transaction: move the second table\'s changes into a migration of their own.',
                span: st.span,
                related: [{ span: firstSt.span, message: `ACCESS EXCLUSIVE lock on "${firstTable}" taken here` }],
                data: { tables: [...locked.keys(), l.table], migration: m.id },
              });
            }
            locked.set(l.table, st);
          }
        }
      }
    }
  },
});
