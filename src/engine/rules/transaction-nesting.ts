import { isBegin, isEnd, toolWraps } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'transaction-nesting',
  category: 'schema',
  severity: 'warning',
  summary: 'BEGIN/COMMIT inside a migration the tool already runs in a transaction breaks its all-or-nothing guarantee.',
  docs: {
    what: 'Finds BEGIN, COMMIT or ROLLBACK in a migration that its tool already wraps in a transaction (Alembic, Flyway, Drizzle, dbmate and plain migration folders), and a BEGIN inside an explicit BEGIN block in any SQL migration (golang-migrate, Prisma included).',
    why: 'Inside a transaction, BEGIN only warns ("there is already a transaction in progress"), but the COMMIT that follows commits the tool\'s transaction half-way: if a later statement fails, the first half stays applied while the tool records the migration as failed (or not at all), and re-running it fails on objects that already exist.',
    instead: 'Remove BEGIN/COMMIT and let the migration tool manage the transaction. For statements that must run outside one, use the tool\'s opt-out (Alembic `autocommit_block()`, dbmate `transaction:false`, a separate Flyway migration).',
  },
  examples: {
    bad: { 'migrations/001_users.sql': 'BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY);\nCOMMIT;\n' },
    good: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      const wraps = toolWraps(m, ctx.text(m.file));
      let open = false;
      for (const st of m.upgrade) {
        if (!st.ast?.TransactionStmt) continue;
        const begin = isBegin(st);
        const end = isEnd(st);
        const word = st.sql.trim().split(/\s+/)[0].replace(/;$/, '').toUpperCase();
        if (begin && open) {
          ctx.report({
            message: `${word} inside a transaction that is already open: PostgreSQL ignores it with a warning, and the next COMMIT ends the outer transaction early.`,
            help: st.op ? 'Remove the op.execute("BEGIN"); Alembic manages the transaction.' : 'Remove the nested BEGIN.',
            span: st.span,
            data: { migration: m.id },
          });
        } else if ((begin || (end && !open)) && wraps) {
          ctx.report({
            message: `${word} in a migration ${m.tool === 'alembic' ? 'Alembic' : m.tool === 'sql' ? 'the migration tool' : m.tool} already runs in a transaction: ${begin ? 'it nests, and the COMMIT that follows ends the tool\'s transaction early' : 'it commits the tool\'s transaction half-way'}, so a later failure leaves the migration half applied.`,
            help: m.tool === 'alembic' ? 'Remove it; for statements that cannot run in a transaction use `with op.get_context().autocommit_block():`.' : 'Remove BEGIN/COMMIT and let the tool wrap the migration (or use its no-transaction option).',
            span: st.span,
            data: { migration: m.id },
          });
        }
        if (begin) open = true;
        if (end) open = false;
      }
    }
  },
});
