import { alterCommands, dialectHelp, hasConstraint, pyStr, volatileCall } from '../facts/migration-helpers';
import { deparseExpr, isSerial } from '../sources/sql/deparse';
import { defineRule } from '../rule';

export default defineRule({
  id: 'adding-field-with-default',
  category: 'schema',
  severity: 'warning',
  summary: 'ADD COLUMN with a volatile default (or any default before PostgreSQL 11) rewrites the whole table under an ACCESS EXCLUSIVE lock.',
  docs: {
    what: 'Finds columns added to an existing table whose default must be computed row by row: a volatile function (`random()`, `gen_random_uuid()`, `uuid_generate_v4()`, `clock_timestamp()`, `nextval(…)`, a SERIAL or IDENTITY column, a STORED generated column) — or, when `postgresVersion` is below 11, any non-NULL default. In SQL and in Alembic `op.add_column(..., sa.Column(..., server_default=...))`. Stable defaults such as `now()` or constants are fine on PostgreSQL 11+.',
    why: 'Since PostgreSQL 11 a constant or stable default is stored once in the catalog and ADD COLUMN is instant. A volatile default has a different value per row, so PostgreSQL rewrites every row (and rebuilds every index) while holding an ACCESS EXCLUSIVE lock: every read and write on the table waits, for minutes on a large table, and the rewrite needs disk for a second copy. Before PostgreSQL 11 every default did this.',
    instead: 'Add the column without a default (nullable), set the default for new rows with `ALTER TABLE … ALTER COLUMN … SET DEFAULT …`, and backfill existing rows in batches. In Alembic: `op.add_column(...)` without `server_default`, then `op.alter_column(..., server_default=...)`, then a batched backfill.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'migrations/V2__token.sql': 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'migrations/V2__created.sql': 'ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();\n',
    },
  },
  check(ctx) {
    const pg = ctx.settings.postgresVersion;
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      if (cmd.subtype !== 'AT_AddColumn') continue;
      const def = cmd.def?.ColumnDef;
      const column = String(def?.colname ?? '');
      // A serial/identity primary key is adding-serial-primary-key-field's finding.
      if (hasConstraint(def, 'CONSTR_PRIMARY')) continue;
      const dflt = hasConstraint(def, 'CONSTR_DEFAULT');
      const expr = dflt?.raw_expr;
      const generated = hasConstraint(def, 'CONSTR_GENERATED');
      const identity = hasConstraint(def, 'CONSTR_IDENTITY');
      let reason: string | undefined;
      if (isSerial(def?.typeName)) reason = 'a SERIAL column takes nextval() per row';
      else if (identity) reason = 'an IDENTITY column takes a sequence value per row';
      else if (generated) reason = 'a STORED generated column is computed per row';
      else if (expr) {
        const volatile = volatileCall(expr);
        if (volatile) reason = `${volatile} is volatile, so every row gets its own value`;
        else if (pg < 11 && !expr.A_Const?.isnull) reason = `before PostgreSQL 11 (postgresVersion is ${pg}) every default is written into each row`;
      }
      if (!reason) continue;
      const dsql = expr ? deparseExpr(expr) : '';
      const setDefault = dsql ? `ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${dsql}` : '';
      ctx.report({
        message: `Adding "${table}"."${column}" rewrites every row of "${table}" under an ACCESS EXCLUSIVE lock, blocking every read and write until it finishes: ${reason}.`,
        help: dialectHelp(m, st, {
          sql: `Add the column without a default${setDefault ? `, then ${setDefault};` : ','} and backfill existing rows in batches.`,
          alembic: `op.add_column(...) without server_default${dsql ? `, then op.alter_column(${pyStr(table)}, ${pyStr(column)}, server_default=sa.text(${pyStr(dsql)}))` : ''}, then backfill existing rows in batches.`,
        }),
        span: st.span,
        data: { table, column, default: dsql || undefined, migration: m.id },
      });
    }
  },
});
