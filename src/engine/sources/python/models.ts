import type { Node } from 'web-tree-sitter';
import type { FileFacts } from '../../facts';
import { newTable, type Column, type ForeignKey, type Index, type IndexKey, type Relationship, type Table } from '../../facts/schema';
import type { Span } from '../../types';
import { callArgs, calleeName, descendants, dottedName, isFalse, isTrue, shortName, stringValue } from './ast';
import type { PyContext } from './context';
import { boolKw, columnList, fkAction, foreignKeyTarget, indexKey, opsMap, serverDefaultSql, snakeCase, whereSql } from './sa-schema';
import { readMapped, sqlTypeOf } from './sa-types';

// SQLAlchemy declarative models (1.x `Column`, 2.0 `Mapped[...] = mapped_column(...)`, Flask-SQLAlchemy
// `db.Model`) and `Table(...)` objects → Table facts with origin 'model'. Mixins and abstract bases declared
// in the same file contribute their columns to every model that inherits them.

interface ClassInfo {
  node: Node;
  name: string;
  bases: string[];
  body: Node[];
  tablename?: string;
  /** `__tablename__` is set but not as a literal (declared_attr, a variable): the table name is unknown. */
  tablenameUnknown: boolean;
  abstract: boolean;
}

interface Attr {
  /** Python attribute name. */
  name: string;
  /** The statement, for spans. */
  stmt: Node;
  annotation?: Node;
  value?: Node;
}

const COLUMN_CALLS = new Set(['Column', 'mapped_column']);
const RELATIONSHIP_CALLS = new Set(['relationship', 'relation']);
const TABLE_ARG_CALLS = new Set(['Index', 'UniqueConstraint', 'PrimaryKeyConstraint', 'CheckConstraint', 'ForeignKeyConstraint']);

export function extractModels(ctx: PyContext, facts: FileFacts): void {
  if (!/\b(Column|mapped_column|__tablename__|Model|Table)\b/.test(ctx.text)) return;

  const classes = new Map<string, ClassInfo>();
  for (const node of descendants(ctx.root, 'class_definition')) {
    const info = readClass(node);
    if (info && !classes.has(info.name)) classes.set(info.name, info);
  }

  // Flask-SQLAlchemy: `db.Model` subclasses (directly or through bases in this file) are models. In a file
  // that imports django, `models.Model` (any `x.Model` but `db.Model`) is a Django model, read by django-models.
  const django = /^\s*(from|import)\s+django\b/m.test(ctx.text);
  const flaskBase = (b: string) => b.endsWith('.Model') && b.includes('.') && (!django || b === 'db.Model');
  const flaskMemo = new Map<string, boolean>();
  const isFlask = (c: ClassInfo, seen = new Set<string>()): boolean => {
    if (flaskMemo.has(c.name)) return flaskMemo.get(c.name)!;
    seen.add(c.name);
    const r = c.bases.some((b) => flaskBase(b) || (classes.has(b) && !seen.has(b) && isFlask(classes.get(b)!, seen)));
    flaskMemo.set(c.name, r);
    return r;
  };
  const hasConcreteAncestor = (c: ClassInfo, seen = new Set<string>()): boolean =>
    c.bases.some((b) => {
      const base = classes.get(b);
      if (!base || seen.has(b)) return false;
      seen.add(b);
      return isTableClass(base) || hasConcreteAncestor(base, seen);
    });
  const isTableClass = (c: ClassInfo): boolean => {
    if (c.abstract || c.tablenameUnknown) return false;
    if (c.tablename) return true;
    return isFlask(c) && !hasConcreteAncestor(c) && c.bases.length > 0;
  };
  const tableNameOf = (c: ClassInfo) => (c.tablename ?? snakeCase(c.name)).toLowerCase();

  // Table objects assigned at module level: `job_tags = Table("job_tags", metadata, Column(...), ...)`.
  const tableVars = new Map<string, string>();
  const tableObjects: { call: Node; name: string }[] = [];
  for (const stmt of ctx.root.namedChildren) {
    const assign = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const right = assign?.type === 'assignment' ? assign.childForFieldName('right') : undefined;
    if (!assign || !right || right.type !== 'call' || shortName(calleeName(right)) !== 'Table') continue;
    const name = stringValue(callArgs(right).positional[0]);
    if (!name) continue;
    const left = assign.childForFieldName('left');
    if (left?.type === 'identifier') tableVars.set(left.text, name.toLowerCase());
    tableObjects.push({ call: right, name: name.toLowerCase() });
  }

  const modelTable = (cls: string): string | undefined => {
    const c = classes.get(cls);
    return c && isTableClass(c) ? tableNameOf(c) : undefined;
  };

  const tables = new Map<string, Table>();
  const attrMaps = new Map<string, Map<string, string>>();

  for (const c of classes.values()) {
    if (!isTableClass(c)) continue;
    const tname = tableNameOf(c);
    const nameNode = c.node.childForFieldName('name');
    const table = newTable(tname, 'model', nameNode ? ctx.span(nameNode) : ctx.span(c.node));
    table.model = c.name;
    const attrs = collectAttrs(c, classes, isTableClass);
    const attrToColumn = new Map<string, string>();
    for (const a of attrs) {
      const call = a.value?.type === 'call' ? a.value : undefined;
      const callee = call ? shortName(calleeName(call)) : '';
      if (call && COLUMN_CALLS.has(callee)) {
        const col = readColumn(ctx, call, a, table, modelTable);
        if (col) attrToColumn.set(a.name, col);
      } else if (call && RELATIONSHIP_CALLS.has(callee)) {
        table.relationships.push(readRelationship(ctx, call, a, tableVars));
      } else if (!a.value && a.annotation) {
        // `salary_min: Mapped[int | None]`: a column with everything inferred from the annotation.
        const m = readMapped(a.annotation);
        if (m?.type) {
          addColumn(table, {
            name: a.name.toLowerCase(),
            type: m.type,
            nullable: m.optional,
            primaryKey: false,
            unique: false,
            span: ctx.span(a.stmt),
          });
          attrToColumn.set(a.name, a.name.toLowerCase());
        }
      }
    }
    attrMaps.set(c.name, attrToColumn);
    const tableArgs = c.body.map(assignmentOf).find((a) => a?.name === '__table_args__');
    if (tableArgs?.value) readTableArgs(ctx, tableArgs.value, table, (a) => attrToColumn.get(a) ?? a.toLowerCase(), modelTable);
    tables.set(c.name, table);
  }

  for (const { call, name } of tableObjects) {
    const table = newTable(name, 'model', ctx.span(call));
    const args = callArgs(call);
    for (const arg of args.positional.slice(1)) {
      if (arg.type !== 'call') continue;
      const callee = shortName(calleeName(arg));
      if (callee === 'Column') readColumn(ctx, arg, undefined, table, modelTable);
      else if (TABLE_ARG_CALLS.has(callee)) readTableArg(ctx, arg, table, (a) => a.toLowerCase(), modelTable);
    }
    tables.set(`\u0000${name}`, table);
  }

  // Module-level `Index("ix_x", Model.col)` statements.
  for (const stmt of ctx.root.namedChildren) {
    const call = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (call?.type !== 'call' || shortName(calleeName(call)) !== 'Index') continue;
    const first = callArgs(call).positional[1];
    const owner = first?.type === 'attribute' ? dottedName(first).split('.')[0] : undefined;
    const table = owner ? tables.get(owner) ?? tables.get(`\u0000${tableVars.get(owner) ?? ''}`) : undefined;
    if (table) readTableArg(ctx, call, table, (a) => attrMaps.get(owner!)?.get(a) ?? a.toLowerCase(), modelTable);
  }

  // Resolve in-file details that need every table: FK column types, backrefs.
  const byName = new Map([...tables.values()].map((t) => [t.name, t]));
  for (const t of tables.values()) {
    for (const fk of t.foreignKeys) {
      const target = byName.get(fk.refTable);
      fk.columns.forEach((c, i) => {
        const col = t.columns.find((x) => x.name === c);
        const ref = target?.columns.find((x) => x.name === fk.refColumns[i]);
        if (col && !col.type && ref) col.type = ref.type === 'serial' ? 'integer' : ref.type;
      });
    }
    for (const r of t.relationships) {
      if (!r.backref) continue;
      const target = tables.get(r.target);
      if (target && !target.relationships.some((x) => x.name === r.backref)) {
        target.relationships.push({ name: r.backref, target: t.model ?? t.name, lazy: backrefLazy.get(r) ?? 'select', backPopulates: r.name, span: r.span });
      }
    }
  }

  facts.tables.push(...tables.values());
}

const backrefLazy = new WeakMap<Relationship, string>();

function readClass(node: Node): ClassInfo | undefined {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  if (!name || !body) return undefined;
  const supers = node.childForFieldName('superclasses');
  const bases = (supers?.namedChildren ?? []).filter((b): b is Node => !!b && b.type !== 'keyword_argument').map((b) => dottedName(b) || b.text);
  const stmts = body.namedChildren.filter((s): s is Node => !!s);
  const info: ClassInfo = { node, name, bases, body: stmts, tablenameUnknown: false, abstract: false };
  for (const s of stmts) {
    const a = assignmentOf(s);
    if (a?.name === '__tablename__' && a.value) {
      const v = stringValue(a.value);
      if (v !== undefined) info.tablename = v;
      else if (a.value.type === 'none') info.abstract = true;
      else info.tablenameUnknown = true;
    } else if (a?.name === '__abstract__' && isTrue(a.value)) info.abstract = true;
    else if (isDeclaredAttr(s, '__tablename__')) info.tablenameUnknown = true;
  }
  return info;
}

function isDeclaredAttr(stmt: Node, name?: string): boolean {
  if (stmt.type !== 'decorated_definition') return false;
  const def = stmt.childForFieldName('definition');
  const decorated = stmt.namedChildren.some((d) => d?.type === 'decorator' && /declared_attr/.test(d.text));
  return decorated && (!name || def?.childForFieldName('name')?.text === name);
}

function assignmentOf(stmt: Node | undefined): Attr | undefined {
  if (!stmt || stmt.type !== 'expression_statement') return undefined;
  const a = stmt.namedChildren[0];
  if (a?.type !== 'assignment') return undefined;
  const left = a.childForFieldName('left');
  if (left?.type !== 'identifier') return undefined;
  return { name: left.text, stmt, annotation: a.childForFieldName('type') ?? undefined, value: a.childForFieldName('right') ?? undefined };
}

/** `@declared_attr def company_id(cls): return Column(...)` in a mixin: an attribute whose value is the returned call. */
function declaredAttrColumn(stmt: Node): Attr | undefined {
  if (!isDeclaredAttr(stmt)) return undefined;
  const def = stmt.childForFieldName('definition');
  const name = def?.childForFieldName('name')?.text;
  const ret = def ? descendants(def, 'return_statement')[0] : undefined;
  const value = ret?.namedChildren[0];
  if (!name || name.startsWith('__') || value?.type !== 'call') return undefined;
  return { name, stmt, annotation: def?.childForFieldName('return_type') ?? undefined, value };
}

/** The class's attributes, mixins and abstract bases first (in reverse MRO order), the class's own last. */
function collectAttrs(c: ClassInfo, classes: Map<string, ClassInfo>, isTable: (c: ClassInfo) => boolean, seen = new Set<string>()): Attr[] {
  seen.add(c.name);
  const inherited: Attr[] = [];
  for (const b of [...c.bases].reverse()) {
    const base = classes.get(b);
    // A concrete parent model maps its own table (joined/single-table inheritance); only mixins contribute.
    if (!base || seen.has(b) || isTable(base)) continue;
    inherited.push(...collectAttrs(base, classes, isTable, seen));
  }
  const own = c.body.map((s) => assignmentOf(s) ?? declaredAttrColumn(s)).filter((a): a is Attr => !!a && !a.name.startsWith('__'));
  const names = new Set(own.map((a) => a.name));
  return [...inherited.filter((a) => !names.has(a.name)), ...own];
}

function addColumn(table: Table, col: Column): void {
  const i = table.columns.findIndex((c) => c.name === col.name);
  if (i >= 0) table.columns[i] = col;
  else table.columns.push(col);
}

/** Reads a Column()/mapped_column() into `table`; returns the column name. */
function readColumn(ctx: PyContext, call: Node, attr: Attr | undefined, table: Table, modelTable: (cls: string) => string | undefined): string | undefined {
  const args = callArgs(call);
  let pos = args.positional;
  let name = attr?.name;
  const explicit = stringValue(pos[0]);
  if (explicit !== undefined) {
    name = explicit;
    pos = pos.slice(1);
  }
  const kwName = stringValue(args.keywords.get('name'));
  if (kwName) name = kwName;
  if (!name) return undefined;
  const colName = name.toLowerCase();
  const span: Span = ctx.span(attr?.stmt ?? call);

  let type: string | undefined;
  const fks: Node[] = [];
  for (const p of pos) {
    if (p.type === 'call' && shortName(calleeName(p)) === 'ForeignKey') fks.push(p);
    else if (type === undefined) type = sqlTypeOf(p);
  }
  type ??= sqlTypeOf(args.keywords.get('type_'));
  const mapped = attr?.annotation ? readMapped(attr.annotation) : undefined;
  // With a ForeignKey and no explicit type, SQLAlchemy gives the column the referenced column's type (the
  // `Mapped[int]` annotation does not apply): left empty here, the project merge copies it across files.
  if (!fks.length) type ??= mapped?.type;

  const kw = args.keywords;
  const primaryKey = isTrue(kw.get('primary_key'));
  const explicitNullable = boolKw(kw, 'nullable');
  const nullable = explicitNullable ?? (primaryKey ? false : mapped ? mapped.optional : true);
  const unique = isTrue(kw.get('unique'));
  const index = isTrue(kw.get('index'));

  addColumn(table, {
    name: colName,
    type: type ?? '',
    nullable: primaryKey ? false : nullable,
    default: serverDefaultSql(kw.get('server_default')),
    primaryKey,
    unique,
    attribute: attr && attr.name !== name ? attr.name : undefined,
    span,
  });
  if (primaryKey && !table.primaryKey.includes(colName)) table.primaryKey.push(colName);
  if (index) {
    table.indexes.push({ name: `ix_${table.name}_${colName}`, table: table.name, keys: [{ column: colName }], unique, method: 'btree', span, origin: 'model' });
  } else if (unique) {
    table.indexes.push({ name: `${table.name}_${colName}_key`, table: table.name, keys: [{ column: colName }], unique: true, method: 'btree', constraint: 'unique', span, origin: 'model' });
  }
  for (const fkCall of fks) {
    const fkArgs = callArgs(fkCall);
    const target = foreignKeyTarget(fkArgs.positional[0] ?? fkArgs.keywords.get('column'), modelTable);
    if (!target) continue;
    const fk: ForeignKey = {
      name: stringValue(fkArgs.keywords.get('name')),
      table: table.name,
      columns: [colName],
      refTable: target.refTable,
      refColumns: [target.refColumn],
      onDelete: fkAction(fkArgs.keywords.get('ondelete')),
      span,
      origin: 'model',
    };
    if (target.refModel) fk.refModel = target.refModel;
    table.foreignKeys.push(fk);
  }
  return colName;
}

function readRelationship(ctx: PyContext, call: Node, attr: Attr, tableVars: Map<string, string>): Relationship {
  const args = callArgs(call);
  const kw = args.keywords;
  const mapped = attr.annotation ? readMapped(attr.annotation) : undefined;
  const first = args.positional[0] ?? kw.get('argument');
  let target = first ? stringValue(first) ?? (first.type === 'identifier' || first.type === 'attribute' ? first.text : undefined) : undefined;
  target = target ? shortName(target) : mapped?.target ?? '';

  const lazyNode = kw.get('lazy');
  const lazy = lazyValue(lazyNode) ?? 'select';
  const rel: Relationship = { name: attr.name, target, lazy, span: ctx.span(attr.stmt) };
  const uselist = boolKw(kw, 'uselist') ?? (mapped && (mapped.collection || mapped.target) ? mapped.collection : undefined);
  if (uselist !== undefined) rel.uselist = uselist;
  const bp = stringValue(kw.get('back_populates'));
  if (bp) rel.backPopulates = bp;
  const br = kw.get('backref');
  if (br) {
    const s = stringValue(br);
    if (s) rel.backref = s;
    else if (br.type === 'call' && shortName(calleeName(br)) === 'backref') {
      const bargs = callArgs(br);
      const n = stringValue(bargs.positional[0]);
      if (n) {
        rel.backref = n;
        const l = lazyValue(bargs.keywords.get('lazy'));
        if (l) backrefLazy.set(rel, l);
      }
    }
  }
  const sec = kw.get('secondary');
  if (sec) {
    const s = stringValue(sec) ?? (sec.type === 'identifier' ? tableVars.get(sec.text) ?? sec.text : undefined);
    if (s) rel.secondary = s.toLowerCase();
  }
  return rel;
}

function lazyValue(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  const s = stringValue(n);
  if (s) return s;
  if (isTrue(n)) return 'select';
  if (isFalse(n)) return 'joined';
  if (n.type === 'none') return 'noload';
  return undefined;
}

function readTableArgs(ctx: PyContext, value: Node, table: Table, attrToColumn: (a: string) => string, modelTable: (cls: string) => string | undefined): void {
  const items = value.type === 'tuple' || value.type === 'list' || value.type === 'parenthesized_expression' ? value.namedChildren : [value];
  for (const it of items) {
    if (!it) continue;
    if (it.type === 'call') readTableArg(ctx, it, table, attrToColumn, modelTable);
    else if (it.type === 'dictionary') {
      for (const pair of it.namedChildren) {
        if (pair?.type === 'pair' && stringValue(pair.childForFieldName('key')) === 'schema') {
          const s = stringValue(pair.childForFieldName('value'));
          if (s) table.schema = s;
        }
      }
    }
  }
}

function readTableArg(ctx: PyContext, call: Node, table: Table, attrToColumn: (a: string) => string, modelTable: (cls: string) => string | undefined): void {
  const kind = shortName(calleeName(call));
  const args = callArgs(call);
  const kw = args.keywords;
  const span = ctx.span(call);
  const name = stringValue(kw.get('name'));
  const cols = (nodes: Node[]) => {
    const out: string[] = [];
    for (const n of nodes) {
      const c = columnList(n, attrToColumn);
      if (!c) return undefined;
      out.push(...c.map((x) => x.toLowerCase()));
    }
    return out;
  };
  switch (kind) {
    case 'Index': {
      const ixName = stringValue(args.positional[0]);
      const ops = opsMap(kw.get('postgresql_ops'));
      const keys: IndexKey[] = [];
      for (const k of args.positional.slice(1)) {
        const key = indexKey(k, attrToColumn);
        if (!key) return; // a key we cannot read: leave the index out rather than record a wrong one
        const op = key.column ? ops.get(key.column) : undefined;
        keys.push(op ? { ...key, opclass: op } : key);
      }
      if (!keys.length) return;
      const ix: Index = {
        name: ixName,
        table: table.name,
        keys,
        unique: isTrue(kw.get('unique')),
        method: (stringValue(kw.get('postgresql_using')) ?? 'btree').toLowerCase(),
        span,
        origin: 'model',
      };
      const where = whereSql(kw.get('postgresql_where'));
      if (where) ix.where = where;
      else if (kw.get('postgresql_where')) ix.where = kw.get('postgresql_where')!.text;
      const include = columnList(kw.get('postgresql_include'), attrToColumn);
      if (include?.length) ix.include = include;
      table.indexes.push(ix);
      return;
    }
    case 'UniqueConstraint': {
      const c = cols(args.positional);
      if (!c?.length) return;
      table.indexes.push({ name: name ?? `${table.name}_${c.join('_')}_key`, table: table.name, keys: c.map((column) => ({ column })), unique: true, method: 'btree', constraint: 'unique', span, origin: 'model' });
      return;
    }
    case 'PrimaryKeyConstraint': {
      const c = cols(args.positional);
      if (!c?.length) return;
      table.primaryKey = c;
      for (const col of table.columns) if (c.includes(col.name)) {
        col.primaryKey = true;
        col.nullable = false;
      }
      return;
    }
    case 'CheckConstraint': {
      const expr = stringValue(args.positional[0]) ?? whereSql(args.positional[0]);
      if (expr) table.checks.push({ name, table: table.name, expression: expr, span });
      return;
    }
    case 'ForeignKeyConstraint': {
      const local = columnList(args.positional[0], attrToColumn);
      const remote = args.positional[1];
      const items = remote && (remote.type === 'list' || remote.type === 'tuple') ? remote.namedChildren.filter((c): c is Node => !!c) : [];
      const targets = items.map((r) => foreignKeyTarget(r, modelTable));
      if (!local?.length || !targets.length || targets.some((t) => !t)) return;
      table.foreignKeys.push({
        name,
        table: table.name,
        columns: local.map((c) => c.toLowerCase()),
        refTable: targets[0]!.refTable,
        refColumns: targets.map((t) => t!.refColumn),
        onDelete: fkAction(kw.get('ondelete')),
        span,
        origin: 'model',
      });
      return;
    }
  }
}
