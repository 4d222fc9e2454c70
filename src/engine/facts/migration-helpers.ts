import { applyMigrationStatement } from '../sources/sql/apply';
import { scanSync } from '../sources/sql/parser';
import { typeNameToString } from '../sources/sql/deparse';
import { utf8ToUtf16Offset } from '../text';
import type { Fix, TextEdit } from '../types';
import type { ProjectFacts } from './index';
import type { Migration, MigrationStatement } from './migrations';
import { emptySchema, type Schema } from './schema';

// Small shared pieces of the migration-safety rules: which table a statement touches, whether that table
// (or column, or index) was created earlier in the same migration (then nobody can be using it yet, and
// the lock cannot hurt), help text in the migration's own dialect, and text edits for quick fixes that
// work on the file text under the statement's span, so the user's formatting stays.

type Node = Record<string, any>;

/** Lower-cased relation name of a RangeVar (`{ relname, schemaname }`), '' when absent. */
export function relName(rel: Node | undefined): string {
  return rel?.relname ? String(rel.relname).toLowerCase() : '';
}

/** An `ALTER TABLE` on a table (not an index, view or sequence): its table and its commands. */
export function alterTable(st: MigrationStatement): { table: string; cmds: Node[] } | undefined {
  const a = st.ast?.AlterTableStmt;
  if (!a || (a.objtype !== undefined && a.objtype !== 'OBJECT_TABLE')) return undefined;
  const table = relName(a.relation);
  if (!table) return undefined;
  return { table, cmds: (a.cmds ?? []).map((c: Node) => c.AlterTableCmd).filter(Boolean) };
}

/** One command of an ALTER TABLE in a migration's upgrade, with the migration and statement it stands in. */
export interface AlterCommand {
  m: Migration;
  st: MigrationStatement;
  table: string;
  cmd: Node;
  /** All commands of the same ALTER TABLE (a fix may rewrite the statement only when `cmd` is alone). */
  cmds: Node[];
}

/**
 * Every ALTER TABLE command of the migrations' upgrades, in order. With `existingTables`, commands on a table
 * the same migration created are left out: nothing else can be waiting on its lock yet.
 */
export function* alterCommands(migrations: readonly Migration[], opts: { existingTables?: boolean } = {}): Generator<AlterCommand> {
  for (const m of migrations) {
    for (const st of m.upgrade) {
      const alter = alterTable(st);
      if (!alter || (opts.existingTables && isNewTable(m, st, alter.table))) continue;
      for (const cmd of alter.cmds) yield { m, st, table: alter.table, cmd, cmds: alter.cmds };
    }
  }
}

/** What a migration itself created before statement `upto`: tables, indexes and `table.column`s. */
export interface CreatedEarlier {
  tables: Set<string>;
  indexes: Set<string>;
  columns: Set<string>;
}

const createdCache = new WeakMap<MigrationStatement, CreatedEarlier>();

export function createdEarlier(m: Migration, upto: MigrationStatement): CreatedEarlier {
  const cached = createdCache.get(upto);
  if (cached) return cached;
  const out: CreatedEarlier = { tables: new Set(), indexes: new Set(), columns: new Set() };
  for (const st of m.upgrade) {
    if (st === upto) break;
    const create = st.ast?.CreateStmt;
    const rel = create?.relation ?? st.ast?.CreateTableAsStmt?.into?.rel;
    if (relName(rel)) {
      const t = relName(rel);
      out.tables.add(t);
      for (const e of create?.tableElts ?? []) if (e.ColumnDef?.colname) out.columns.add(`${t}.${String(e.ColumnDef.colname).toLowerCase()}`);
    }
    if (st.ast?.IndexStmt?.idxname) out.indexes.add(String(st.ast.IndexStmt.idxname).toLowerCase());
    const alter = alterTable(st);
    for (const c of alter?.cmds ?? []) {
      if (c.subtype === 'AT_AddColumn' && c.def?.ColumnDef?.colname) out.columns.add(`${alter!.table}.${String(c.def.ColumnDef.colname).toLowerCase()}`);
    }
    const ren = st.ast?.RenameStmt;
    if (ren?.renameType === 'OBJECT_TABLE' && out.tables.has(relName(ren.relation)) && ren.newname) out.tables.add(String(ren.newname).toLowerCase());
  }
  createdCache.set(upto, out);
  return out;
}

/**
 * True when the table was created earlier in the same migration: no application traffic can reach it yet,
 * so a lock or a rewrite on it costs nothing. A table the migrations never created (a baseline outside the
 * repository) counts as existing: that is the dangerous case.
 */
export function isNewTable(m: Migration, st: MigrationStatement, table: string): boolean {
  return createdEarlier(m, st).tables.has(table.toLowerCase());
}

/**
 * True when the column was added (or its table created) earlier in the same migration: no deployed code
 * reads or writes it yet, so dropping or renaming it breaks nobody. Not a lock exemption: a column added to
 * an existing table lives in that table's rows, so a scan or rewrite for it (SET NOT NULL, ALTER TYPE)
 * costs as much as for any other column; rules about locks and scans use `isNewTable`.
 */
export function isNewColumn(m: Migration, st: MigrationStatement, table: string, column: string): boolean {
  const c = createdEarlier(m, st);
  return c.tables.has(table.toLowerCase()) || c.columns.has(`${table.toLowerCase()}.${column.toLowerCase()}`);
}

/** The `ADD COLUMN` (statement and ColumnDef) that added `table.column` earlier in the same migration, if any. */
export function addedEarlier(m: Migration, upto: MigrationStatement, table: string, column: string): { st: MigrationStatement; def: Node } | undefined {
  let found: { st: MigrationStatement; def: Node } | undefined;
  for (const st of m.upgrade) {
    if (st === upto) break;
    const alter = alterTable(st);
    if (alter?.table !== table.toLowerCase()) continue;
    for (const c of alter.cmds) {
      const def = c.subtype === 'AT_AddColumn' ? c.def?.ColumnDef : undefined;
      if (def && String(def.colname ?? '').toLowerCase() === column.toLowerCase()) found = { st, def };
    }
  }
  return found;
}

// ----- dialect -----

export type Dialect = 'alembic' | 'alembic-execute' | 'django' | 'sql';

/** How the step is written: an Alembic op, raw SQL inside `op.execute(...)`, a Django operation, or a SQL file. */
export function dialectOf(m: Migration, st: MigrationStatement): Dialect {
  if (m.tool === 'django') return 'django';
  if (st.op) return /(^|\.)(execute|exec_driver_sql)$/.test(st.op) ? 'alembic-execute' : 'alembic';
  return 'sql';
}

/**
 * Help in the migration's own dialect. `alembic` defaults to the SQL wrapped in `op.execute(...)`, `django`
 * to the SQL in `migrations.RunSQL(...)`.
 */
export function dialectHelp(m: Migration, st: MigrationStatement, h: { sql: string; alembic?: string; django?: string }): string {
  switch (dialectOf(m, st)) {
    case 'alembic':
      return h.alembic ?? `${h.sql} (in Alembic: op.execute(...) with that SQL)`;
    case 'alembic-execute':
      return h.alembic ?? h.sql;
    case 'django':
      return h.django ?? `${h.sql} (in Django: migrations.RunSQL(...) with that SQL)`;
    default:
      return h.sql;
  }
}

/** A Python string literal for SQL in help text. */
export function pyStr(sql: string): string {
  return sql.includes('"') ? `'${sql.replace(/'/g, "\\'")}'` : `"${sql}"`;
}

// ----- locks -----

export type LockMode = 'ACCESS EXCLUSIVE' | 'SHARE ROW EXCLUSIVE' | 'SHARE' | 'SHARE UPDATE EXCLUSIVE';

/** What each lock mode blocks, for messages. */
export const BLOCKS: Record<LockMode, string> = {
  'ACCESS EXCLUSIVE': 'every read and write',
  'SHARE ROW EXCLUSIVE': 'every INSERT, UPDATE and DELETE',
  SHARE: 'every INSERT, UPDATE and DELETE',
  'SHARE UPDATE EXCLUSIVE': 'other schema changes and VACUUM, but not reads or writes',
};

// ----- expressions, types, constraints -----

/** Built-in functions that are volatile: a default calling one is evaluated per row, so ADD COLUMN rewrites the table. */
export const VOLATILE_FUNCTIONS = new Set([
  'random',
  'setseed',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
  'gen_random_bytes',
  'random_normal',
]);

/**
 * The first volatile function a default expression calls (its name), or undefined. Functions the project
 * defines itself are unknown here and count as not volatile: a guess either way would be a false finding.
 */
export function volatileCall(expr: Node | undefined): string | undefined {
  let found: string | undefined;
  const visit = (n: unknown): void => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const o = n as Node;
    if (o.FuncCall) {
      const names: Node[] = o.FuncCall.funcname ?? [];
      const name = String(names[names.length - 1]?.String?.sval ?? '').toLowerCase();
      if (VOLATILE_FUNCTIONS.has(name)) {
        found = `${name}()`;
        return;
      }
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(expr);
  return found;
}

/** The constraints of a ColumnDef (`NOT NULL`, `DEFAULT`, `PRIMARY KEY`, `REFERENCES`…) by type. */
export function columnConstraints(def: Node | undefined): Node[] {
  return (def?.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
}

export function hasConstraint(def: Node | undefined, contype: string): Node | undefined {
  return columnConstraints(def).find((c) => c.contype === contype);
}

/** A TypeName as PostgreSQL names it ("character varying(20)"), lower case. */
export function typeName(t: Node | undefined): string {
  return typeNameToString(t).toLowerCase();
}

/** True when `skip_validation` (NOT VALID) is set, or the Alembic op asks for it (`postgresql_not_valid=True`). */
export function isNotValid(st: MigrationStatement, c: Node): boolean {
  return !!c.skip_validation || st.kwargs?.postgresql_not_valid === 'True';
}

/** Column names a constraint's CHECK expression requires to be non-null (`CHECK (col IS NOT NULL)`, ANDed). */
export function notNullCheckColumns(expr: Node | undefined): string[] {
  if (!expr) return [];
  const nt = expr.NullTest;
  if (nt && nt.nulltesttype === 'IS_NOT_NULL') {
    const f: Node[] = nt.arg?.ColumnRef?.fields ?? [];
    const name = f[f.length - 1]?.String?.sval;
    return name ? [String(name).toLowerCase()] : [];
  }
  const b = expr.BoolExpr;
  if (b?.boolop === 'AND_EXPR') return (b.args ?? []).flatMap((a: Node) => notNullCheckColumns(a));
  return [];
}

// ----- text edits -----

/**
 * Where the statement's SQL starts in the file: the span start for a .sql file; inside the string literal of
 * an `op.execute("…")` call when the SQL is written there verbatim (no escapes); else undefined.
 */
export function sqlOffset(text: string, st: MigrationStatement): number | undefined {
  if (!st.op) return text.startsWith(st.sql, st.span.start) ? st.span.start : undefined;
  if (!/(^|\.)(execute|exec_driver_sql)$/.test(st.op)) return undefined;
  const call = text.slice(st.span.start, st.span.end);
  const at = call.indexOf(st.sql);
  if (at < 0 || call.indexOf(st.sql, at + 1) >= 0) return undefined;
  return st.span.start + at;
}

export interface Token {
  /** UTF-16 offsets into the SQL text. */
  start: number;
  end: number;
  text: string;
  upper: string;
}

/** The statement's tokens (comments dropped), offsets relative to `sql`. */
export function sqlTokens(sql: string): Token[] {
  let raw: { start: number; end: number; text: string; tokenName: string }[];
  try {
    raw = scanSync(sql).tokens;
  } catch {
    return [];
  }
  const ascii = !/[^\x00-\x7f]/.test(sql);
  const at = (b: number) => (ascii ? b : utf8ToUtf16Offset(sql, b));
  return raw
    .filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT')
    .map((t) => ({ start: at(t.start), end: at(t.end), text: t.text, upper: t.text.toUpperCase() }));
}

/** An edit inserting `insert` into the statement's SQL at offset `at` of `st.sql`; undefined when the SQL is not in the file verbatim. */
export function sqlInsertEdit(text: string, st: MigrationStatement, at: number, insert: string): TextEdit | undefined {
  const base = sqlOffset(text, st);
  if (base === undefined) return undefined;
  return { file: st.span.file, start: base + at, end: base + at, newText: insert };
}

/** Offset in `st.sql` just after its last token (before a trailing `;` or comment). */
export function sqlEnd(st: MigrationStatement): number | undefined {
  const toks = sqlTokens(st.sql).filter((t) => t.text !== ';');
  return toks.length ? toks[toks.length - 1].end : undefined;
}

/**
 * Adds a keyword argument to an Alembic op call (`op.create_foreign_key(..., postgresql_not_valid=True)`),
 * keeping the call's layout. Undefined when the call already has it or its shape is unusual.
 */
export function addKwarg(text: string, st: MigrationStatement, name: string, value: string): { call: string } | undefined {
  if (!st.op || st.kwargs?.[name] !== undefined) return undefined;
  const call = text.slice(st.span.start, st.span.end);
  if (!call.endsWith(')')) return undefined;
  const inner = call.slice(0, -1);
  const trimmed = inner.trimEnd();
  const tail = inner.slice(trimmed.length);
  const kw = `${name}=${value}`;
  if (!call.includes('\n')) return { call: `${trimmed}${trimmed.endsWith('(') ? '' : trimmed.endsWith(',') ? ' ' : ', '}${kw}${tail})` };
  const lastLineStart = trimmed.lastIndexOf('\n') + 1;
  const argIndent = trimmed.slice(lastLineStart).match(/^\s*/)?.[0] ?? '';
  return { call: trimmed.endsWith(',') ? `${trimmed}\n${argIndent}${kw},${tail})` : `${trimmed}, ${kw}${tail})` };
}

/** Replaces the op call with `newCall`, as is. */
export function replaceCallEdit(st: MigrationStatement, newCall: string): TextEdit {
  return { file: st.span.file, start: st.span.start, end: st.span.end, newText: newCall };
}

/**
 * Replaces the op call with `newCall` wrapped in `with op.get_context().autocommit_block():` (for statements
 * that cannot run in a transaction block). Undefined when the call is not a statement on its own line.
 */
export function autocommitEdit(text: string, st: MigrationStatement, newCall: string): TextEdit | undefined {
  const { start, end, file } = st.span;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = text.slice(lineStart, start);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const step = indent.includes('\t') ? '\t' : '    ';
  const body = newCall
    .split('\n')
    .map((l, i) => (i === 0 ? `${indent}${step}${l}` : l.length ? `${step}${l}` : l))
    .join('\n');
  return { file, start: lineStart, end, newText: `${indent}with op.get_context().autocommit_block():\n${body}` };
}

/** A Fix from edits, or undefined when any edit could not be built. */
export function fixOf(title: string, ...edits: (TextEdit | undefined)[]): Fix | undefined {
  if (!edits.length || edits.some((e) => !e)) return undefined;
  return { title, edits: edits as TextEdit[] };
}


/** `NOT VALID` appended to a single-command ADD CONSTRAINT in SQL, or `postgresql_not_valid=True` on the Alembic op. */
export function notValidFix(text: string, st: MigrationStatement, singleCommand: boolean): Fix | undefined {
  const title = 'Add the constraint NOT VALID';
  if (st.op === 'op.create_foreign_key' || st.op === 'op.create_check_constraint') {
    const k = addKwarg(text, st, 'postgresql_not_valid', 'True');
    return k ? fixOf(title, replaceCallEdit(st, k.call)) : undefined;
  }
  if (st.op && !/(^|\.)(execute|exec_driver_sql)$/.test(st.op)) return undefined;
  const end = sqlEnd(st);
  if (!singleCommand || end === undefined) return undefined;
  return fixOf(title, sqlInsertEdit(text, st, end, ' NOT VALID'));
}

/**
 * Replays every migration in order onto a fresh schema, calling `visit` before each statement is applied,
 * so a rule can see the schema as it was just before a statement (a column's type before ALTER TYPE).
 */
export function replayMigrations(facts: ProjectFacts, visit: (m: Migration, st: MigrationStatement, schema: Schema) => void): void {
  const schema = emptySchema();
  for (const m of facts.migrations) {
    for (const st of m.upgrade) {
      visit(m, st, schema);
      if (st.ast) applyMigrationStatement(schema, st, m.file);
    }
  }
}

const typesBefore = new WeakMap<ProjectFacts, Map<MigrationStatement, Map<string, string>>>();

/**
 * For each ALTER … TYPE statement, the altered columns' types just before it, by "table.column" (lower case):
 * what decides whether PostgreSQL rewrites the table. Replayed once per analysis, for every rule that asks.
 */
export function typesBeforeAlterType(facts: ProjectFacts): Map<MigrationStatement, Map<string, string>> {
  const cached = typesBefore.get(facts);
  if (cached) return cached;
  const before = new Map<MigrationStatement, Map<string, string>>();
  replayMigrations(facts, (_m, st, schema) => {
    const alter = alterTable(st);
    for (const cmd of alter?.cmds ?? []) {
      if (cmd.subtype !== 'AT_AlterColumnType') continue;
      const column = String(cmd.name).toLowerCase();
      const col = schema.tables.get(alter!.table)?.columns.find((c) => c.name.toLowerCase() === column);
      if (col) (before.get(st) ?? before.set(st, new Map()).get(st)!).set(`${alter!.table}.${column}`, col.type);
    }
  });
  typesBefore.set(facts, before);
  return before;
}
