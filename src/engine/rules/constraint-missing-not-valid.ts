import { alterTable, dialectHelp, isNewTable, isNotValid, notValidFix, pyStr, relName } from '../facts/migration-helpers';
import type { MigrationStatement } from '../facts/migrations';
import { defineRule } from '../rule';

export default defineRule({
  id: 'constraint-missing-not-valid',
  category: 'schema',
  severity: 'warning',
  summary: 'Adding a FOREIGN KEY or CHECK constraint to an existing table without NOT VALID scans the whole table under a lock.',
  docs: {
    what: 'Finds `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY|CHECK` without NOT VALID on a table that already existed (in SQL, in `op.execute`, and Alembic `op.create_foreign_key` / `op.create_check_constraint` without `postgresql_not_valid=True`), and a `VALIDATE CONSTRAINT` that runs in the same transaction as the NOT VALID constraint it validates.',
    why: 'Without NOT VALID, PostgreSQL checks every existing row while holding the ALTER TABLE lock: ACCESS EXCLUSIVE for a CHECK (every read and write waits), SHARE ROW EXCLUSIVE on both tables for a FOREIGN KEY (every write waits). On a large table that is an outage for the length of a full scan. With NOT VALID the constraint is added instantly and enforced for new rows; `VALIDATE CONSTRAINT` later checks old rows under a SHARE UPDATE EXCLUSIVE lock that lets reads and writes continue — but only if it runs in its own transaction: in the same transaction the ADD\'s strong lock is still held while it scans.',
    instead: 'Add the constraint with NOT VALID, then `ALTER TABLE … VALIDATE CONSTRAINT …` in a later migration (or after a COMMIT). In Alembic: `op.create_foreign_key(..., postgresql_not_valid=True)` (or `op.create_check_constraint(..., postgresql_not_valid=True)`), then `op.execute("ALTER TABLE … VALIDATE CONSTRAINT …")` in the next revision.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n',
      'migrations/V2__check.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n',
      'migrations/V2__check.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n',
      'migrations/V3__validate.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      // NOT VALID constraints added in this migration, by "table.constraint", with the transaction flag of the ADD.
      const notValid = new Map<string, MigrationStatement>();
      for (const st of m.upgrade) {
        const alter = alterTable(st);
        if (!alter) continue;
        const { table, cmds } = alter;
        for (const cmd of cmds) {
          if (cmd.subtype === 'AT_ValidateConstraint') {
            const added = notValid.get(`${table}.${String(cmd.name ?? '').toLowerCase()}`);
            if (!added || !added.inTransaction || !st.inTransaction) continue;
            ctx.report({
              message: `VALIDATE CONSTRAINT ${cmd.name} runs in the same transaction that added it NOT VALID, so the ADD's lock on "${table}" is still held while every row is checked: NOT VALID gains nothing here.`,
              help: dialectHelp(m, st, {
                sql: `Move ALTER TABLE ${table} VALIDATE CONSTRAINT ${cmd.name} to a later migration (or after a COMMIT).`,
                alembic: `Move op.execute(${pyStr(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${cmd.name}`)}) to the next revision.`,
              }),
              span: st.span,
              key: `validate:${table}.${cmd.name}`,
              data: { table, constraint: cmd.name, migration: m.id },
            });
            continue;
          }
          const c = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
          if (!c || (c.contype !== 'CONSTR_FOREIGN' && c.contype !== 'CONSTR_CHECK')) continue;
          if (isNotValid(st, c)) {
            if (c.conname) notValid.set(`${table}.${String(c.conname).toLowerCase()}`, st);
            continue;
          }
          if (isNewTable(m, st, table)) continue;
          const fk = c.contype === 'CONSTR_FOREIGN';
          const ref = fk ? relName(c.pktable) : '';
          const name = c.conname ? String(c.conname) : fk ? `${table}_fkey` : `${table}_check`;
          const lock = fk
            ? `a SHARE ROW EXCLUSIVE lock on "${table}" and "${ref}" blocks every INSERT, UPDATE and DELETE on both`
            : `an ACCESS EXCLUSIVE lock on "${table}" blocks every read and write`;
          const text = ctx.text(st.span.file) ?? '';
          ctx.report({
            message: `Adding ${fk ? 'FOREIGN KEY' : 'CHECK'} constraint ${c.conname ? `"${c.conname}" ` : ''}without NOT VALID checks every existing row of "${table}" while ${lock} for the whole scan.`,
            help: dialectHelp(m, st, {
              sql: `Add it with NOT VALID, then run ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}; in a later migration.`,
              alembic:
                st.op === 'op.create_foreign_key' || st.op === 'op.create_check_constraint'
                  ? `Add postgresql_not_valid=True to ${st.op}(...), then op.execute(${pyStr(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`)}) in the next revision.`
                  : `Add NOT VALID to the constraint, then op.execute(${pyStr(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`)}) in the next revision.`,
            }),
            span: st.span,
            fix: notValidFix(text, st, cmds.length === 1),
            data: { table, constraint: c.conname, referencedTable: ref || undefined, migration: m.id },
          });
        }
      }
    }
  },
});
