import { alterCommands, dialectHelp, hasConstraint, isNotValid, notValidFix, pyStr, relName } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'adding-foreign-key-constraint',
  category: 'schema',
  severity: 'warning',
  summary: 'Adding a foreign key to an existing table locks it and the referenced table against writes while every row is checked.',
  docs: {
    what: 'Finds foreign keys added to a table that already existed without NOT VALID: `ALTER TABLE … ADD [CONSTRAINT …] FOREIGN KEY … REFERENCES …` and `ALTER TABLE … ADD COLUMN … REFERENCES …` in SQL; `op.create_foreign_key(...)` without `postgresql_not_valid=True` and `op.add_column(..., sa.Column(..., sa.ForeignKey(...)))` in Alembic.',
    why: 'Adding a foreign key takes a SHARE ROW EXCLUSIVE lock on both the table and the table it references, then checks every existing row. Until that scan finishes, every INSERT, UPDATE and DELETE on both tables waits — the referenced table is often the busiest one (users, accounts).',
    instead: 'Add the constraint with NOT VALID (new rows are checked at once, the lock is brief), then `VALIDATE CONSTRAINT` in a later migration, which takes only SHARE UPDATE EXCLUSIVE and lets reads and writes continue. For a new column: add the column without REFERENCES first, then the constraint NOT VALID. In Alembic: `op.create_foreign_key(..., postgresql_not_valid=True)`, then `op.execute("ALTER TABLE … VALIDATE CONSTRAINT …")` in the next revision.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
      'migrations/V2__fk.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
      'migrations/V2__fk.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n',
      'migrations/V3__validate.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n',
    },
  },
  check(ctx) {
    for (const { m, st, table, cmd, cmds } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      let fk = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      let column: string | undefined;
      if (fk && (fk.contype !== 'CONSTR_FOREIGN' || isNotValid(st, fk))) continue;
      if (!fk && cmd.subtype === 'AT_AddColumn') {
        fk = hasConstraint(cmd.def?.ColumnDef, 'CONSTR_FOREIGN');
        column = cmd.def?.ColumnDef?.colname;
      }
      if (!fk) continue;
      const ref = relName(fk.pktable);
      const name = fk.conname ? String(fk.conname) : `${table}_${column ?? 'fk'}_fkey`;
      const validate = `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`;
      const refCols = (fk.pk_attrs ?? []).map((a: any) => a.String?.sval).filter(Boolean).join(', ');
      ctx.report({
        message: `Adding a foreign key from "${table}" to "${ref}" takes a SHARE ROW EXCLUSIVE lock on both tables and checks every existing row of "${table}": every INSERT, UPDATE and DELETE on "${table}" and "${ref}" waits until the scan finishes.`,
        help: column
          ? dialectHelp(m, st, {
              sql: `Add the column without REFERENCES, then ALTER TABLE ${table} ADD CONSTRAINT ${name} FOREIGN KEY (${column}) REFERENCES ${ref}${refCols ? ` (${refCols})` : ''} NOT VALID; and ${validate}; in a later migration.`,
              alembic: `Add the column without sa.ForeignKey, then op.create_foreign_key(${pyStr(name)}, ${pyStr(table)}, ${pyStr(ref)}, [${pyStr(column)}], [${refCols ? refCols.split(', ').map(pyStr).join(', ') : ''}], postgresql_not_valid=True) and op.execute(${pyStr(validate)}) in the next revision.`,
            })
          : dialectHelp(m, st, {
              sql: `Add it with NOT VALID, then ${validate}; in a later migration.`,
              alembic:
                st.op === 'op.create_foreign_key'
                  ? `Add postgresql_not_valid=True to op.create_foreign_key(...), then op.execute(${pyStr(validate)}) in the next revision.`
                  : `Add NOT VALID to the constraint, then op.execute(${pyStr(validate)}) in the next revision.`,
            }),
        span: st.span,
        fix: column ? undefined : notValidFix(ctx.text(st.span.file) ?? '', st, cmds.length === 1),
        data: { table, referencedTable: ref, constraint: fk.conname, column, migration: m.id },
      });
    }
  },
});
