import { isSerial, lastName } from '../sources/sql/deparse';
import { isNonTransactional } from '../sources/sql/index';
import { stmtKind } from '../sources/sql/statements';
import { LineIndex, utf8ToUtf16Offset } from '../text';
import type { RuleContext } from '../rule';
import type { Span, TextEdit } from '../types';
import { createdEarlier, dialectOf, relName, sqlOffset, type LockMode } from './migration-helpers';
import type { Migration, MigrationStatement } from './migrations';

// Helpers for the type-hygiene, transaction and timeout rules: which locks a statement takes on which
// tables, how a migration's statements group into transactions, where a column definition is written,
// whether the migration tool's own configuration already sets lock_timeout / statement_timeout.

type Node = Record<string, any>;

// ----- spans of AST nodes -----

const lineIndexes = new Map<string, LineIndex>();

function lineIndex(file: string, text: string): LineIndex {
  const cached = lineIndexes.get(file);
  if (cached && cached.text === text) return cached;
  const idx = new LineIndex(text);
  lineIndexes.set(file, idx);
  return idx;
}

/**
 * The span of an AST node at byte `location` (libpg-query's offset) of `length` UTF-16 units. For a .sql
 * file the parser saw the whole file, so the offset is into the file; for `op.execute("…")` it is into the
 * SQL string; for other Alembic ops the statement's source map names the `sa.Column(...)` that produced it.
 * Falls back to the statement's span.
 */
export function nodeSpan(ctx: RuleContext, st: MigrationStatement, location: number | undefined, length = 1): Span {
  if (location === undefined || location < 0) return st.span;
  const text = ctx.text(st.span.file);
  if (!text) return st.span;
  let at: number | undefined;
  if (!st.op) at = utf8ToUtf16Offset(text, location);
  else {
    const inSql = utf8ToUtf16Offset(st.sql, location);
    const base = sqlOffset(text, st);
    if (base !== undefined) at = base + inSql;
    else {
      const part = (st.sourceMap ?? []).find((p) => p.start <= inSql && inSql < p.end);
      return part?.span ?? st.span;
    }
  }
  if (at === undefined || at < st.span.start || at > st.span.end) return st.span;
  return lineIndex(st.span.file, text).span(st.span.file, at, Math.min(at + length, st.span.end));
}

// ----- column definitions a migration introduces -----

export interface ColumnIntro {
  table: string;
  column: string;
  /** The TypeName node. */
  type: Node;
  /** The ColumnDef (absent for ALTER COLUMN TYPE). */
  def?: Node;
  how: 'create-table' | 'add-column' | 'alter-type';
  /** Byte location of the column definition (or the ALTER COLUMN command's type). */
  location?: number;
}

/** Column types a statement chooses: CREATE TABLE columns, ADD COLUMN, ALTER COLUMN … TYPE. */
export function columnIntros(st: MigrationStatement): ColumnIntro[] {
  const out: ColumnIntro[] = [];
  const create = st.ast?.CreateStmt;
  if (create && !create.partbound && !create.ofTypename) {
    const table = relName(create.relation);
    for (const e of create.tableElts ?? []) {
      const d = e.ColumnDef;
      if (d?.typeName && d.colname) out.push({ table, column: String(d.colname), type: d.typeName, def: d, how: 'create-table', location: d.location });
    }
  }
  const alter = st.ast?.AlterTableStmt;
  if (alter && (alter.objtype === undefined || alter.objtype === 'OBJECT_TABLE')) {
    const table = relName(alter.relation);
    for (const c of alter.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      const d = cmd?.def?.ColumnDef;
      if (cmd?.subtype === 'AT_AddColumn' && d?.typeName) out.push({ table, column: String(d.colname), type: d.typeName, def: d, how: 'add-column', location: d.location });
      if (cmd?.subtype === 'AT_AlterColumnType' && d?.typeName) out.push({ table, column: String(cmd.name), type: d.typeName, how: 'alter-type', location: d.typeName.location });
    }
  }
  return out;
}

/** The type's own name as written, lower-case: int4, serial, varchar, timestamp, bpchar… */
export function rawTypeName(type: Node): string {
  return lastName(type.names).toLowerCase();
}

export { isSerial };

/** The Alembic `sa.Column(...)` source text a column of a create_table/add_column came from, when known. */
export function columnSource(ctx: RuleContext, st: MigrationStatement, span: Span): string | undefined {
  if (!st.op || span === st.span) return undefined;
  return ctx.text(span.file)?.slice(span.start, span.end);
}

// ----- locks -----

export interface LockTarget {
  table: string;
  mode: LockMode | 'EXCLUSIVE';
  /** What takes it, for messages: "ALTER TABLE", "TRUNCATE", "REFRESH MATERIALIZED VIEW"… */
  what: string;
  /** DROP INDEX in SQL: the table is not written, `table` holds the index name. */
  viaIndex?: boolean;
}

/** The locked table as messages name it. */
export const lockedTable = (l: LockTarget) => (l.viaIndex ? `the table of index "${l.table}"` : `"${l.table}"`);

const RANK: Record<LockTarget['mode'], number> = {
  'SHARE UPDATE EXCLUSIVE': 1,
  SHARE: 2,
  'SHARE ROW EXCLUSIVE': 3,
  EXCLUSIVE: 4,
  'ACCESS EXCLUSIVE': 5,
};

const LOCK_MODES: Record<number, LockTarget['mode'] | undefined> = { 4: 'SHARE UPDATE EXCLUSIVE', 5: 'SHARE', 6: 'SHARE ROW EXCLUSIVE', 7: 'EXCLUSIVE', 8: 'ACCESS EXCLUSIVE' };

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL's documented lock levels). */
function alterCmdLock(cmd: Node): LockTarget['mode'] {
  switch (cmd.subtype) {
    case 'AT_ValidateConstraint':
    case 'AT_SetStatistics':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_AttachPartition':
      return 'SHARE UPDATE EXCLUSIVE';
    case 'AT_DetachPartition':
      return cmd.def?.PartitionCmd?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'AT_AddConstraint': {
      const c = cmd.def?.Constraint;
      if (c?.contype === 'CONSTR_FOREIGN') return 'SHARE ROW EXCLUSIVE';
      return 'ACCESS EXCLUSIVE';
    }
    default:
      return 'ACCESS EXCLUSIVE';
  }
}

/**
 * The table-level locks a statement takes (strongest per table), or [] for statements that block nobody
 * (CREATE TABLE, CONCURRENTLY forms, DML: DML row locks are a separate concern).
 */
export function locksOf(st: MigrationStatement): LockTarget[] {
  const ast = st.ast;
  if (!ast) return [];
  const kind = stmtKind(ast);
  const n = ast[kind] ?? {};
  const rels = (list: Node[] | undefined) => (list ?? []).map((r) => relName(r.RangeVar ?? r)).filter(Boolean);
  switch (kind) {
    case 'AlterTableStmt': {
      if (n.objtype !== undefined && n.objtype !== 'OBJECT_TABLE' && n.objtype !== 'OBJECT_MATVIEW') return [];
      const table = relName(n.relation);
      if (!table) return [];
      const cmds: Node[] = (n.cmds ?? []).map((c: Node) => c.AlterTableCmd).filter(Boolean);
      if (!cmds.length) return [];
      const mode = cmds.map(alterCmdLock).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
      const out: LockTarget[] = [{ table, mode, what: 'ALTER TABLE' }];
      for (const c of cmds) {
        const ref = c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN' ? relName(c.def.Constraint.pktable) : '';
        if (ref && ref !== table && !out.some((o) => o.table === ref)) out.push({ table: ref, mode: 'SHARE ROW EXCLUSIVE', what: 'a foreign key referencing it' });
      }
      return out;
    }
    case 'IndexStmt':
      return n.concurrent || !relName(n.relation) ? [] : [{ table: relName(n.relation), mode: 'SHARE', what: 'CREATE INDEX' }];
    case 'DropStmt':
      if (n.removeType === 'OBJECT_TABLE' || n.removeType === 'OBJECT_MATVIEW') {
        return (n.objects ?? []).map((o: Node) => {
          const items: Node[] = o?.List?.items ?? [];
          return { table: String(items[items.length - 1]?.String?.sval ?? '').toLowerCase(), mode: 'ACCESS EXCLUSIVE' as const, what: 'DROP TABLE' };
        }).filter((t: LockTarget) => t.table);
      }
      if (n.removeType === 'OBJECT_INDEX' && !n.concurrent) {
        const table = String(st.kwargs?.table_name ?? '').replace(/^[rbuRBU]*["']|["']$/g, '').toLowerCase();
        return (n.objects ?? []).map((o: Node) => {
          const items: Node[] = o?.List?.items ?? [];
          const index = String(items[items.length - 1]?.String?.sval ?? '').toLowerCase();
          return table ? { table, mode: 'ACCESS EXCLUSIVE' as const, what: 'DROP INDEX' } : { table: index, mode: 'ACCESS EXCLUSIVE' as const, what: 'DROP INDEX', viaIndex: true };
        }).filter((t: LockTarget) => t.table);
      }
      return [];
    case 'RenameStmt':
      if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT'].includes(n.renameType) && relName(n.relation)) {
        return [{ table: relName(n.relation), mode: 'ACCESS EXCLUSIVE', what: 'a rename' }];
      }
      return [];
    case 'TruncateStmt':
      return rels(n.relations).map((table) => ({ table, mode: 'ACCESS EXCLUSIVE' as const, what: 'TRUNCATE' }));
    case 'RefreshMatViewStmt':
      return n.concurrent || !relName(n.relation) ? [] : [{ table: relName(n.relation), mode: 'ACCESS EXCLUSIVE', what: 'REFRESH MATERIALIZED VIEW' }];
    case 'VacuumStmt':
      if (!isVacuumFull(n)) return [];
      return (n.rels ?? []).map((r: Node) => relName(r.VacuumRelation?.relation)).filter(Boolean).map((table: string) => ({ table, mode: 'ACCESS EXCLUSIVE' as const, what: 'VACUUM FULL' }));
    case 'ClusterStmt':
      return relName(n.relation) ? [{ table: relName(n.relation), mode: 'ACCESS EXCLUSIVE', what: 'CLUSTER' }] : [];
    case 'LockStmt': {
      const mode = LOCK_MODES[n.mode ?? 8];
      return mode && mode !== 'SHARE UPDATE EXCLUSIVE' ? rels(n.relations).map((table) => ({ table, mode, what: 'LOCK TABLE' })) : [];
    }
    case 'CreateTrigStmt':
      return relName(n.relation) ? [{ table: relName(n.relation), mode: 'SHARE ROW EXCLUSIVE', what: 'CREATE TRIGGER' }] : [];
    default:
      return [];
  }
}

export function isVacuumFull(n: Node): boolean {
  return (n.options ?? []).some((o: Node) => o.DefElem?.defname === 'full' && o.DefElem.arg?.Boolean?.boolval !== false && o.DefElem.arg?.String?.sval !== 'false');
}

/** Locks that block reads or writes (SHARE and stronger) on tables that existed before this migration. */
export function blockingLocks(m: Migration, st: MigrationStatement): LockTarget[] {
  const created = createdEarlier(m, st);
  return locksOf(st).filter((l) => l.mode !== 'SHARE UPDATE EXCLUSIVE' && !(l.viaIndex ? created.indexes : created.tables).has(l.table));
}

export const BLOCKS_WHAT: Record<LockTarget['mode'], string> = {
  'ACCESS EXCLUSIVE': 'every read and write',
  EXCLUSIVE: 'every write',
  'SHARE ROW EXCLUSIVE': 'every INSERT, UPDATE and DELETE',
  SHARE: 'every INSERT, UPDATE and DELETE',
  'SHARE UPDATE EXCLUSIVE': 'other schema changes and VACUUM',
};

// ----- transactions -----

const txKind = (st: MigrationStatement): string | undefined => st.ast?.TransactionStmt?.kind;
export const isBegin = (st: MigrationStatement) => txKind(st) === 'TRANS_STMT_BEGIN' || txKind(st) === 'TRANS_STMT_START';
export const isEnd = (st: MigrationStatement) => ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_ROLLBACK_PREPARED', 'TRANS_STMT_PREPARE'].includes(txKind(st) ?? '');

/**
 * The migration's statements grouped by the transaction they run in: consecutive in-transaction statements,
 * split at explicit COMMIT/ROLLBACK and BEGIN, and at statements that run on their own (autocommit).
 * Transaction-control statements themselves are left out.
 */
export function transactionsOf(m: Migration): MigrationStatement[][] {
  const out: MigrationStatement[][] = [];
  let cur: MigrationStatement[] = [];
  const flush = () => {
    if (cur.length) out.push(cur);
    cur = [];
  };
  for (const st of m.upgrade) {
    if (st.ast?.TransactionStmt) {
      if (isBegin(st) || isEnd(st)) flush();
      continue;
    }
    if (!st.inTransaction) {
      flush();
      continue;
    }
    cur.push(st);
  }
  flush();
  return out;
}

/**
 * Whether the migration tool itself wraps the whole file in a transaction (so an explicit BEGIN nests):
 * Alembic (transactional DDL), Flyway (unless the file holds a statement that cannot run in one), Drizzle,
 * dbmate and plain folders (unless `transaction:false`). golang-migrate and Prisma send the file as one
 * multi-statement query: a BEGIN there only turns the implicit transaction into an explicit one.
 */
export function toolWraps(m: Migration, text: string | undefined): boolean {
  switch (m.tool) {
    case 'alembic':
    case 'drizzle':
      return true;
    case 'flyway':
      return !m.upgrade.some((st) => st.ast && !st.ast.TransactionStmt && isNonTransactional(st.ast));
    case 'sql':
      return !/^--\s*migrate:up\b[^\n]*transaction:\s*false/m.test(text ?? '');
    default:
      return false;
  }
}

// ----- timeouts -----

/** A `SET [LOCAL] <name> = <non-zero>` statement (also `ALTER ROLE/DATABASE … SET`). */
export function setsSetting(st: MigrationStatement, name: string): boolean {
  const ast = st.ast;
  if (!ast) return false;
  const v: Node | undefined = ast.VariableSetStmt ?? ast.AlterRoleSetStmt?.setstmt?.VariableSetStmt ?? ast.AlterDatabaseSetStmt?.setstmt?.VariableSetStmt;
  if (!v || v.kind !== 'VAR_SET_VALUE' || String(v.name).toLowerCase() !== name) return false;
  const a = v.args?.[0]?.A_Const;
  if (!a) return true;
  if (a.ival !== undefined) return !!a.ival.ival;
  const s = String(a.sval?.sval ?? '').trim();
  return !/^0+\s*(ms|s|min)?$/.test(s);
}

/** Files through which migration tools (or connection options) set session settings for every migration. */
const TOOL_CONFIG = /(^|\/)(env\.py|alembic\.ini|flyway\.(conf|toml)|dbconfig\.ya?ml|\.env[^/]*|drizzle\.config\.[jt]s|migrate\.(conf|ya?ml))$/;

const configFiles = new WeakMap<object, string[]>();

/**
 * The file that configures `setting` for every migration of this tool, if any: Alembic's env.py
 * (`SET lock_timeout` executed on the connection, or `-c lock_timeout=…` in connect args), alembic.ini or
 * flyway.conf (connection options), a .env DATABASE_URL with `options=-c lock_timeout=…`.
 */
export function configuredBy(ctx: RuleContext, m: Migration, setting: string): string | undefined {
  let configs = configFiles.get(ctx.facts);
  if (!configs) {
    configs = [...ctx.facts.files.keys()].filter((p) => TOOL_CONFIG.test(p));
    configFiles.set(ctx.facts, configs);
  }
  for (const path of configs) {
    if (path.endsWith('env.py') && m.tool !== 'alembic') continue;
    const text = ctx.text(path);
    if (text && new RegExp(`\\b${setting}\\b`).test(text)) return path;
  }
  return undefined;
}

const roleSettings = new WeakMap<object, Map<string, number>>();

/** An earlier migration that sets it for the role or database (`ALTER ROLE app SET lock_timeout = '5s'`). */
export function configuredByEarlierMigration(ctx: RuleContext, m: Migration, setting: string): boolean {
  // Index (in apply order) of the first migration that sets each setting, computed once per analysis.
  let first = roleSettings.get(ctx.facts);
  if (!first) {
    first = new Map();
    ctx.facts.migrations.forEach((other, i) => {
      for (const st of other.upgrade) {
        if (!st.ast?.AlterRoleSetStmt && !st.ast?.AlterDatabaseSetStmt) continue;
        for (const name of ['lock_timeout', 'statement_timeout']) if (setsSetting(st, name) && !first!.has(name)) first!.set(name, i);
      }
    });
    roleSettings.set(ctx.facts, first);
  }
  const at = first.get(setting);
  return at !== undefined && at < ctx.facts.migrations.indexOf(m);
}

/**
 * An edit that puts one line before the migration's first statement: `SET …;` in SQL (after any header
 * comments such as dbmate's `-- migrate:up`), `op.execute("SET …")` at the top of Alembic's upgrade().
 */
export function prependEdit(ctx: RuleContext, m: Migration, sqlLine: string): TextEdit | undefined {
  const first = m.upgrade[0];
  if (!first) return undefined;
  const text = ctx.text(first.span.file);
  if (!text) return undefined;
  const lineStart = text.lastIndexOf('\n', first.span.start - 1) + 1;
  const indent = text.slice(lineStart, first.span.start);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const d = dialectOf(m, first);
  if (d === 'sql') return { file: first.span.file, start: lineStart, end: lineStart, newText: `${indent}${sqlLine};\n` };
  if (d === 'alembic' || d === 'alembic-execute') return { file: first.span.file, start: lineStart, end: lineStart, newText: `${indent}op.execute("${sqlLine}")\n` };
  return undefined;
}

// ----- iterating column types -----

export interface ColumnSite {
  m: Migration;
  st: MigrationStatement;
  col: ColumnIntro;
  /** The column's own span when known (SQL text, or the `sa.Column(...)` of a create_table), else the statement's. */
  span: Span;
  /** True when the migration is written as Alembic ops (help then names SQLAlchemy types). */
  alembic: boolean;
}

/** Every column type chosen by a migration's upgrade (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE). */
const siteCache = new WeakMap<object, ColumnSite[]>();

export function columnSites(ctx: RuleContext): ColumnSite[] {
  // Six rules read the same list: build it once per analysis.
  const cached = siteCache.get(ctx.facts);
  if (cached) return cached;
  const out: ColumnSite[] = [];
  siteCache.set(ctx.facts, out);
  for (const m of ctx.facts.migrations) {
    for (const st of m.upgrade) {
      for (const col of columnIntros(st)) {
        out.push({ m, st, col, span: nodeSpan(ctx, st, col.location, col.column.length), alembic: dialectOf(m, st) === 'alembic' });
      }
    }
  }
  return out;
}

/** The column's place in messages: `"orders"."id"`. */
export const colLabel = (c: ColumnIntro) => `"${c.table}"."${c.column}"`;

/** True when the column is (part of) the table's primary key, declared inline or as a table constraint. */
export function isPrimaryKeyColumn(st: MigrationStatement, c: ColumnIntro): boolean {
  if ((c.def?.constraints ?? []).some((x: Node) => x.Constraint?.contype === 'CONSTR_PRIMARY')) return true;
  for (const e of st.ast?.CreateStmt?.tableElts ?? []) {
    const k = e.Constraint;
    if (k?.contype === 'CONSTR_PRIMARY' && (k.keys ?? []).some((x: Node) => String(x.String?.sval ?? '').toLowerCase() === c.column.toLowerCase())) return true;
  }
  return false;
}

/** True when the column references another table (inline REFERENCES or a table-level FOREIGN KEY on it). */
export function isForeignKeyColumn(st: MigrationStatement, c: ColumnIntro): boolean {
  if ((c.def?.constraints ?? []).some((x: Node) => x.Constraint?.contype === 'CONSTR_FOREIGN')) return true;
  for (const e of st.ast?.CreateStmt?.tableElts ?? []) {
    const k = e.Constraint;
    if (k?.contype === 'CONSTR_FOREIGN' && (k.fk_attrs ?? []).some((x: Node) => String(x.String?.sval ?? '').toLowerCase() === c.column.toLowerCase())) return true;
  }
  return false;
}

export function isIdentityColumn(c: ColumnIntro): boolean {
  return !!c.def?.identity || (c.def?.constraints ?? []).some((x: Node) => x.Constraint?.contype === 'CONSTR_IDENTITY');
}

// ----- require-lock-timeout / require-statement-timeout -----

/**
 * Reports once per migration, at its first statement that takes a blocking lock on an existing table when
 * no `SET <setting>` ran earlier in the migration and neither the tool's configuration nor an earlier
 * `ALTER ROLE/DATABASE … SET` provides one.
 */
export function checkTimeout(ctx: RuleContext, setting: 'lock_timeout' | 'statement_timeout', explain: (l: LockTarget, st: MigrationStatement) => string): void {
  const value = "'5s'";
  for (const m of ctx.facts.migrations) {
    let first: { st: MigrationStatement; lock: LockTarget } | undefined;
    for (const st of m.upgrade) {
      if (setsSetting(st, setting)) break;
      const lock = blockingLocks(m, st)[0];
      if (lock) {
        first = { st, lock };
        break;
      }
    }
    if (!first) continue;
    if (configuredBy(ctx, m, setting) || configuredByEarlierMigration(ctx, m, setting)) continue;
    const { st, lock } = first;
    const d = dialectOf(m, st);
    const sql = `SET ${setting} = ${value}`;
    const help =
      d === 'sql'
        ? `Start the migration with ${sql}; so it gives up instead of queueing traffic (retry later).`
        : d === 'django'
          ? `Run migrations.RunSQL("${sql}") first in the migration.`
          : `Add op.execute("${sql}") at the top of upgrade(), or set it once for every migration in alembic/env.py (connection.execute(text("${sql}")) before context.run_migrations()).`;
    const edit = prependEdit(ctx, m, sql);
    ctx.report({
      message: explain(lock, st),
      help,
      span: st.span,
      fix: edit ? { title: `Set ${setting} at the top of the migration`, edits: [edit] } : undefined,
      data: { table: lock.table, lock: lock.mode, migration: m.id },
    });
  }
}

/** "an ACCESS EXCLUSIVE" / "a SHARE" lock. */
export const an = (mode: string) => (/^[AEIOU]/.test(mode) ? `an ${mode}` : `a ${mode}`);

// ----- one finding per statement for the type-hygiene rules -----

export interface StatementColumns<T> {
  m: Migration;
  st: MigrationStatement;
  table: string;
  /** The first offending column's span: where the finding is reported. */
  span: Span;
  alembic: boolean;
  /** The offending columns in statement order, each with what the rule worked out for it. */
  hits: { site: ColumnSite; info: T }[];
}

/**
 * The column sites a hygiene rule objects to (`pick` returns a truthy detail for them), grouped by the
 * statement that declares them: a CREATE TABLE with five integer keys is one decision, so one finding.
 */
export function offendingColumnsByStatement<T>(ctx: RuleContext, pick: (s: ColumnSite) => T | undefined | false): StatementColumns<T>[] {
  const out: StatementColumns<T>[] = [];
  for (const site of columnSites(ctx)) {
    const info = pick(site);
    if (!info) continue;
    const last = out[out.length - 1];
    if (last && last.st === site.st && last.table === site.col.table) last.hits.push({ site, info });
    else out.push({ m: site.m, st: site.st, table: site.col.table, span: site.span, alembic: site.alembic, hits: [{ site, info }] });
  }
  return out;
}

/** `"orders"."id" is` for one column, `"orders" columns "id", "user_id" are` for several. */
export function columnsSubject(g: StatementColumns<unknown>): string {
  if (g.hits.length === 1) return `${colLabel(g.hits[0].site.col)} is`;
  return `"${g.table}" columns ${g.hits.map((h) => `"${h.site.col.column}"`).join(', ')} are`;
}

/** Data for a grouped finding: the first column stays in `column` (as before), all of them in `columns`. */
export function columnsData(g: StatementColumns<unknown>): Record<string, unknown> {
  return { table: g.table, column: g.hits[0].site.col.column, columns: g.hits.map((h) => h.site.col.column), migration: g.m.id };
}
