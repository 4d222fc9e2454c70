import { alterCommands, dialectHelp, hasConstraint, pyStr } from '../facts/migration-helpers';
import { isSerial, typeNameToString } from '../sources/sql/deparse';
import { defineRule } from '../rule';

export default defineRule({
  id: 'adding-required-field',
  category: 'schema',
  // Not a lock risk but a certain failure on any table with rows: the deploy stops.
  severity: 'error',
  summary: 'ADD COLUMN … NOT NULL without a DEFAULT fails on any existing table that has rows.',
  docs: {
    what: 'Finds columns added NOT NULL (or as a PRIMARY KEY) without a DEFAULT to a table that already existed: `ALTER TABLE … ADD COLUMN … NOT NULL` in SQL, `op.add_column(..., sa.Column(..., nullable=False))` without `server_default` in Alembic. SERIAL, IDENTITY and generated columns have a value and are fine here.',
    why: 'Existing rows would get NULL in a NOT NULL column, so PostgreSQL rejects the statement ("column … contains null values") as soon as the table has a row: the migration passes on an empty development database and fails in production. An ORM-side default (`default=` in SQLAlchemy) is not a database default and does not help.',
    instead: 'Give the column a server default (`NOT NULL DEFAULT …`; instant on PostgreSQL 11+ for a constant), or add it nullable, backfill it, and set NOT NULL later (with a validated CHECK first on PostgreSQL 12+). In Alembic: `sa.Column(..., nullable=False, server_default=...)`.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'migrations/V2__plan.sql': 'ALTER TABLE users ADD COLUMN plan text NOT NULL;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'migrations/V2__plan.sql': "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';\n",
    },
  },
  check(ctx) {
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      if (cmd.subtype !== 'AT_AddColumn') continue;
      const def = cmd.def?.ColumnDef;
      const required = hasConstraint(def, 'CONSTR_NOTNULL') || hasConstraint(def, 'CONSTR_PRIMARY');
      if (!required) continue;
      const dflt = hasConstraint(def, 'CONSTR_DEFAULT');
      if (dflt && !dflt.raw_expr?.A_Const?.isnull) continue;
      if (isSerial(def?.typeName) || hasConstraint(def, 'CONSTR_IDENTITY') || hasConstraint(def, 'CONSTR_GENERATED')) continue;
      const column = String(def?.colname ?? '');
      const type = typeNameToString(def?.typeName);
      ctx.report({
        message: `Adding "${table}"."${column}" as NOT NULL without a default fails as soon as "${table}" has a row: existing rows would hold NULL ("column contains null values").`,
        help: dialectHelp(m, st, {
          sql: `Give it a default (ADD COLUMN ${column} ${type} NOT NULL DEFAULT …), or add it nullable, backfill it, then set NOT NULL in a later migration.`,
          alembic: `Add server_default=... to sa.Column(${pyStr(column)}, ...), or add it with nullable=True, backfill it, then op.alter_column(${pyStr(table)}, ${pyStr(column)}, nullable=False) in a later revision.`,
          django: 'Give the field a db_default, or add it with null=True, backfill it, then make it non-null in a later migration.',
        }),
        span: st.span,
        data: { table, column, migration: m.id },
      });
    }
  },
});
