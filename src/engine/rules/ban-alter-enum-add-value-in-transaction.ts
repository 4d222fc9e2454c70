import { transactionsOf } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-alter-enum-add-value-in-transaction',
  category: 'schema',
  severity: 'error',
  summary: 'ALTER TYPE … ADD VALUE inside a transaction fails before PostgreSQL 12, and on any version when the same transaction uses the new value.',
  docs: {
    what: 'Finds `ALTER TYPE … ADD VALUE` that runs inside a transaction (Alembic\'s default, a wrapped SQL migration, BEGIN … COMMIT) when the project targets PostgreSQL 11 or older (setting `postgresVersion`); on 12 and later, only when a later statement of the same transaction uses the new value.',
    why: 'PostgreSQL before 12 rejects it with "ALTER TYPE … ADD cannot run inside a transaction block": the deploy stops at this migration. From 12 on it is allowed, but the new value cannot be used until the transaction commits: a backfill in the same transaction fails with "unsafe use of new value".',
    instead: 'Run it outside the transaction: in Alembic, `op.execute("ALTER TYPE … ADD VALUE …")` inside `with op.get_context().autocommit_block():`; in SQL, a migration file of its own that the tool runs without a transaction.',
  },
  examples: {
    bad: {
      'migrations/001_orders.sql': "CREATE TYPE order_status AS ENUM ('new', 'paid');\nCREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL);\n",
      'migrations/002_status.sql': "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE id = 0;\n",
    },
    good: { 'migrations/002_status.sql': "ALTER TYPE order_status ADD VALUE 'refunded';\n", 'migrations/003_refund.sql': "UPDATE orders SET status = 'refunded' WHERE id = 0;\n" },
  },
  check(ctx) {
    const pg = ctx.settings.postgresVersion;
    for (const m of ctx.facts.migrations) {
      for (const tx of transactionsOf(m)) {
        tx.forEach((st, i) => {
          const e = st.ast?.AlterEnumStmt;
          if (!e || e.oldVal || !e.newVal) return;
          const type = (e.typeName ?? []).map((n: any) => n.String?.sval).filter(Boolean).join('.');
          const literal = `'${String(e.newVal).replace(/'/g, "''")}'`;
          const user = pg >= 12 ? tx.slice(i + 1).find((later) => later.sql.includes(literal)) : undefined;
          if (pg >= 12 && !user) return;
          ctx.report({
            message:
              pg < 12
                ? `ALTER TYPE "${type}" ADD VALUE runs inside a transaction: PostgreSQL ${pg} refuses that ("cannot run inside a transaction block") and the migration fails.`
                : `ALTER TYPE "${type}" ADD VALUE ${literal} runs in the same transaction as a statement that uses ${literal}: PostgreSQL refuses the use ("unsafe use of new value") until the ADD VALUE commits, so the migration fails.`,
            help: st.op
              ? 'Move the ADD VALUE into `with op.get_context().autocommit_block():` so it commits before anything uses it.'
              : 'Put the ADD VALUE in a migration of its own that runs without a transaction, before the migration that uses the value.',
            span: st.span,
            related: user ? [{ span: user.span, message: `uses ${literal} in the same transaction` }] : undefined,
            data: { type, value: e.newVal, migration: m.id },
          });
        });
      }
    }
  },
});
