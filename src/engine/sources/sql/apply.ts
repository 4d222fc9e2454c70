import type { MigrationStatement, PgStmt } from '../../facts/migrations';
import { newTable, type Column, type Index, type Origin, type Schema, type Table } from '../../facts/schema';
import type { Span } from '../../types';
import { deparseExpr, isSerial, lastName, typeNameToString } from './deparse';

// Replays parsed DDL onto a Schema, the way PostgreSQL would apply it: every migration tool (Alembic ops
// translated to SQL, Flyway/Prisma/golang-migrate files) reaches the schema through here, so "what tables,
// columns and indexes exist after migration N" has one answer. The parser already folds unquoted identifiers
// to lower case; schema qualifiers go to `Table.schema`. Statements on tables the replay has not seen (a
// baseline outside the repository) are ignored rather than guessed at: a stub table would make other rules
// report missing keys that exist.

type Node = Record<string, any>;

interface Ctx {
  schema: Schema;
  span: Span;
  origin: Origin;
}

/** Applies one migration statement. Unknown or irrelevant statements (views, functions, DML) are no-ops. */
export function applyMigrationStatement(schema: Schema, st: MigrationStatement, _file: string, origin: Origin = 'migration'): void {
  if (!st.ast) return;
  applyStatement(schema, st.ast, st.span, origin);
}

/** Applies one parsed statement node (`{ CreateStmt: … }`) with the given span and origin. */
export function applyStatement(schema: Schema, ast: PgStmt, span: Span, origin: Origin = 'migration'): void {
  const ctx: Ctx = { schema, span, origin };
  const [kind] = Object.keys(ast);
  const n = ast[kind];
  if (!n) return;
  switch (kind) {
    case 'CreateStmt':
      return createTable(ctx, n);
    case 'IndexStmt':
      return createIndex(ctx, n);
    case 'AlterTableStmt':
      if (n.objtype === 'OBJECT_TABLE' || n.objtype === undefined) return alterTable(ctx, n);
      return;
    case 'DropStmt':
      return drop(ctx, n);
    case 'RenameStmt':
      return rename(ctx, n);
    default:
      return;
  }
}

const str = (n: Node | undefined): string => String(n?.String?.sval ?? '');
const names = (list: Node[] | undefined): string[] => (list ?? []).map(str).filter(Boolean);

function tableFor(ctx: Ctx, relation: Node | undefined): Table | undefined {
  return relation?.relname ? ctx.schema.tables.get(String(relation.relname)) : undefined;
}

function column(ctx: Ctx, table: Table, def: Node): Column {
  const serial = isSerial(def.typeName);
  const col: Column = {
    name: String(def.colname ?? ''),
    type: typeNameToString(def.typeName),
    nullable: true,
    primaryKey: false,
    unique: false,
    span: ctx.span,
  };
  if (serial) {
    col.default = `nextval('${seqName(table.name, col.name)}'::regclass)`;
    col.nullable = false;
  }
  if (def.raw_default) col.default = deparseExpr(def.raw_default);
  return col;
}

function seqName(table: string, col: string): string {
  return `${table}_${col}_seq`.slice(0, 63);
}

/** PostgreSQL's default constraint/index names (ChooseRelationName), without the collision suffixes. */
function defaultName(table: string, cols: string[], suffix: string): string {
  return [table, ...cols, suffix].join('_').slice(0, 63);
}

function createTable(ctx: Ctx, n: Node): void {
  const name = String(n.relation?.relname ?? '');
  if (!name) return;
  if (ctx.schema.tables.has(name) && n.if_not_exists) return;
  const table = newTable(name, ctx.origin, ctx.span);
  if (n.relation?.schemaname) table.schema = String(n.relation.schemaname);

  // PARTITION OF / INHERITS: the columns come from the parent.
  for (const parent of n.inhRelations ?? []) {
    const p = tableFor(ctx, parent.RangeVar);
    if (p) copyColumns(table, p, n.partbound ? true : false);
  }
  ctx.schema.tables.set(name, table);

  const deferred: Node[] = [];
  for (const elt of n.tableElts ?? []) {
    if (elt.ColumnDef) {
      const def = elt.ColumnDef;
      const existing = table.columns.find((c) => c.name === def.colname);
      if (existing && !def.typeName) {
        // Partition column options (`WITH OPTIONS NOT NULL`) only add constraints.
        columnConstraints(ctx, table, existing, def.constraints ?? []);
        continue;
      }
      const col = column(ctx, table, def);
      table.columns = table.columns.filter((c) => c.name !== col.name);
      table.columns.push(col);
      columnConstraints(ctx, table, col, def.constraints ?? []);
    } else if (elt.TableLikeClause) {
      const src = tableFor(ctx, elt.TableLikeClause.relation);
      // options is a bit mask; INCLUDING DEFAULTS is bit 3, INCLUDING INDEXES bit 6 (TableLikeOption).
      const opts = Number(elt.TableLikeClause.options ?? 0);
      if (src) copyColumns(table, src, (opts & (1 << 6)) !== 0, (opts & (1 << 3)) !== 0);
    } else if (elt.Constraint) {
      deferred.push(elt.Constraint);
    }
  }
  for (const c of deferred) addConstraint(ctx, table, c);
}

function copyColumns(dst: Table, src: Table, withIndexes: boolean, withDefaults = true): void {
  for (const c of src.columns) {
    if (dst.columns.some((d) => d.name === c.name)) continue;
    const copy: Column = { ...c, span: dst.span };
    if (!withDefaults) delete copy.default;
    if (!withIndexes) {
      copy.primaryKey = false;
      copy.unique = false;
    }
    dst.columns.push(copy);
  }
  if (withIndexes) {
    dst.primaryKey = [...src.primaryKey];
    for (const ix of src.indexes) dst.indexes.push({ ...ix, keys: ix.keys.map((k) => ({ ...k })), table: dst.name, name: undefined, span: dst.span });
  }
}

function columnConstraints(ctx: Ctx, table: Table, col: Column, constraints: Node[]): void {
  for (const wrapper of constraints) {
    const c = wrapper.Constraint;
    if (!c) continue;
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        col.nullable = false;
        break;
      case 'CONSTR_NULL':
        col.nullable = true;
        break;
      case 'CONSTR_DEFAULT':
        col.default = deparseExpr(c.raw_expr);
        break;
      case 'CONSTR_IDENTITY':
        col.nullable = false;
        break;
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE':
      case 'CONSTR_FOREIGN':
      case 'CONSTR_CHECK':
        addConstraint(ctx, table, { ...c, keys: c.keys ?? [{ String: { sval: col.name } }], fk_attrs: c.fk_attrs ?? [{ String: { sval: col.name } }] }, col.name);
        break;
      default:
        break;
    }
  }
}

/** Adds a table constraint (CREATE TABLE element, column constraint, or ALTER TABLE … ADD CONSTRAINT). */
function addConstraint(ctx: Ctx, table: Table, c: Node, columnName?: string): void {
  switch (c.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE': {
      const primary = c.contype === 'CONSTR_PRIMARY';
      if (c.indexname) return constraintUsingIndex(table, c, primary);
      const cols = names(c.keys);
      const name = c.conname ? String(c.conname) : primary ? `${table.name}_pkey` : defaultName(table.name, cols, 'key');
      const include = names(c.including);
      const ix: Index = {
        name,
        table: table.name,
        keys: cols.map((column) => ({ column })),
        unique: true,
        method: 'btree',
        constraint: primary ? 'primary' : 'unique',
        span: ctx.span,
        origin: ctx.origin,
      };
      if (include.length) ix.include = include;
      table.indexes.push(ix);
      if (primary) markPrimary(table, cols);
      else if (cols.length === 1) {
        const col = table.columns.find((x) => x.name === cols[0]);
        if (col) col.unique = true;
      }
      return;
    }
    case 'CONSTR_FOREIGN': {
      const cols = names(c.fk_attrs);
      const refTable = String(c.pktable?.relname ?? '');
      let refColumns = names(c.pk_attrs);
      if (!refColumns.length) refColumns = ctx.schema.tables.get(refTable)?.primaryKey ?? (refTable === table.name ? table.primaryKey : []);
      const fk = {
        name: c.conname ? String(c.conname) : defaultName(table.name, cols, 'fkey'),
        table: table.name,
        columns: cols,
        refTable,
        refColumns: [...refColumns],
        span: ctx.span,
        origin: ctx.origin,
      } as Table['foreignKeys'][number];
      const action = FK_ACTIONS[String(c.fk_del_action ?? 'a')];
      if (action) fk.onDelete = action;
      table.foreignKeys.push(fk);
      return;
    }
    case 'CONSTR_CHECK': {
      const cols = columnName ? [columnName] : [];
      table.checks.push({
        name: c.conname ? String(c.conname) : defaultName(table.name, cols, 'check'),
        table: table.name,
        expression: deparseExpr(c.raw_expr),
        span: ctx.span,
      });
      return;
    }
    case 'CONSTR_EXCLUSION': {
      const keys = (c.exclusions ?? []).map((e: Node) => indexKey(e.List?.items?.[0]?.IndexElem ?? {}));
      table.indexes.push({
        name: c.conname ? String(c.conname) : defaultName(table.name, keys.map((k: { column?: string }) => k.column ?? 'expr'), 'excl'),
        table: table.name,
        keys,
        unique: false,
        method: String(c.access_method ?? 'btree'),
        where: c.where_clause ? deparseExpr(c.where_clause) : undefined,
        span: ctx.span,
        origin: ctx.origin,
      });
      return;
    }
    default:
      return;
  }
}

/** PostgreSQL's one-letter referential actions (a = NO ACTION, the default, left unset). */
const FK_ACTIONS: Record<string, string> = { c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT', r: 'RESTRICT' };

function markPrimary(table: Table, cols: string[]): void {
  table.primaryKey = [...cols];
  for (const col of table.columns) {
    if (cols.includes(col.name)) {
      col.nullable = false;
      col.primaryKey = true;
    }
  }
}

/** ADD CONSTRAINT … PRIMARY KEY / UNIQUE USING INDEX: the index becomes the constraint (and takes its name). */
function constraintUsingIndex(table: Table, c: Node, primary: boolean): void {
  const ix = table.indexes.find((i) => i.name === c.indexname);
  if (!ix) return;
  ix.constraint = primary ? 'primary' : 'unique';
  ix.unique = true;
  if (c.conname) ix.name = String(c.conname);
  const cols = ix.keys.map((k) => k.column).filter((k): k is string => !!k);
  if (primary) markPrimary(table, cols);
  else if (cols.length === 1) {
    const col = table.columns.find((x) => x.name === cols[0]);
    if (col) col.unique = true;
  }
}

function indexKey(elem: Node): { column?: string; expression?: string; opclass?: string } {
  const key: { column?: string; expression?: string; opclass?: string } = {};
  if (elem.name) key.column = String(elem.name);
  else if (elem.expr) {
    // `(email)` written as an expression is a plain column key to PostgreSQL.
    if (elem.expr.ColumnRef?.fields?.length === 1 && elem.expr.ColumnRef.fields[0].String) key.column = str(elem.expr.ColumnRef.fields[0]);
    else key.expression = deparseExpr(elem.expr);
  }
  const opclass = lastName(elem.opclass);
  if (opclass) key.opclass = opclass;
  return key;
}

function createIndex(ctx: Ctx, n: Node): void {
  const table = tableFor(ctx, n.relation);
  if (!table) return;
  const keys = (n.indexParams ?? []).map((p: Node) => indexKey(p.IndexElem ?? {}));
  const name = n.idxname
    ? String(n.idxname)
    : defaultName(table.name, keys.map((k: { column?: string }) => k.column ?? 'expr'), n.unique ? 'key' : 'idx');
  if (n.if_not_exists && table.indexes.some((ix) => ix.name === name)) return;
  const ix: Index = {
    name,
    table: table.name,
    keys,
    unique: !!n.unique,
    method: String(n.accessMethod ?? 'btree'),
    span: ctx.span,
    origin: ctx.origin,
  };
  if (n.whereClause) ix.where = deparseExpr(n.whereClause);
  const include = (n.indexIncludingParams ?? []).map((p: Node) => String(p.IndexElem?.name ?? '')).filter(Boolean);
  if (include.length) ix.include = include;
  table.indexes.push(ix);
}

function alterTable(ctx: Ctx, n: Node): void {
  const table = tableFor(ctx, n.relation);
  if (!table) return;
  for (const wrapper of n.cmds ?? []) {
    const cmd = wrapper.AlterTableCmd;
    if (!cmd) continue;
    const col = cmd.name ? table.columns.find((c) => c.name === cmd.name) : undefined;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = cmd.def?.ColumnDef;
        if (!def) break;
        if (table.columns.some((c) => c.name === def.colname)) break; // ADD COLUMN IF NOT EXISTS, or a duplicate
        const c = column(ctx, table, def);
        table.columns.push(c);
        columnConstraints(ctx, table, c, def.constraints ?? []);
        break;
      }
      case 'AT_DropColumn':
        if (col) dropColumn(ctx, table, col.name, cmd.behavior === 'DROP_CASCADE');
        break;
      case 'AT_AlterColumnType':
        if (col && cmd.def?.ColumnDef?.typeName) col.type = typeNameToString(cmd.def.ColumnDef.typeName);
        break;
      case 'AT_SetNotNull':
        if (col) col.nullable = false;
        break;
      case 'AT_DropNotNull':
        if (col) col.nullable = true;
        break;
      case 'AT_ColumnDefault':
        if (col) {
          if (cmd.def) col.default = deparseExpr(cmd.def);
          else delete col.default;
        }
        break;
      case 'AT_AddIdentity':
        if (col) col.nullable = false;
        break;
      case 'AT_AddConstraint':
        if (cmd.def?.Constraint) addConstraint(ctx, table, cmd.def.Constraint);
        break;
      case 'AT_DropConstraint':
        if (cmd.name) dropConstraint(table, String(cmd.name));
        break;
      default:
        break;
    }
  }
}

function dropColumn(ctx: Ctx, table: Table, name: string, cascade: boolean): void {
  table.columns = table.columns.filter((c) => c.name !== name);
  // PostgreSQL drops the indexes, constraints and checks that use the column along with it (keys, INCLUDE,
  // expressions and partial-index predicates alike).
  const mentions = (sql: string | undefined) => !!sql && new RegExp(`(^|[^\\w."'])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w"'])`).test(sql);
  table.indexes = table.indexes.filter(
    (ix) => !ix.keys.some((k) => k.column === name || mentions(k.expression)) && !(ix.include ?? []).includes(name) && !mentions(ix.where),
  );
  table.checks = table.checks.filter((ck) => !mentions(ck.expression));
  table.foreignKeys = table.foreignKeys.filter((fk) => !fk.columns.includes(name));
  if (table.primaryKey.includes(name)) {
    table.primaryKey = [];
    for (const c of table.columns) c.primaryKey = false;
  }
  if (cascade) {
    for (const other of ctx.schema.tables.values()) {
      other.foreignKeys = other.foreignKeys.filter((fk) => !(fk.refTable === table.name && fk.refColumns.includes(name)));
    }
  }
}

function dropConstraint(table: Table, name: string): void {
  const ix = table.indexes.find((i) => i.name === name && i.constraint);
  if (ix) {
    table.indexes = table.indexes.filter((i) => i !== ix);
    const cols = ix.keys.map((k) => k.column).filter((k): k is string => !!k);
    if (ix.constraint === 'primary') {
      table.primaryKey = [];
      for (const c of table.columns) c.primaryKey = false;
    } else if (cols.length === 1 && !table.indexes.some((i) => i.unique && i.keys.length === 1 && i.keys[0].column === cols[0])) {
      const col = table.columns.find((c) => c.name === cols[0]);
      if (col) col.unique = false;
    }
    return;
  }
  table.foreignKeys = table.foreignKeys.filter((fk) => fk.name !== name);
  table.checks = table.checks.filter((ck) => ck.name !== name);
}

function drop(ctx: Ctx, n: Node): void {
  for (const obj of n.objects ?? []) {
    const parts = names(obj.List?.items);
    const name = parts[parts.length - 1];
    if (!name) continue;
    if (n.removeType === 'OBJECT_TABLE') {
      ctx.schema.tables.delete(name);
      for (const other of ctx.schema.tables.values()) other.foreignKeys = other.foreignKeys.filter((fk) => fk.refTable !== name);
    } else if (n.removeType === 'OBJECT_INDEX') {
      const found = findIndex(ctx.schema, name);
      if (found) found.table.indexes = found.table.indexes.filter((ix) => ix !== found.index);
    }
  }
}

function findIndex(schema: Schema, name: string): { table: Table; index: Index } | undefined {
  for (const table of schema.tables.values()) {
    const index = table.indexes.find((ix) => ix.name === name);
    if (index) return { table, index };
  }
  return undefined;
}

function rename(ctx: Ctx, n: Node): void {
  const newname = String(n.newname ?? '');
  if (!newname) return;
  switch (n.renameType) {
    case 'OBJECT_TABLE': {
      const table = tableFor(ctx, n.relation);
      if (!table || ctx.schema.tables.has(newname)) return;
      const old = table.name;
      ctx.schema.tables.delete(old);
      table.name = newname;
      ctx.schema.tables.set(newname, table);
      for (const ix of table.indexes) ix.table = newname;
      for (const ck of table.checks) ck.table = newname;
      for (const t of ctx.schema.tables.values()) {
        for (const fk of t.foreignKeys) {
          if (fk.table === old) fk.table = newname;
          if (fk.refTable === old) fk.refTable = newname;
        }
      }
      return;
    }
    case 'OBJECT_COLUMN': {
      const table = tableFor(ctx, n.relation);
      const oldName = String(n.subname ?? '');
      const col = table?.columns.find((c) => c.name === oldName);
      if (!table || !col) return;
      col.name = newname;
      const swap = (c: string) => (c === oldName ? newname : c);
      table.primaryKey = table.primaryKey.map(swap);
      // Expressions and predicates name the column too (PostgreSQL stores them by column number).
      const re = new RegExp(`(^|[^\\w."'])${oldName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[^\\w"'])`, 'g');
      const inText = (sql: string) => sql.replace(re, (_m, pre: string) => pre + newname);
      for (const ix of table.indexes) {
        for (const k of ix.keys) {
          if (k.column === oldName) k.column = newname;
          if (k.expression) k.expression = inText(k.expression);
        }
        if (ix.include) ix.include = ix.include.map(swap);
        if (ix.where) ix.where = inText(ix.where);
      }
      for (const ck of table.checks) ck.expression = inText(ck.expression);
      for (const fk of table.foreignKeys) fk.columns = fk.columns.map(swap);
      for (const t of ctx.schema.tables.values()) {
        for (const fk of t.foreignKeys) if (fk.refTable === table.name) fk.refColumns = fk.refColumns.map(swap);
      }
      return;
    }
    case 'OBJECT_INDEX': {
      const found = findIndex(ctx.schema, String(n.relation?.relname ?? ''));
      if (found) found.index.name = newname;
      return;
    }
    case 'OBJECT_TABCONSTRAINT': {
      const table = tableFor(ctx, n.relation);
      const old = String(n.subname ?? '');
      if (!table) return;
      for (const ix of table.indexes) if (ix.constraint && ix.name === old) ix.name = newname;
      for (const fk of table.foreignKeys) if (fk.name === old) fk.name = newname;
      for (const ck of table.checks) if (ck.name === old) ck.name = newname;
      return;
    }
    default:
      return;
  }
}
