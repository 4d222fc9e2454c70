import type { Node } from 'web-tree-sitter';
import { callArgs, calleeName, isTrue, shortName, stringValue } from './ast';
import { boolKw, columnList, fkAction, foreignKeyTarget, opsMap, serverDefaultSql, splitColumnRef, whereSql } from './sa-schema';
import { sqlTypeOf } from './sa-types';

// Alembic operations → the DDL PostgreSQL receives. Alembic renders these through SQLAlchemy's compiler;
// we render the same statements closely enough to parse and replay: names, types, nullability, defaults,
// keys, index options. Anything we cannot read statically (a variable table name) throws `Dynamic`.

export class Dynamic extends Error {}

/** An op argument: a source node, or a value implied by the context (the batch_alter_table's table name). */
export type Arg = Node | { implied: string };

const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently constraint create ' +
    'cross current_catalog current_date current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do else end ' +
    'except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning right select session_user ' +
    'similar some symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);

/** Quotes an identifier the way SQLAlchemy does: only when it is not a plain lower-case name or is reserved. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function qualified(name: string, schema?: string): string {
  return schema ? `${ident(schema)}.${ident(name)}` : ident(name);
}

/** A literal string argument (also `op.f("name")` and `sa.text("...")`); throws Dynamic otherwise. */
export function str(a: Arg | undefined, what: string): string {
  const v = strOpt(a);
  if (v === undefined) throw new Dynamic(`${what} is not a literal`);
  return v;
}

export function strOpt(a: Arg | undefined): string | undefined {
  if (!a) return undefined;
  if ('implied' in a) return a.implied;
  const s = stringValue(a);
  if (s !== undefined) return s;
  if (a.type === 'call') {
    const short = shortName(calleeName(a));
    if (short === 'f' || short === 'text' || short === 'quoted_name' || short === 'conv') return strOpt(callArgs(a).positional[0]);
  }
  return undefined;
}

const isNode = (a: Arg | undefined): a is Node => !!a && !('implied' in a);

function cols(a: Arg | undefined, what: string): string[] {
  if (!isNode(a)) throw new Dynamic(`${what} is not a literal`);
  const c = columnList(a);
  if (!c) throw new Dynamic(`${what} is not a literal list`);
  return c;
}

const colList = (names: string[]) => names.map(ident).join(', ');

/** One `sa.Column(...)` rendered as a column definition, plus what it implies outside the definition. */
export interface RenderedColumn {
  name: string;
  sql: string;
  primaryKey: boolean;
  index: boolean;
  unique: boolean;
}

export function renderColumn(call: Node): RenderedColumn {
  const args = callArgs(call);
  if (args.hasSplat) throw new Dynamic('column built from **kwargs');
  const name = str(args.positional[0] ?? args.keywords.get('name'), 'column name');
  let type: string | undefined;
  const parts: string[] = [];
  const refs: string[] = [];
  for (const p of args.positional.slice(1)) {
    if (p.type === 'call' && shortName(calleeName(p)) === 'ForeignKey') {
      const fk = callArgs(p);
      const t = foreignKeyTarget(fk.positional[0], () => undefined);
      if (!t) throw new Dynamic('ForeignKey target is not a literal');
      const action = fkAction(fk.keywords.get('ondelete'));
      const upd = fkAction(fk.keywords.get('onupdate'));
      refs.push(`REFERENCES ${ident(t.refTable)} (${ident(t.refColumn)})${action ? ` ON DELETE ${action}` : ''}${upd ? ` ON UPDATE ${upd}` : ''}`);
    } else if (type === undefined) type = sqlTypeOf(p);
  }
  type ??= sqlTypeOf(args.keywords.get('type_'));
  if (!type) throw new Dynamic(`type of column "${name}" is not known`);
  const kw = args.keywords;
  const primaryKey = isTrue(kw.get('primary_key'));
  const nullable = boolKw(kw, 'nullable') ?? !primaryKey;
  if (!nullable) parts.push('NOT NULL');
  const def = serverDefaultSql(kw.get('server_default'));
  if (def) parts.push(`DEFAULT ${def}`);
  const unique = isTrue(kw.get('unique'));
  const index = isTrue(kw.get('index'));
  if (unique && !index) parts.push('UNIQUE');
  parts.push(...refs);
  return { name, sql: [ident(name), type, ...parts].join(' '), primaryKey, index, unique };
}

function constraintName(kw: Map<string, Node>): string {
  const n = strOpt(kw.get('name'));
  return n ? `CONSTRAINT ${ident(n)} ` : '';
}

/** A table-level constraint inside create_table: sa.PrimaryKeyConstraint / UniqueConstraint / ForeignKeyConstraint / CheckConstraint. */
function renderTableConstraint(call: Node): string | undefined {
  const kind = shortName(calleeName(call));
  const args = callArgs(call);
  const kw = args.keywords;
  switch (kind) {
    case 'PrimaryKeyConstraint':
      return `${constraintName(kw)}PRIMARY KEY (${colList(args.positional.map((p) => str(p, 'column')))})`;
    case 'UniqueConstraint':
      return `${constraintName(kw)}UNIQUE (${colList(args.positional.map((p) => str(p, 'column')))})`;
    case 'CheckConstraint':
      return `${constraintName(kw)}CHECK (${str(args.positional[0], 'check condition')})`;
    case 'ForeignKeyConstraint': {
      const local = cols(args.positional[0], 'columns');
      const remote = cols(args.positional[1], 'referred columns').map((r) => splitColumnRef(r));
      if (!remote.length || remote.some((r) => !r)) throw new Dynamic('referred columns are not "table.column"');
      return `${constraintName(kw)}FOREIGN KEY (${colList(local)}) REFERENCES ${qualified(remote[0]!.table, remote[0]!.schema)} (${colList(remote.map((r) => r!.column))})${fkClauses(kw)}`;
    }
  }
  return undefined;
}

function fkClauses(kw: Map<string, Node>): string {
  const del = fkAction(kw.get('ondelete'));
  const upd = fkAction(kw.get('onupdate'));
  const deferrable = isTrue(kw.get('deferrable')) ? ' DEFERRABLE' : '';
  const initially = strOpt(kw.get('initially'));
  return `${del ? ` ON DELETE ${del}` : ''}${upd ? ` ON UPDATE ${upd}` : ''}${deferrable}${initially ? ` INITIALLY ${initially.toUpperCase()}` : ''}`;
}

export interface OpCall {
  /** Op name without the receiver: create_index. */
  name: string;
  positional: Arg[];
  keywords: Map<string, Node>;
  hasSplat: boolean;
}

/** One emitted statement, with the source node behind each part of a CREATE TABLE (UTF-16 offsets into `sql`). */
export interface EmittedSql {
  sql: string;
  parts?: { start: number; end: number; node: Node }[];
}

/** The SQL statements an Alembic op emits (several for alter_column with several changes). [] for ops that emit none. */
export function opToSql(op: OpCall): EmittedSql[] {
  if (op.name === 'create_table') return createTableSql(op);
  return opToPlainSql(op).map((sql) => ({ sql }));
}

function createTableSql(op: OpCall): EmittedSql[] {
  const { positional: p, keywords: kw } = op;
  if (op.hasSplat) throw new Dynamic(`op.${op.name} is called with *args/**kwargs`);
  const schema = strOpt(kw.get('schema'));
  const name = str(p[0], 'table name');
  const defs: { sql: string; node?: Node }[] = [];
  const pk: string[] = [];
  const after: EmittedSql[] = [];
  for (const a of p.slice(1)) {
    if (!isNode(a) || a.type !== 'call') throw new Dynamic('create_table argument is not a Column or constraint');
    const kind = shortName(calleeName(a));
    if (kind === 'Column') {
      const c = renderColumn(a);
      defs.push({ sql: c.sql, node: a });
      if (c.primaryKey) pk.push(c.name);
      if (c.index) after.push({ sql: `CREATE ${c.unique ? 'UNIQUE ' : ''}INDEX ${ident(`ix_${name}_${c.name}`.toLowerCase())} ON ${qualified(name, schema)} (${ident(c.name)})` });
    } else if (kind === 'Index') {
      // sa.Index("ix", "col") inside create_table: emitted after the table.
      const ix = callArgs(a);
      after.push({ sql: createIndexSql({ name: 'create_index', positional: [ix.positional[0], { implied: name }, ...ix.positional.slice(1)], keywords: ix.keywords, hasSplat: ix.hasSplat }, true) });
    } else {
      const c = renderTableConstraint(a);
      if (c === undefined) throw new Dynamic(`create_table argument ${kind} is not supported`);
      defs.push({ sql: c, node: a });
    }
  }
  if (pk.length) defs.push({ sql: `PRIMARY KEY (${colList(pk)})` });
  let sql = `CREATE TABLE ${qualified(name, schema)} (`;
  const parts: NonNullable<EmittedSql['parts']> = [];
  defs.forEach((d, i) => {
    if (i) sql += ', ';
    if (d.node) parts.push({ start: sql.length, end: sql.length + d.sql.length, node: d.node });
    sql += d.sql;
  });
  sql += ')';
  return [{ sql, parts }, ...after];
}

function opToPlainSql(op: OpCall): string[] {
  const { positional: p, keywords: kw } = op;
  if (op.hasSplat) throw new Dynamic(`op.${op.name} is called with *args/**kwargs`);
  const schema = strOpt(kw.get('schema'));
  const table = (a: Arg | undefined) => qualified(str(a, 'table name'), schema);
  switch (op.name) {
    case 'drop_table':
      return [`DROP TABLE ${table(p[0])}`];
    case 'rename_table':
      return [`ALTER TABLE ${table(p[0])} RENAME TO ${ident(str(p[1], 'new table name'))}`];
    case 'add_column': {
      const col = p[1];
      if (!isNode(col) || col.type !== 'call') throw new Dynamic('add_column column is not a literal sa.Column');
      const c = renderColumn(col);
      const out = [`ALTER TABLE ${table(p[0])} ADD COLUMN ${c.sql}${c.primaryKey ? ' PRIMARY KEY' : ''}`];
      if (c.index) out.push(`CREATE ${c.unique ? 'UNIQUE ' : ''}INDEX ${ident(`ix_${str(p[0], 'table')}_${c.name}`.toLowerCase())} ON ${table(p[0])} (${ident(c.name)})`);
      return out;
    }
    case 'drop_column':
      return [`ALTER TABLE ${table(p[0])} DROP COLUMN ${ident(str(p[1], 'column name'))}`];
    case 'alter_column': {
      const t = table(p[0]);
      const c = ident(str(p[1], 'column name'));
      const out: string[] = [];
      const typeNode = kw.get('type_');
      if (typeNode) {
        const ty = sqlTypeOf(typeNode);
        if (!ty) throw new Dynamic('type_ is not a known type');
        const using = strOpt(kw.get('postgresql_using'));
        out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${ty}${using ? ` USING ${using}` : ''}`);
      }
      const nullable = boolKw(kw, 'nullable');
      if (nullable !== undefined) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} ${nullable ? 'DROP' : 'SET'} NOT NULL`);
      const sd = kw.get('server_default');
      if (sd && sd.type !== 'false') {
        const def = serverDefaultSql(sd);
        if (sd.type === 'none') out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT`);
        else if (def) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${def}`);
        else throw new Dynamic('server_default is not a literal');
      }
      const rename = strOpt(kw.get('new_column_name'));
      if (rename) out.push(`ALTER TABLE ${t} RENAME COLUMN ${c} TO ${ident(rename)}`);
      return out;
    }
    case 'create_index':
      return [createIndexSql(op)];
    case 'drop_index': {
      const concurrently = isTrue(kw.get('postgresql_concurrently')) ? ' CONCURRENTLY' : '';
      const ifExists = isTrue(kw.get('if_exists')) ? ' IF EXISTS' : '';
      return [`DROP INDEX${concurrently}${ifExists} ${qualified(str(p[0] ?? kw.get('index_name'), 'index name'), schema)}`];
    }
    case 'create_unique_constraint':
      return [`ALTER TABLE ${table(p[1] ?? kw.get('table_name'))} ADD ${named(p[0])}UNIQUE (${colList(cols(p[2] ?? kw.get('columns'), 'columns'))})`];
    case 'create_primary_key':
      return [`ALTER TABLE ${table(p[1] ?? kw.get('table_name'))} ADD ${named(p[0])}PRIMARY KEY (${colList(cols(p[2] ?? kw.get('columns'), 'columns'))})`];
    case 'create_check_constraint': {
      const cond = p[2] ?? kw.get('condition');
      return [`ALTER TABLE ${table(p[1] ?? kw.get('table_name'))} ADD ${named(p[0])}CHECK (${str(cond, 'check condition')})`];
    }
    case 'create_foreign_key': {
      const src = qualified(str(p[1] ?? kw.get('source_table'), 'source table'), strOpt(kw.get('source_schema')));
      const ref = qualified(str(p[2] ?? kw.get('referent_table'), 'referent table'), strOpt(kw.get('referent_schema')));
      const local = cols(p[3] ?? kw.get('local_cols'), 'local columns');
      const remote = cols(p[4] ?? kw.get('remote_cols'), 'remote columns');
      return [`ALTER TABLE ${src} ADD ${named(p[0])}FOREIGN KEY (${colList(local)}) REFERENCES ${ref} (${colList(remote)})${fkClauses(kw)}`];
    }
    case 'drop_constraint':
      return [`ALTER TABLE ${table(p[1] ?? kw.get('table_name'))} DROP CONSTRAINT ${ident(str(p[0] ?? kw.get('constraint_name'), 'constraint name'))}`];
    case 'execute': {
      const sql = str(p[0] ?? kw.get('sqltext'), 'SQL');
      return [sql];
    }
  }
  throw new Dynamic(`op.${op.name} is not translated`);
}

function named(a: Arg | undefined): string {
  const n = strOpt(a);
  return n ? `CONSTRAINT ${ident(n)} ` : '';
}

function createIndexSql(op: OpCall, inCreateTable = false): string {
  const { positional: p, keywords: kw } = op;
  const schema = strOpt(kw.get('schema'));
  const name = strOpt(p[0] ?? kw.get('index_name'));
  const tableName = str(p[1] ?? kw.get('table_name'), 'table name');
  const colsArg = p[2] ?? kw.get('columns');
  const ops = opsMap(kw.get('postgresql_ops'));
  let keyNodes: Arg[];
  if (inCreateTable) keyNodes = p.slice(2);
  else if (isNode(colsArg) && (colsArg.type === 'list' || colsArg.type === 'tuple')) keyNodes = colsArg.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  else keyNodes = colsArg ? [colsArg] : [];
  if (!keyNodes.length) throw new Dynamic('index columns are not a literal list');
  const keys = keyNodes.map((k) => {
    const s = str(k, 'index column');
    if (/^[A-Za-z_][\w$]*$/.test(s)) {
      const opclass = ops.get(s.toLowerCase());
      return `${ident(s)}${opclass ? ` ${opclass}` : ''}`;
    }
    return `(${s})`;
  });
  const unique = isTrue(kw.get('unique')) ? 'UNIQUE ' : '';
  const concurrently = isTrue(kw.get('postgresql_concurrently')) ? 'CONCURRENTLY ' : '';
  const ifNotExists = isTrue(kw.get('if_not_exists')) ? 'IF NOT EXISTS ' : '';
  const using = strOpt(kw.get('postgresql_using'));
  const includeNode = kw.get('postgresql_include');
  const include = includeNode ? cols(includeNode, 'include columns') : [];
  const whereNode = kw.get('postgresql_where');
  const where = whereNode ? whereSql(whereNode) : undefined;
  if (whereNode && where === undefined) throw new Dynamic('postgresql_where is a Python expression');
  return (
    `CREATE ${unique}INDEX ${concurrently}${ifNotExists}${name ? `${ident(name)} ` : ''}ON ${qualified(tableName, schema)}` +
    `${using ? ` USING ${using}` : ''} (${keys.join(', ')})` +
    `${include.length ? ` INCLUDE (${colList(include)})` : ''}${where ? ` WHERE ${where}` : ''}`
  );
}
