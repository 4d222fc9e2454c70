import { addedEarlier, alterCommands, alterTable, columnConstraints, dialectHelp, isNotValid, notNullCheckColumns, pyStr, relName, replayMigrations, typeName } from '../facts/migration-helpers';
import type { Migration, MigrationStatement } from '../facts/migrations';
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
    what: 'Finds `ALTER TABLE … ALTER COLUMN … SET NOT NULL` (Alembic: `op.alter_column(..., nullable=False)`) on a table that existed before the migration — also when the column itself was added (nullable, then backfilled) earlier in the same migration, since the scan reads every existing row all the same — unless the column is already NOT NULL or a validated `CHECK (col IS NOT NULL)` already proves it on PostgreSQL 12+. Django `AlterField(null=False)` is read as the SET NOT NULL it runs.',
    why: 'PostgreSQL must read every row to prove there is no NULL, and it does so while holding an ACCESS EXCLUSIVE lock: every read and write on the table waits for the full scan. Since PostgreSQL 12 the scan is skipped when a validated CHECK constraint already proves the column non-null — and that CHECK can be validated without blocking.',
    instead: 'On PostgreSQL 12+: `ALTER TABLE t ADD CONSTRAINT t_c_not_null CHECK (c IS NOT NULL) NOT VALID;` then, in a later migration, `ALTER TABLE t VALIDATE CONSTRAINT t_c_not_null;` `ALTER TABLE t ALTER COLUMN c SET NOT NULL;` `ALTER TABLE t DROP CONSTRAINT t_c_not_null;`. In Alembic: `op.create_check_constraint("t_c_not_null", "t", "c IS NOT NULL", postgresql_not_valid=True)`, then `op.execute("ALTER TABLE t VALIDATE CONSTRAINT t_c_not_null")`, `op.alter_column("t", "c", nullable=False)`, `op.drop_constraint("t_c_not_null", "t")` in the next revision. For a column you are adding, add it in one step instead: `ADD COLUMN c … NOT NULL DEFAULT <constant>` (Alembic: `sa.Column(..., nullable=False, server_default=...)`; Django: `AddField` with `default=` and no `null=True`) is catalog-only on PostgreSQL 11+.',
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
    let notNull: Map<MigrationStatement, Set<string>> | undefined;
    // Only a table created by this very migration is safe: a column merely added to an existing table
    // (nullable, then backfilled) is scanned like any other, across every existing row.
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      if (cmd.subtype !== 'AT_SetNotNull') continue;
      const column = String(cmd.name ?? '').toLowerCase();
      notNull ??= alreadyNotNull(ctx.facts);
      if (notNull.get(st)?.has(column)) continue;
      if (pg >= 12) {
        proven ??= provenNotNull(ctx.facts);
        if (proven.get(st)?.has(column)) continue;
      }
      const added = addedEarlier(m, st, table, column);
      const message = added
        ? `SET NOT NULL on "${table}"."${column}" scans every row of "${table}" for NULLs while holding an ACCESS EXCLUSIVE lock: the column is new, but the table is not, so every read and write on "${table}" waits until the scan finishes.`
        : `SET NOT NULL on "${table}"."${column}" scans every row of "${table}" for NULLs while holding an ACCESS EXCLUSIVE lock: every read and write on "${table}" waits until the scan finishes.`;
      const help = [added && pg >= 11 ? oneStepHelp(ctx.text(m.file), m, st, table, column, added) : undefined, proveHelp(m, st, table, column, pg)].filter(Boolean).join(' Or: ');
      ctx.report({ message, help, span: st.span, data: { table, column, migration: m.id } });
    }
  },
});

/** For each SET NOT NULL statement: the columns of its table already NOT NULL (PostgreSQL then has nothing to prove). */
function alreadyNotNull(facts: ProjectFacts): Map<MigrationStatement, Set<string>> {
  const out = new Map<MigrationStatement, Set<string>>();
  replayMigrations(facts, (_m, st, schema) => {
    const alter = alterTable(st);
    for (const cmd of alter?.cmds ?? []) {
      if (cmd.subtype !== 'AT_SetNotNull') continue;
      const name = String(cmd.name ?? '').toLowerCase();
      const col = schema.tables.get(alter!.table)?.columns.find((c) => c.name.toLowerCase() === name);
      if (col && !col.nullable) (out.get(st) ?? out.set(st, new Set()).get(st)!).add(name);
    }
  });
  return out;
}

/** `model_name` and `name` of a Django AlterField, as written (`"book"`, `"title"`); placeholders when not literal. */
function djangoNames(st: MigrationStatement, table: string, column: string): { model: string; field: string } {
  return { model: st.kwargs?.model_name ?? pyStr(table), field: st.kwargs?.name ?? pyStr(column) };
}

/** The PostgreSQL 12+ way: a NOT VALID CHECK, validated without blocking, makes SET NOT NULL skip its scan. */
function proveHelp(m: Migration, st: MigrationStatement, table: string, column: string, pg: number): string {
  if (pg < 12) {
    return `Before PostgreSQL 12 (postgresVersion is ${pg}) the scan cannot be avoided: run it in a quiet period with a short lock_timeout, or keep the column nullable and enforce it with a CHECK (${column} IS NOT NULL) NOT VALID constraint validated separately.`;
  }
  const check = `${table}_${column}_not_null`.slice(0, 63);
  const steps = [
    `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID`,
    `ALTER TABLE ${table} VALIDATE CONSTRAINT ${check}`,
    `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL`,
    `ALTER TABLE ${table} DROP CONSTRAINT ${check}`,
  ];
  const dj = djangoNames(st, table, column);
  const fieldName = dj.field.replace(/^["']|["']$/g, '');
  return dialectHelp(m, st, {
    sql: `Prove it first without blocking: ${steps[0]}; then, in a later migration, ${steps.slice(1).join('; ')};`,
    alembic: `Prove it first without blocking: op.create_check_constraint(${pyStr(check)}, ${pyStr(table)}, ${pyStr(`${column} IS NOT NULL`)}, postgresql_not_valid=True); then, in the next revision, op.execute(${pyStr(steps[1])}), op.alter_column(${pyStr(table)}, ${pyStr(column)}, nullable=False), op.drop_constraint(${pyStr(check)}, ${pyStr(table)}).`,
    django: `Prove it first without blocking: AddConstraintNotValid(${dj.model}, models.CheckConstraint(condition=Q(${fieldName}__isnull=False), name=${pyStr(check)})) (from django.contrib.postgres.operations; check= before Django 5.1) in this migration instead of the AlterField; then, in the next migration, ValidateConstraint(${dj.model}, ${pyStr(check)}), the AlterField(null=False), and RemoveConstraint(${dj.model}, ${pyStr(check)}).`,
  });
}

/**
 * The column was added nullable earlier in this migration and is being made NOT NULL after a backfill: adding
 * it NOT NULL with a constant default does the same in one catalog-only step on PostgreSQL 11+.
 */
function oneStepHelp(text: string | undefined, m: Migration, st: MigrationStatement, table: string, column: string, added: { st: MigrationStatement; def: Record<string, any> }): string {
  const backfill = backfillValue(m, st, table, column);
  const value = backfill ?? constant(columnConstraints(added.def).find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr);
  const sqlValue = value?.sql ?? '<constant>';
  const drop = backfill ? 'the backfill and ' : '';
  const type = typeName(added.def.typeName);
  const dj = djangoNames(st, table, column);
  return dialectHelp(m, added.st, {
    sql: `Add the column in one step: ALTER TABLE ${table} ADD COLUMN ${column} ${type} NOT NULL DEFAULT ${sqlValue} — a constant default is stored in the catalog, so PostgreSQL 11+ neither rewrites nor scans the table — and drop ${drop}the SET NOT NULL.`,
    // Raw SQL in op.execute(...) gets the SQL form: that is what the author edits.
    alembic: added.st.op?.endsWith('add_column') ? `Add the column in one step: ${alembicOneStep(text, added.st, value?.alembic ?? 'sa.text("<constant>")')} — a constant server_default is stored in the catalog, so PostgreSQL 11+ neither rewrites nor scans the table — and drop ${drop}the alter_column.` : undefined,
    django: `Add the field in one step: give the AddField of ${dj.field} default=${value?.python ?? '<constant>'} and no null=True (Django fills existing rows through a one-off constant default, catalog-only on PostgreSQL 11+), and drop this AlterField and the backfill before it.`,
  });
}

/** The `op.add_column(...)` call rewritten with `nullable=False, server_default=…`, or a generic form. */
function alembicOneStep(text: string | undefined, add: MigrationStatement, serverDefault: string): string {
  const call = text?.slice(add.span.start, add.span.end);
  const kw = call && /\bserver_default\s*=/.test(call) ? 'nullable=False' : `nullable=False, server_default=${serverDefault}`;
  if (call && add.op?.endsWith('add_column') && !call.includes('\n')) {
    if (/\bnullable\s*=\s*True\b/.test(call)) return call.replace(/\bnullable\s*=\s*True\b/, kw);
    if (call.endsWith('))') && !/\bnullable\s*=/.test(call)) return `${call.slice(0, -2)}, ${kw}))`;
  }
  return `op.add_column(..., sa.Column(..., ${kw}))`;
}

type Constant = { sql: string; alembic: string; python: string };

/** A SQL constant (`false`, `0`, `'eu'`, also cast) in each dialect's spelling; undefined for anything else. */
function constant(node: Record<string, any> | undefined): Constant | undefined {
  const c = node?.A_Const ?? node?.TypeCast?.arg?.A_Const;
  if (!c || c.isnull) return undefined;
  if (c.boolval !== undefined) {
    const b = !!c.boolval.boolval;
    return { sql: String(b), alembic: b ? 'sa.true()' : 'sa.false()', python: b ? 'True' : 'False' };
  }
  if (c.ival !== undefined || c.fval !== undefined) {
    const n = c.fval ? String(c.fval.fval) : String(c.ival.ival ?? 0);
    return { sql: n, alembic: `sa.text(${pyStr(n)})`, python: n };
  }
  if (c.sval !== undefined) {
    const v = String(c.sval.sval ?? '');
    return { sql: `'${v.replace(/'/g, "''")}'`, alembic: pyStr(v), python: pyStr(v) };
  }
  return undefined;
}

/** The constant an `UPDATE table SET column = <constant>` earlier in the migration writes (the backfill). */
function backfillValue(m: Migration, upto: MigrationStatement, table: string, column: string): Constant | undefined {
  let found: Constant | undefined;
  for (const st of m.upgrade) {
    if (st === upto) break;
    const u = st.ast?.UpdateStmt;
    if (!u || relName(u.relation) !== table) continue;
    for (const t of u.targetList ?? []) {
      if (String(t.ResTarget?.name ?? '').toLowerCase() === column) found = constant(t.ResTarget.val) ?? found;
    }
  }
  return found;
}
