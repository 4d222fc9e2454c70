import type { Node } from 'web-tree-sitter';
import type { FileFacts } from '../../facts';
import { newTable, type Column, type Index, type Relationship, type Table } from '../../facts/schema';
import { dottedName, isTrue, shortName, stringValue } from './ast';
import type { PyContext } from './context';
import { appLabelOf, defaultTable, generatedName, isFieldCall, readField, type DjangoField } from './django-fields';
import { isIndexCall, readCheckConstraint, readIndex, readUniqueConstraint, stringList } from './django-indexes';

// Django models (`class Book(models.Model)`) → Table facts with origin 'model', the way Django's PostgreSQL
// backend creates them: an implicit `id bigint` identity key, `<field>_id` columns for ForeignKey and
// OneToOneField with the index Django adds for them (unless db_index=False), unique/db_index columns,
// Meta.indexes / constraints / unique_together / index_together, ManyToMany through tables, abstract bases
// and multi-table inheritance within the file. Related access is lazy in Django, so every relationship
// (forward and reverse accessor) is recorded with lazy 'select'.

interface ModelClass {
  node: Node;
  name: string;
  bases: string[];
  fields: { field: DjangoField; stmt: Node }[];
  meta: Map<string, Node>;
  abstract: boolean;
  proxy: boolean;
}

/** Fields contributed by django.contrib.auth's abstract user models. */
const AUTH_FIELDS: Record<string, [string, string, boolean, boolean][]> = {
  AbstractBaseUser: [
    ['password', 'character varying(128)', false, false],
    ['last_login', 'timestamp with time zone', true, false],
  ],
  AbstractUser: [
    ['password', 'character varying(128)', false, false],
    ['last_login', 'timestamp with time zone', true, false],
    ['is_superuser', 'boolean', false, false],
    ['username', 'character varying(150)', false, true],
    ['first_name', 'character varying(150)', false, false],
    ['last_name', 'character varying(150)', false, false],
    ['email', 'character varying(254)', false, false],
    ['is_staff', 'boolean', false, false],
    ['is_active', 'boolean', false, false],
    ['date_joined', 'timestamp with time zone', false, false],
  ],
};

export function isDjangoModelsFile(text: string): boolean {
  return /^\s*(from\s+django\.db\s+import\s+[^\n]*\bmodels\b|from\s+django\.db\.models\s+import|import\s+django\.db)/m.test(text) || /^\s*from\s+django\.contrib\.auth\.models\s+import/m.test(text);
}

export function extractDjangoModels(ctx: PyContext, facts: FileFacts): void {
  if (ctx.path.includes('/migrations/') || !isDjangoModelsFile(ctx.text)) return;
  const app = appLabelOf(ctx.path) ?? 'app';
  const classes = new Map<string, ModelClass>();
  for (const node of ctx.root.namedChildren) {
    const def = node?.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    if (def?.type !== 'class_definition') continue;
    const c = readClass(def);
    if (c) classes.set(c.name, c);
  }
  const memo = new Map<string, boolean>();
  const isModel = (c: ModelClass, seen = new Set<string>()): boolean => {
    if (memo.has(c.name)) return memo.get(c.name)!;
    seen.add(c.name);
    const r = c.bases.some((b) => /^(models\.)?Model$|(^|\.)(AbstractUser|AbstractBaseUser|TimeStampedModel|PolymorphicModel|MPTTModel)$/.test(b) || (classes.has(b) && !seen.has(b) && isModel(classes.get(b)!, seen)));
    memo.set(c.name, r);
    return r;
  };
  const models = [...classes.values()].filter((c) => isModel(c));
  if (!models.length) return;
  const concrete = (c: ModelClass) => !c.abstract && !c.proxy;
  const tableName = (c: ModelClass) => {
    const own = stringValue(c.meta.get('db_table'));
    if (own) return own.toLowerCase();
    const label = stringValue(c.meta.get('app_label')) ?? app;
    return defaultTable(label, c.name);
  };
  /** Fields of `c` including abstract bases (parents first); the parent of multi-table inheritance separately. */
  const allFields = (c: ModelClass, seen = new Set<string>()): { field: DjangoField; stmt: Node }[] => {
    seen.add(c.name);
    const out: { field: DjangoField; stmt: Node }[] = [];
    for (const b of c.bases) {
      const base = classes.get(b);
      if (base && !seen.has(b) && base.abstract) out.push(...allFields(base, seen));
    }
    const own = new Set(c.fields.map((f) => f.field.name));
    return [...out.filter((f) => !own.has(f.field.name)), ...c.fields];
  };
  const metaOf = (c: ModelClass, key: string): Node | undefined => {
    if (c.meta.has(key)) return c.meta.get(key);
    for (const b of c.bases) {
      const base = classes.get(b);
      if (base?.abstract) {
        const v = metaOf(base, key);
        if (v) return v;
      }
    }
    return undefined;
  };
  const pkType = (c: ModelClass): string => {
    const pk = allFields(c).find((f) => f.field.primaryKey);
    return pk?.field.type || 'bigint';
  };
  /** Target class name and table of a relation as written. */
  const targetOf = (owner: ModelClass, target: string): { model: string; table: string; local?: ModelClass } => {
    if (target === 'self') return { model: owner.name, table: tableName(owner), local: owner };
    if (/AUTH_USER_MODEL$/.test(target) || target === 'auth.User') {
      const local = classes.get('User');
      return local && concrete(local) && isModel(local) ? { model: 'User', table: tableName(local), local } : { model: 'User', table: 'auth_user' };
    }
    const [label, cls] = target.includes('.') ? [target.slice(0, target.lastIndexOf('.')), shortName(target)] : [undefined, target];
    const local = classes.get(cls);
    if (local && isModel(local) && (!label || !label.includes('.'))) return { model: cls, table: tableName(local), local };
    const fromImport = importedFrom(ctx.text, cls);
    const appLabel = label && !label.includes('.') ? label : fromImport ?? app;
    return { model: cls, table: defaultTable(appLabel, cls) };
  };

  const tables = new Map<string, Table>();
  // Reverse accessors (`author.book_set`), pushed onto their target's table once every table exists.
  const reverse: { on: string; rel: Relationship }[] = [];
  for (const c of models) {
    if (!concrete(c)) continue;
    const name = tableName(c);
    const nameNode = c.node.childForFieldName('name');
    const table = newTable(name, 'model', ctx.span(nameNode ?? c.node));
    table.model = c.name;
    const fields = allFields(c);
    const columnOf = (field: string) => {
      if (field === 'pk') return table.primaryKey[0] ?? 'id';
      const f = fields.find((x) => x.field.name === field);
      return (f?.field.column || field).toLowerCase();
    };

    // Multi-table inheritance: the child's key is a one-to-one to the parent's table.
    const parent = c.bases.map((b) => classes.get(b)).find((b) => b && concrete(b) && isModel(b));
    if (parent) {
      const col = `${parent.name.toLowerCase()}_ptr_id`;
      addColumn(table, { name: col, type: pkType(parent), nullable: false, primaryKey: true, unique: true, attribute: `${parent.name.toLowerCase()}_ptr`, span: table.span });
      table.primaryKey = [col];
      table.foreignKeys.push({ table: name, columns: [col], refTable: tableName(parent), refColumns: ['id'], span: table.span, origin: 'model', refModel: parent.name });
    } else if (!fields.some((f) => f.field.primaryKey)) {
      addColumn(table, { name: 'id', type: 'bigint', nullable: false, primaryKey: true, unique: false, span: table.span });
      table.primaryKey = ['id'];
    }
    for (const base of c.bases) {
      for (const [col, type, nullable, unique] of AUTH_FIELDS[shortName(base)] ?? []) {
        addColumn(table, { name: col, type, nullable, primaryKey: false, unique, span: table.span });
        if (unique) table.indexes.push({ name: `${name}_${col}_key`, table: name, keys: [{ column: col }], unique: true, method: 'btree', constraint: 'unique', span: table.span, origin: 'model' });
      }
    }

    for (const { field: f, stmt } of fields) {
      const span = ctx.span(stmt);
      const rel = f.relation;
      if (rel?.kind === 'm2m') {
        const t = targetOf(c, rel.target);
        table.relationships.push({ name: f.name, target: t.model, lazy: 'select', uselist: true, secondary: rel.through ? undefined : (rel.dbTable ?? `${name}_${f.name}`).toLowerCase(), span });
        if (!rel.through) tables.set(`\u0000${name}.${f.name}`, throughTable(rel.dbTable ?? `${name}_${f.name}`, c, name, t, span));
        if (t.local && rel.relatedName !== '+' && !rel.relatedName?.endsWith('+')) reverse.push({ on: t.local.name, rel: { name: rel.relatedName ?? `${c.name.toLowerCase()}_set`, target: c.name, lazy: 'select', uselist: true, span } });
        continue;
      }
      let type = f.type;
      if (rel) {
        const t = targetOf(c, rel.target);
        type = t.local ? pkType(t.local) : 'bigint';
        if (rel.dbConstraint) {
          table.foreignKeys.push({ table: name, columns: [f.column.toLowerCase()], refTable: t.table, refColumns: [rel.toField ?? 'id'], onDelete: onDeleteSql(rel.onDelete), span, origin: 'model', refModel: t.model });
        }
        table.relationships.push({ name: f.name, target: t.model, lazy: 'select', uselist: false, span });
        if (t.local && rel.relatedName !== '+' && !rel.relatedName?.endsWith('+')) {
          const accessor = rel.relatedName ?? (rel.kind === 'o2o' ? c.name.toLowerCase() : `${c.name.toLowerCase()}_set`);
          reverse.push({ on: t.local.name, rel: { name: accessor, target: c.name, lazy: 'select', uselist: rel.kind !== 'o2o', span } });
        }
      }
      const col: Column = { name: f.column.toLowerCase(), type, nullable: f.nullable, primaryKey: f.primaryKey, unique: f.unique && !f.primaryKey, span };
      if (f.column.toLowerCase() !== f.name) col.attribute = f.name;
      if (f.dbDefault) col.default = f.dbDefault;
      addColumn(table, col);
      if (f.primaryKey) table.primaryKey = [col.name];
      if (f.unique && !f.primaryKey) {
        table.indexes.push({ name: `${name}_${col.name}_key`, table: name, keys: [{ column: col.name }], unique: true, method: 'btree', constraint: 'unique', span, origin: 'model' });
      } else if (f.dbIndex && !f.primaryKey) {
        table.indexes.push({ name: generatedName(name, [col.name], ''), table: name, keys: [{ column: col.name }], unique: false, method: 'btree', span, origin: 'model' });
      }
      if (f.check) table.checks.push({ table: name, expression: f.check, span });
    }

    // Meta.indexes, Meta.constraints, unique_together, index_together.
    for (const item of listOf(metaOf(c, 'indexes'))) {
      if (!isIndexCall(item)) continue;
      const ix = readIndex(item, columnOf);
      if (ix) table.indexes.push(toIndex(ctx, name, ix, item));
    }
    for (const item of listOf(metaOf(c, 'constraints'))) {
      const u = readUniqueConstraint(item, columnOf);
      if (u) {
        const ix = toIndex(ctx, name, u, item);
        if (!u.where && u.keys.every((k) => k.column)) ix.constraint = 'unique';
        table.indexes.push(ix);
        continue;
      }
      const ck = readCheckConstraint(item, columnOf);
      if (ck?.sql) table.checks.push({ name: ck.name, table: name, expression: ck.sql, span: ctx.span(item) });
    }
    for (const [key, unique] of [['unique_together', true], ['index_together', false]] as const) {
      const node = metaOf(c, key);
      if (!node) continue;
      for (const cols of togetherSets(node)) {
        const columns = cols.map(columnOf);
        table.indexes.push({ name: generatedName(name, columns, unique ? '_uniq' : '_idx'), table: name, keys: columns.map((column) => ({ column })), unique, method: 'btree', constraint: unique ? 'unique' : undefined, span: ctx.span(node), origin: 'model' });
      }
    }
    tables.set(c.name, table);
  }

  for (const r of reverse) {
    const t = tables.get(r.on);
    if (t && !t.relationships.some((x) => x.name === r.rel.name)) t.relationships.push(r.rel);
  }
  facts.tables.push(...tables.values());
}

function readClass(node: Node): ModelClass | undefined {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  if (!name || !body) return undefined;
  const supers = node.childForFieldName('superclasses');
  const bases = (supers?.namedChildren ?? []).filter((b): b is Node => !!b && b.type !== 'keyword_argument' && b.type !== 'comment').map((b) => dottedName(b) || b.text);
  const c: ModelClass = { node, name, bases, fields: [], meta: new Map(), abstract: false, proxy: false };
  for (const s of body.namedChildren) {
    if (!s) continue;
    if (s.type === 'class_definition' && s.childForFieldName('name')?.text === 'Meta') {
      for (const m of s.childForFieldName('body')?.namedChildren ?? []) {
        const a = m?.type === 'expression_statement' ? m.namedChildren[0] : undefined;
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
        const right = a?.childForFieldName('right');
        if (left?.type === 'identifier' && right) c.meta.set(left.text, right);
      }
      continue;
    }
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || !isFieldCall(right)) continue;
    c.fields.push({ field: readField(right, left.text), stmt: s });
  }
  c.abstract = isTrue(c.meta.get('abstract'));
  c.proxy = isTrue(c.meta.get('proxy'));
  return c;
}

function addColumn(table: Table, col: Column): void {
  const i = table.columns.findIndex((c) => c.name === col.name);
  if (i >= 0) table.columns[i] = col;
  else table.columns.push(col);
}

function listOf(n: Node | undefined): Node[] {
  if (!n) return [];
  if (n.type === 'list' || n.type === 'tuple') return n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  return [];
}

/** `unique_together = ("a", "b")` or `(("a", "b"), ("c", "d"))` (also lists and sets). */
export function togetherSets(n: Node): string[][] {
  const flat = stringList(n);
  if (flat) return flat.length ? [flat] : [];
  const out: string[][] = [];
  for (const item of n.namedChildren) {
    const s = item ? stringList(item) : undefined;
    if (s?.length) out.push(s);
  }
  return out;
}

function toIndex(ctx: PyContext, table: string, ix: ReturnType<typeof readIndex> & object, node: Node): Index {
  const out: Index = { name: ix.name, table, keys: ix.keys, unique: ix.unique, method: ix.method, span: ctx.span(node), origin: 'model' };
  if (ix.where) out.where = ix.where;
  if (ix.include.length) out.include = ix.include;
  return out;
}

function throughTable(name: string, c: ModelClass, table: string, t: { model: string; table: string }, span: import('../../types').Span): Table {
  const tn = name.toLowerCase();
  const self = t.model === c.name;
  const from = `${self ? 'from_' : ''}${c.name.toLowerCase()}_id`;
  const to = `${self ? 'to_' : ''}${t.model.toLowerCase()}_id`;
  const th = newTable(tn, 'model', span);
  th.columns = [
    { name: 'id', type: 'bigint', nullable: false, primaryKey: true, unique: false, span },
    { name: from, type: 'bigint', nullable: false, primaryKey: false, unique: false, span },
    { name: to, type: 'bigint', nullable: false, primaryKey: false, unique: false, span },
  ];
  th.primaryKey = ['id'];
  th.foreignKeys = [
    { table: tn, columns: [from], refTable: table, refColumns: ['id'], span, origin: 'model', refModel: c.name },
    { table: tn, columns: [to], refTable: t.table, refColumns: ['id'], span, origin: 'model', refModel: t.model },
  ];
  th.indexes = [
    { name: generatedName(tn, [from, to], '_uniq'), table: tn, keys: [{ column: from }, { column: to }], unique: true, method: 'btree', constraint: 'unique', span, origin: 'model' },
    { name: generatedName(tn, [from], ''), table: tn, keys: [{ column: from }], unique: false, method: 'btree', span, origin: 'model' },
    { name: generatedName(tn, [to], ''), table: tn, keys: [{ column: to }], unique: false, method: 'btree', span, origin: 'model' },
  ];
  return th;
}

/** The app a class is imported from: `from library.models import Author` → "library"; `from .models import X` → undefined. */
function importedFrom(text: string, cls: string): string | undefined {
  const re = new RegExp(`^\\s*from\\s+([\\w.]+)\\s+import\\s+[^\\n]*\\b${cls}\\b`, 'm');
  const m = text.match(re);
  if (!m) return undefined;
  const parts = m[1].split('.');
  const i = parts.lastIndexOf('models');
  return i > 0 ? parts[i - 1] : undefined;
}

export function onDeleteSql(onDelete: string | undefined): string | undefined {
  // Django emulates on_delete in Python; the database constraint is always NO ACTION (DEFERRABLE).
  // Django 5.x db_on_delete aside, the FK facts carry what the code asks for, for messages.
  return onDelete ? onDelete.replace(/_/g, ' ') : undefined;
}
