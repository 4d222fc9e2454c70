import { alterTable, columnConstraints, dialectHelp, isNewColumn, isNotValid, notNullCheckColumns, pyStr, relName } from '../facts/migration-helpers';
import type { MigrationStatement } from '../facts/migrations';
import type { ProjectFacts } from '../facts';
import { defineRule } from '../rule';

/**
 * For each SET NOT NULL statement: the columns of its table that a validated `CHECK (col IS NOT NULL)` already
 * covers at that point, replaying every migration in order (ADD CHECK, VALIDATE CONSTRAINT, DROP CONSTRAINT).
 */
function provenNotNull(facts: ProjectFacts): Map<MigrationStatement, Set<string>> {
  const checks = new Map<string, Map<string, { cols: string[]; valid: boolean }>>();
  const of = (t: string) => checks.get(t) ?? checks.set(t, new Map()).get(t)!;
  const out = new Map<MigrationStatement, Set<string>>();
  for (const m of facts.migrations) {
    for (const st of m.upgrade) {
      const create = st.ast?.CreateStmt;
      if (create) {
        const t = relName(create.relation);
        checks.delete(t);
        for (const e of create.tableElts ?? []) {
          const cs = e.Constraint ? [e.Constraint] : columnConstraints(e.ColumnDef);
          for (const c of cs) if (c.contype === 'CONSTR_CHECK' && c.conname) of(t).set(String(c.conname).toLowerCase(), { cols: notNullCheckColumns(c.raw_expr), valid: !c.skip_validation });
        }
      }
      const alter = alterTable(st);
      if (!alter) continue;
      for (const cmd of alter.cmds) {
        const name = String(cmd.name ?? '').toLowerCase();
        if (cmd.subtype === 'AT_SetNotNull') {
          const proven = new Set<string>();
          for (const c of of(alter.table).values()) if (c.valid) c.cols.forEach((col) => proven.add(col));
          out.set(st, proven);
        } else if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_CHECK') {
          const c = cmd.def.Constraint;
          if (c.conname) of(alter.table).set(String(c.conname).toLowerCase(), { cols: notNullCheckColumns(c.raw_expr), valid: !isNotValid(st, c) });
        } else if (cmd.subtype === 'AT_ValidateConstraint') {
          const c = of(alter.table).get(name);
          if (c) c.valid = true;
        } else if (cmd.subtype === 'AT_DropConstraint') of(alter.table).delete(name);
      }
    }
  }
  return out;
}

export default defineRule({
  id: 'adding-not-nullable-field',
  category: 'schema',
  severity: 'warning',
  summary: 'SET NOT NULL on an existing column scans the whole table under an ACCESS EXCLUSIVE lock.',
  docs: {
    what: 'Finds `ALTER TABLE … ALTER COLUMN … SET NOT NULL` (Alembic: `op.alter_column(..., nullable=False)`) on a column that existed before the migration, unless a validated `CHECK (col IS NOT NULL)` already proves it on PostgreSQL 12+.',
    why: 'PostgreSQL must read every row to prove there is no NULL, and it does so while holding an ACCESS EXCLUSIVE lock: every read and write on the table waits for the full scan. Since PostgreSQL 12 the scan is skipped when a validated CHECK constraint already proves the column non-null — and that CHECK can be validated without blocking.',
    instead: 'On PostgreSQL 12+: `ALTER TABLE t ADD CONSTRAINT t_c_not_null CHECK (c IS NOT NULL) NOT VALID;` then, in a later migration, `ALTER TABLE t VALIDATE CONSTRAINT t_c_not_null;` `ALTER TABLE t ALTER COLUMN c SET NOT NULL;` `ALTER TABLE t DROP CONSTRAINT t_c_not_null;`. In Alembic: `op.create_check_constraint("t_c_not_null", "t", "c IS NOT NULL", postgresql_not_valid=True)`, then `op.execute("ALTER TABLE t VALIDATE CONSTRAINT t_c_not_null")`, `op.alter_column("t", "c", nullable=False)`, `op.drop_constraint("t_c_not_null", "t")` in the next revision.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/V2__email.sql': 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/V2__check.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n',
      'migrations/V3__email.sql':
        'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;\n',
    },
  },
  check(ctx) {
    const pg = ctx.settings.postgresVersion;
    let proven: Map<MigrationStatement, Set<string>> | undefined;
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const alter = alterTable(st);
        if (!alter) continue;
        const { table, cmds } = alter;
        for (const cmd of cmds) {
          if (cmd.subtype !== 'AT_SetNotNull') continue;
          const column = String(cmd.name ?? '').toLowerCase();
          if (isNewColumn(m, st, table, column)) continue;
          if (pg >= 12) {
            proven ??= provenNotNull(ctx.facts);
            if (proven.get(st)?.has(column)) continue;
          }
          const check = `${table}_${column}_not_null`.slice(0, 63);
          const steps = [
            `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID`,
            `ALTER TABLE ${table} VALIDATE CONSTRAINT ${check}`,
            `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL`,
            `ALTER TABLE ${table} DROP CONSTRAINT ${check}`,
          ];
          ctx.report({
            message: `SET NOT NULL on "${table}"."${column}" scans every row of "${table}" for NULLs while holding an ACCESS EXCLUSIVE lock: every read and write on "${table}" waits until the scan finishes.`,
            help:
              pg >= 12
                ? dialectHelp(m, st, {
                    sql: `Prove it first without blocking: ${steps[0]}; then, in a later migration, ${steps.slice(1).join('; ')};`,
                    alembic: `Prove it first without blocking: op.create_check_constraint(${pyStr(check)}, ${pyStr(table)}, ${pyStr(`${column} IS NOT NULL`)}, postgresql_not_valid=True); then, in the next revision, op.execute(${pyStr(steps[1])}), op.alter_column(${pyStr(table)}, ${pyStr(column)}, nullable=False), op.drop_constraint(${pyStr(check)}, ${pyStr(table)}).`,
                  })
                : `Before PostgreSQL 12 (postgresVersion is ${pg}) the scan cannot be avoided: run it in a quiet period with a short lock_timeout, or keep the column nullable and enforce it with a CHECK (${column} IS NOT NULL) NOT VALID constraint validated separately.`,
            span: st.span,
            data: { table, column, migration: m.id },
          });
        }
      }
    }
  },
});
