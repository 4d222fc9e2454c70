import { alterTable, createdEarlier, dialectOf, hasConstraint, isNotValid, relName, typesBeforeAlterType, volatileCall } from '../facts/migration-helpers';
import { an, BLOCKS_WHAT, configuredBy, configuredByEarlierMigration, isVacuumFull, locksOf, prependEdit, setsSetting } from '../facts/migration-helpers-b';
import type { Migration, MigrationStatement } from '../facts/migrations';
import { isSerial, typeNameToString } from '../sources/sql/deparse';
import { defineRule } from '../rule';
import { typeChange } from './changing-column-type';

type Node = Record<string, any>;

/**
 * The ceiling the fix inserts. statement_timeout is not the fail-fast guard (that is lock_timeout): it caps a
 * statement that is expected to take a while, so it must sit above the operation's normal run time. 15min lets
 * an index build or validation on a table of tens of GB finish, and still stops a runaway rewrite that would
 * hold its lock for hours. A 5s value would abort the very operation the migration exists to run.
 */
const CEILING = "'15min'";

/** A statement whose run time grows with the table: what it is, the table, the lock it holds, a safer form. */
interface Long {
  what: string;
  table: string;
  /** Held for the whole run; undefined for DML (row locks only). */
  lock?: keyof typeof BLOCKS_WHAT;
  /** Short name of the operation for help ("index build"). */
  op: string;
  /** The non-blocking form to prefer. */
  safer: string;
}

/** "a, b and c". */
const listOf = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : xs[0] ?? '');

const BACKFILL = 'a batched backfill (short transactions, keyed ranges)';

/** A WHERE that pins rows by equality to constants (`id = 5`, `key IN ('a','b')`): a targeted fix, not a backfill. */
function pinsRows(where: Node | undefined): boolean {
  if (!where) return false;
  const isConst = (n: Node | undefined) => !!(n?.A_Const || n?.ParamRef || n?.TypeCast?.arg?.A_Const);
  const conj = (n: Node): Node[] => (n.BoolExpr?.boolop === 'AND_EXPR' ? n.BoolExpr.args.flatMap(conj) : [n]);
  return conj(where).some((c) => {
    const e = c.A_Expr;
    if (!e || !e.lexpr?.ColumnRef) return false;
    const op = e.name?.[0]?.String?.sval;
    if (e.kind === 'AEXPR_OP' && op === '=') return isConst(e.rexpr);
    if (e.kind === 'AEXPR_IN') return (e.rexpr?.List?.items ?? [e.rexpr]).every(isConst);
    return false;
  });
}

/** Why an ALTER TABLE subcommand touches every row, or undefined when it only changes the catalog. */
function alterLong(cmd: Node, st: MigrationStatement, table: string, pg: number, before: Map<string, string> | undefined): Omit<Long, 'table' | 'lock'> | undefined {
  switch (cmd.subtype) {
    case 'AT_AlterColumnType': {
      const column = String(cmd.name ?? '').toLowerCase();
      const to = typeNameToString(cmd.def?.ColumnDef?.typeName).toLowerCase();
      const from = before?.get(`${table}.${column}`);
      const using = !!cmd.def?.ColumnDef?.raw_default;
      if (from && !using && typeChange(from, to) === 'safe') return undefined;
      return { what: `ALTER COLUMN "${column}" TYPE ${to} rewrites every row and index of`, op: 'rewrite', safer: `a new ${to} column with ${BACKFILL}` };
    }
    case 'AT_AddColumn': {
      const def = cmd.def?.ColumnDef;
      const column = String(def?.colname ?? '');
      if (hasConstraint(def, 'CONSTR_PRIMARY') || hasConstraint(def, 'CONSTR_UNIQUE')) {
        return { what: `ADD COLUMN "${column}" builds a unique index over`, op: 'index build', safer: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX' };
      }
      const expr = hasConstraint(def, 'CONSTR_DEFAULT')?.raw_expr;
      const perRow =
        isSerial(def?.typeName) || hasConstraint(def, 'CONSTR_IDENTITY') || hasConstraint(def, 'CONSTR_GENERATED') || (expr && (volatileCall(expr) || (pg < 11 && !expr.A_Const?.isnull)));
      return perRow ? { what: `ADD COLUMN "${column}" with a per-row default rewrites every row of`, op: 'rewrite', safer: `adding the column without the default, then ${BACKFILL}` } : undefined;
    }
    case 'AT_AddConstraint': {
      const c = cmd.def?.Constraint;
      if (!c) return undefined;
      if ((c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_FOREIGN') && !isNotValid(st, c)) {
        return { what: `ADD CONSTRAINT ${c.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK'} validates every row of`, op: 'validation', safer: 'ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later step' };
      }
      if (['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(c.contype) && !c.indexname) {
        return { what: `ADD CONSTRAINT ${c.contype === 'CONSTR_EXCLUSION' ? 'EXCLUDE' : c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} builds an index over`, op: 'index build', safer: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX' };
      }
      return undefined;
    }
    case 'AT_SetNotNull':
      return { what: `SET NOT NULL on "${String(cmd.name ?? '')}" scans every row of`, op: 'scan', safer: 'a CHECK (… IS NOT NULL) NOT VALID + VALIDATE first (PostgreSQL 12+ then skips the scan), or ADD COLUMN … NOT NULL DEFAULT <constant> in one step' };
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
      return { what: `SET ${cmd.subtype === 'AT_SetLogged' ? 'LOGGED' : 'UNLOGGED'} rewrites every row of`, op: 'rewrite', safer: 'a maintenance window' };
    default:
      return undefined;
  }
}

/** The statement's table-sized work on a table that existed before this migration, or undefined. */
function longRunning(m: Migration, st: MigrationStatement, pg: number, before: Map<string, string> | undefined): Long | undefined {
  const ast = st.ast;
  if (!ast) return undefined;
  const created = createdEarlier(m, st).tables;
  const alter = alterTable(st);
  if (alter) {
    if (created.has(alter.table)) return undefined;
    const lock = locksOf(st).find((l) => l.table === alter.table)?.mode;
    for (const cmd of alter.cmds) {
      const long = alterLong(cmd, st, alter.table, pg, before);
      if (long) return { ...long, table: alter.table, lock };
    }
    return undefined;
  }
  const idx = ast.IndexStmt;
  if (idx) {
    const table = relName(idx.relation);
    if (idx.concurrent || !table || created.has(table)) return undefined;
    return { what: 'CREATE INDEX builds an index over', table, lock: 'SHARE', op: 'index build', safer: 'CREATE INDEX CONCURRENTLY (outside the transaction)' };
  }
  const dml = ast.UpdateStmt ?? ast.DeleteStmt;
  if (dml) {
    const table = relName(dml.relation);
    if (!table || created.has(table) || pinsRows(dml.whereClause)) return undefined;
    return { what: `${ast.UpdateStmt ? 'UPDATE' : 'DELETE'} touches every matching row of`, table, op: ast.UpdateStmt ? 'backfill' : 'delete', safer: BACKFILL };
  }
  const re = ast.ReindexStmt;
  if (re) {
    const kind = String(re.kind ?? '').replace('REINDEX_OBJECT_', '');
    const name = relName(re.relation);
    if ((re.params ?? []).some((p: Node) => p.DefElem?.defname === 'concurrently') || !name) return undefined;
    if ((kind === 'TABLE' && created.has(name)) || (kind === 'INDEX' && createdEarlier(m, st).indexes.has(name)) || (kind !== 'TABLE' && kind !== 'INDEX')) return undefined;
    return { what: `REINDEX ${kind} rebuilds`, table: kind === 'INDEX' ? `the table of index "${name}"` : name, lock: 'SHARE', op: 'index build', safer: 'REINDEX … CONCURRENTLY (PostgreSQL 12+)' };
  }
  if (ast.VacuumStmt && !isVacuumFull(ast.VacuumStmt)) return undefined;
  if (ast.VacuumStmt || ast.ClusterStmt || ast.RefreshMatViewStmt) {
    const l = locksOf(st).find((x) => !created.has(x.table));
    if (!l) return undefined;
    const refresh = !!ast.RefreshMatViewStmt;
    return {
      what: `${l.what} ${refresh ? 'recomputes' : 'rewrites'} all of`,
      table: l.table,
      lock: l.mode,
      op: refresh ? 'refresh' : 'rewrite',
      safer: refresh ? 'REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index)' : 'pg_repack, which rewrites without the long lock',
    };
  }
  return undefined;
}

export default defineRule({
  id: 'require-statement-timeout',
  category: 'schema',
  severity: 'warning',
  summary: 'A migration statement whose run time grows with the table (rewrite, index build, validation, backfill) has no statement_timeout bounding it.',
  docs: {
    what: 'Finds migrations with a statement whose duration grows with the size of a table that existed before the migration — a table rewrite (ALTER COLUMN TYPE that is not binary-coercible, ADD COLUMN with a volatile default or, before PostgreSQL 11, any default, SET LOGGED/UNLOGGED), a non-concurrent CREATE INDEX or REINDEX, ADD CONSTRAINT without NOT VALID (or PRIMARY KEY/UNIQUE without USING INDEX), SET NOT NULL, an UPDATE/DELETE backfill, VACUUM FULL, CLUSTER, a non-concurrent REFRESH MATERIALIZED VIEW — with no `SET statement_timeout` before it and none configured for the tool (Alembic env.py, connection options, an earlier `ALTER ROLE … SET statement_timeout`). Reported once per migration, at the first such statement. Metadata-only changes (a nullable ADD COLUMN, a constant default on PostgreSQL 11+, DROP COLUMN, renames) are left to require-lock-timeout: they finish in milliseconds once they have the lock.',
    why: 'Once granted, the lock is held until the statement (and its transaction) ends: a rewrite, an index build or a full-table validation on a large table blocks the application for minutes or hours, and nothing stops it. statement_timeout is the ceiling on that. It is not a fail-fast guard — that is lock_timeout — so it must be sized above the operation\'s normal run time: a short value such as 5s aborts the index build or backfill itself (and, set at the top of the migration, every long statement after it).',
    instead: "Set a ceiling sized to the operation: `SET statement_timeout = '15min';` at the top of the migration (Alembic: `op.execute(\"SET statement_timeout = '15min'\")` at the top of upgrade(), or in env.py); raise it for very large tables. 15min lets an index build or validation on a table of tens of GB finish while still stopping a runaway. To shorten the time anyone waits, pair `SET lock_timeout = '5s'` with the non-blocking forms: CREATE INDEX CONCURRENTLY, ADD CONSTRAINT … NOT VALID + VALIDATE CONSTRAINT, batched backfills.",
  },
  examples: {
    bad: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/002_users_email.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
    },
    good: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/002_users_email.sql': "SET lock_timeout = '5s';\nSET statement_timeout = '15min';\nCREATE INDEX users_email_idx ON users (email);\n",
    },
  },
  check(ctx) {
    const pg = ctx.settings.postgresVersion;
    // Column types just before each ALTER TYPE, so binary-coercible changes count as metadata-only.
    const before = typesBeforeAlterType(ctx.facts);
    for (const m of ctx.facts.migrations) {
      // Every long statement the ceiling would bound (up to a SET statement_timeout): the help must size it
      // above all of them, or the advice aborts a later index build the reader did not think of.
      const longs: { st: MigrationStatement; long: Long }[] = [];
      for (const st of m.upgrade) {
        if (setsSetting(st, 'statement_timeout')) break;
        const long = longRunning(m, st, pg, before.get(st));
        if (long) longs.push({ st, long });
      }
      const first = longs[0];
      if (!first) continue;
      if (configuredBy(ctx, m, 'statement_timeout') || configuredByEarlierMigration(ctx, m, 'statement_timeout')) continue;
      const { st, long } = first;
      const sql = `SET statement_timeout = ${CEILING}`;
      const held = long.lock ? `, holding ${an(long.lock)} lock the whole time (${BLOCKS_WHAT[long.lock]} on it waits)` : ', locking each row it changes until the transaction ends';
      const later = longs.slice(1).filter((l) => l.st.span.line !== st.span.line);
      const laterText = later.map((l) => `the ${l.long.op} at line ${l.st.span.line}`);
      const sized = later.length
        ? `sized above the longest statement it bounds — ${listOf([`this ${long.op}`, ...(laterText.length > 3 ? [...laterText.slice(0, 2), `${laterText.length - 2} more`] : laterText)])} (a short value such as 5s aborts them)`
        : `sized above the ${long.op}'s expected run time (a short value such as 5s aborts the ${long.op} itself)`;
      const tail = `${sized}; to shorten the blocking window, use SET lock_timeout with ${long.safer}.`;
      const d = dialectOf(m, st);
      const help =
        d === 'sql'
          ? `Start the migration with ${sql}; ${tail}`
          : d === 'django'
            ? `Run migrations.RunSQL("${sql}") first in the migration, ${tail}`
            : `Add op.execute("${sql}") at the top of upgrade() (or set it in alembic/env.py), ${tail}`;
      const edit = prependEdit(ctx, m, sql);
      ctx.report({
        message: `${long.what} ${long.table.startsWith('the table of') ? long.table : `"${long.table}"`}${held}, and no statement_timeout bounds it: on a large table this runs for minutes or hours.`,
        help,
        span: st.span,
        fix: edit ? { title: `Set statement_timeout = ${CEILING} at the top of the migration`, edits: [edit] } : undefined,
        data: { table: long.table, lock: long.lock, operation: long.op, migration: m.id, alsoBounds: later.map((l) => ({ line: l.st.span.line, operation: l.long.op, table: l.long.table })) },
      });
    }
  },
});
