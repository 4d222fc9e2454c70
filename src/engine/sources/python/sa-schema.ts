import type { Node } from 'web-tree-sitter';
import type { ForeignKey, IndexKey } from '../../facts/schema';
import { callArgs, calleeName, dottedName, isFalse, isTrue, shortName, stringValue } from './ast';

// Pieces of SQLAlchemy schema syntax shared by the model extractor and the Alembic translator:
// `server_default=` values, `ForeignKey(...)` targets, `Index(...)` keys and constraint column lists.

/** SQL text of a `server_default=` value: a string literal becomes a quoted literal, text()/func.x() become SQL. */
export function serverDefaultSql(node: Node | undefined): string | undefined {
  if (!node || node.type === 'none') return undefined;
  const s = stringValue(node);
  if (s !== undefined) return `'${s.replace(/'/g, "''")}'`;
  if (node.type === 'integer' || node.type === 'float') return node.text;
  if (node.type === 'true' || node.type === 'false') return node.text.toLowerCase();
  if (node.type === 'call') {
    const name = calleeName(node);
    const short = shortName(name);
    const args = callArgs(node);
    if (short === 'text' || short === 'literal_column') return stringValue(args.positional[0]);
    if (short === 'true' || short === 'false') return short;
    if (short === 'null') return 'NULL';
    if (name.includes('func.')) {
      const fn = name.slice(name.lastIndexOf('func.') + 5);
      const plain = ['current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime', 'current_user', 'session_user'];
      if (plain.includes(fn.toLowerCase()) && !args.positional.length) return fn.toUpperCase();
      const inner = args.positional.map((a) => serverDefaultSql(a) ?? a.text);
      return `${fn}(${inner.join(', ')})`;
    }
  }
  return undefined;
}

/** `"table.col"` / `"schema.table.col"` → [table, col]. */
export function splitColumnRef(ref: string): { table: string; column: string; schema?: string } | undefined {
  const parts = ref.split('.');
  if (parts.length < 2) return undefined;
  return { column: parts[parts.length - 1], table: parts[parts.length - 2], schema: parts.length > 2 ? parts[parts.length - 3] : undefined };
}

export interface FkTarget {
  refTable: string;
  refColumn: string;
  /** The model class when written `ForeignKey(Model.id)`. */
  refModel?: string;
}

/** The target of `ForeignKey("users.id")` / `ForeignKey(User.id)`; `modelTable` resolves class names in this file. */
export function foreignKeyTarget(arg: Node | undefined, modelTable: (cls: string) => string | undefined): FkTarget | undefined {
  if (!arg) return undefined;
  const s = stringValue(arg);
  if (s !== undefined) {
    const r = splitColumnRef(s);
    return r ? { refTable: r.table.toLowerCase(), refColumn: r.column.toLowerCase() } : undefined;
  }
  if (arg.type === 'attribute') {
    const dn = dottedName(arg);
    const i = dn.lastIndexOf('.');
    if (i < 0) return undefined;
    const cls = shortName(dn.slice(0, i));
    const col = dn.slice(i + 1);
    // `users.c.id` (a Table object) or `User.id` (a model class).
    if (dn.includes('.c.')) return { refTable: dn.split('.c.')[0].split('.').pop()!.toLowerCase(), refColumn: col.toLowerCase() };
    const table = modelTable(cls);
    return { refTable: table ?? snakeCase(cls), refColumn: col.toLowerCase(), refModel: cls };
  }
  return undefined;
}

/** ON DELETE action as SQL ("CASCADE", "SET NULL"), from `ondelete=`. */
export function fkAction(node: Node | undefined): string | undefined {
  const v = stringValue(node);
  return v ? v.toUpperCase() : undefined;
}

/** Flask-SQLAlchemy's default table name: `JobApplication` → `job_application`, `HTTPRequest` → `http_request`. */
export function snakeCase(name: string): string {
  return name
    .replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, '_$1')
    .toLowerCase()
    .replace(/^_+/, '');
}

/** Column names from a list of strings / attribute references (`["a", "b"]`, `("a",)`, `User.id`). */
export function columnList(node: Node | undefined, attrToColumn: (attr: string) => string = (a) => a): string[] | undefined {
  if (!node) return undefined;
  const items = node.type === 'list' || node.type === 'tuple' ? node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [node];
  const out: string[] = [];
  for (const it of items) {
    const c = columnName(it, attrToColumn);
    if (c === undefined) return undefined;
    out.push(c);
  }
  return out;
}

/** One column named by a string, a bare attribute (`email` in a class body) or `Model.attr`. */
export function columnName(node: Node, attrToColumn: (attr: string) => string = (a) => a): string | undefined {
  const s = stringValue(node);
  if (s !== undefined) return s;
  if (node.type === 'identifier') return attrToColumn(node.text);
  if (node.type === 'attribute') {
    const attr = node.childForFieldName('attribute');
    return attr ? attrToColumn(attr.text) : undefined;
  }
  return undefined;
}

/** An index key from an `Index(...)` argument: a column name, or an expression as SQL text when it can be told. */
export function indexKey(node: Node, attrToColumn: (attr: string) => string): IndexKey | undefined {
  const s = stringValue(node);
  if (s !== undefined) return /^[A-Za-z_][\w$]*$/.test(s) ? { column: s.toLowerCase() } : { expression: s };
  if (node.type === 'identifier' || node.type === 'attribute') {
    const c = columnName(node, attrToColumn);
    return c ? { column: c.toLowerCase() } : undefined;
  }
  if (node.type === 'call') {
    const name = calleeName(node);
    const short = shortName(name);
    const args = callArgs(node);
    if (short === 'text' || short === 'literal_column') {
      const t = stringValue(args.positional[0]);
      return t ? { expression: t } : undefined;
    }
    if (short === 'desc' || short === 'asc' || short === 'nulls_last' || short === 'nulls_first') {
      const inner = args.positional[0] ? indexKey(args.positional[0], attrToColumn) : undefined;
      return inner;
    }
    // `func.lower(User.email)` / `Model.email.desc()`
    if (node.childForFieldName('function')?.type === 'attribute') {
      const fn = node.childForFieldName('function')!;
      const attr = fn.childForFieldName('attribute')?.text;
      if ((attr === 'desc' || attr === 'asc') && fn.childForFieldName('object')) return indexKey(fn.childForFieldName('object')!, attrToColumn);
    }
    if (name.includes('func.')) {
      const fn = name.slice(name.lastIndexOf('func.') + 5);
      const inner = args.positional.map((a) => {
        const k = indexKey(a, attrToColumn);
        return k?.column ?? k?.expression ?? a.text;
      });
      return { expression: `${fn}(${inner.join(', ')})` };
    }
  }
  return undefined;
}

/** `postgresql_ops={"name": "gin_trgm_ops"}` as a map. */
export function opsMap(node: Node | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!node || node.type !== 'dictionary') return out;
  for (const pair of node.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = stringValue(pair.childForFieldName('key'));
    const v = stringValue(pair.childForFieldName('value'));
    if (k && v) out.set(k.toLowerCase(), v);
  }
  return out;
}

/** A `postgresql_where=` predicate as SQL text: `text("…")` or a string; undefined for Python expressions. */
export function whereSql(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const s = stringValue(node);
  if (s !== undefined) return s;
  if (node.type === 'call' && ['text', 'literal_column'].includes(shortName(calleeName(node)))) return stringValue(callArgs(node).positional[0]);
  return undefined;
}

export const boolKw = (kw: Map<string, Node>, name: string): boolean | undefined => (isTrue(kw.get(name)) ? true : isFalse(kw.get(name)) ? false : undefined);

export type FkFact = Omit<ForeignKey, 'origin'>;
