import type { Node } from 'web-tree-sitter';
import type { IndexKey } from '../../facts/schema';
import { callArgs, calleeName, shortName, stringValue } from './ast';
import { literalSql, q } from './django-fields';

// `Meta.indexes` / `Meta.constraints` entries and `Q(...)` conditions, read once for the models extractor
// (Index facts) and the migrations extractor (AddIndex / AddConstraint SQL).

/** Index classes of django.db.models and django.contrib.postgres.indexes → access method. */
const METHODS: Record<string, string> = {
  Index: 'btree',
  BTreeIndex: 'btree',
  GinIndex: 'gin',
  GistIndex: 'gist',
  HashIndex: 'hash',
  BrinIndex: 'brin',
  SpGistIndex: 'spgist',
  BloomIndex: 'bloom',
};

export interface DjangoIndex {
  name?: string;
  keys: IndexKey[];
  /** SQL of each key, in order ("\"title\" DESC", "(upper(\"name\")) gin_trgm_ops"). */
  keySql: string[];
  method: string;
  unique: boolean;
  where?: string;
  /** The condition could not be rendered as SQL (a Python expression): the index is partial but we do not know how. */
  whereUnknown?: boolean;
  include: string[];
}

export function isIndexCall(n: Node | null | undefined): n is Node {
  return n?.type === 'call' && shortName(calleeName(n)) in METHODS;
}

const listItems = (n: Node | undefined): Node[] =>
  n && (n.type === 'list' || n.type === 'tuple' || n.type === 'set') ? n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];

export function stringList(n: Node | undefined): string[] | undefined {
  if (!n) return undefined;
  const items = listItems(n);
  const out = items.map((i) => stringValue(i));
  return out.every((s): s is string => s !== undefined) ? out : undefined;
}

/** `models.Index(fields=[...], name=..., condition=Q(...), opclasses=[...], include=[...])` and the postgres index classes. */
export function readIndex(call: Node, columnOf: (field: string) => string): DjangoIndex | undefined {
  const short = shortName(calleeName(call));
  const args = callArgs(call);
  const kw = args.keywords;
  const opclasses = stringList(kw.get('opclasses')) ?? [];
  const keys: IndexKey[] = [];
  const keySql: string[] = [];
  const fields = stringList(kw.get('fields'));
  if (fields) {
    fields.forEach((f, i) => {
      const desc = f.startsWith('-');
      const col = columnOf(desc ? f.slice(1) : f);
      const key: IndexKey = { column: col };
      if (opclasses[i]) key.opclass = opclasses[i];
      keys.push(key);
      keySql.push(`${q(col)}${opclasses[i] ? ` ${opclasses[i]}` : ''}${desc ? ' DESC' : ''}`);
    });
  }
  for (const e of args.positional) {
    const k = expressionKey(e, columnOf);
    if (!k) return undefined;
    keys.push(k.key);
    keySql.push(k.sql);
  }
  if (!keys.length) return undefined;
  const ix: DjangoIndex = { name: stringValue(kw.get('name')), keys, keySql, method: METHODS[short] ?? 'btree', unique: false, include: (stringList(kw.get('include')) ?? []).map(columnOf) };
  const cond = kw.get('condition');
  if (cond) {
    const where = qSql(cond, columnOf);
    if (where) ix.where = where;
    else {
      ix.where = cond.text;
      ix.whereUnknown = true;
    }
  }
  return ix;
}

/** `UniqueConstraint(fields=[...], name=..., condition=Q(...))` or `UniqueConstraint(Lower("email"), name=...)`. */
export function readUniqueConstraint(call: Node, columnOf: (field: string) => string): DjangoIndex | undefined {
  if (shortName(calleeName(call)) !== 'UniqueConstraint') return undefined;
  const ix = readIndex(call, columnOf);
  if (!ix) return undefined;
  ix.unique = true;
  ix.method = 'btree';
  return ix;
}

/** `CheckConstraint(check=Q(...), name=...)` (Django < 5.1) / `condition=` (5.1+) → SQL, or undefined. */
export function readCheckConstraint(call: Node, columnOf: (field: string) => string): { name?: string; sql?: string } | undefined {
  if (shortName(calleeName(call)) !== 'CheckConstraint') return undefined;
  const kw = callArgs(call).keywords;
  const cond = kw.get('check') ?? kw.get('condition');
  return { name: stringValue(kw.get('name')), sql: cond ? qSql(cond, columnOf) : undefined };
}

/** An index expression: `Upper("name")`, `F("x")`, `OpClass(Upper("name"), name="gin_trgm_ops")`, `"-title"`. */
function expressionKey(e: Node, columnOf: (field: string) => string): { key: IndexKey; sql: string } | undefined {
  const s = stringValue(e);
  if (s !== undefined) {
    const col = columnOf(s.replace(/^-/, ''));
    return { key: { column: col }, sql: `${q(col)}${s.startsWith('-') ? ' DESC' : ''}` };
  }
  if (e.type !== 'call') return undefined;
  const short = shortName(calleeName(e));
  const args = callArgs(e);
  if (short === 'OpClass') {
    const inner = args.positional[0] ? expressionKey(args.positional[0], columnOf) : undefined;
    const op = stringValue(args.keywords.get('name'));
    if (!inner || !op) return undefined;
    return { key: { ...inner.key, opclass: op }, sql: `${inner.sql} ${op}` };
  }
  if (short === 'F') {
    const f = stringValue(args.positional[0]);
    return f ? { key: { column: columnOf(f) }, sql: q(columnOf(f)) } : undefined;
  }
  const expr = exprSql(e, columnOf);
  return expr ? { key: { expression: expr }, sql: `(${expr})` } : undefined;
}

/** Database functions in index expressions (`Lower("email")`, `Upper(F("name"))`, `Coalesce(...)`). */
function exprSql(e: Node, columnOf: (field: string) => string): string | undefined {
  const s = stringValue(e);
  if (s !== undefined) return q(columnOf(s));
  if (e.type !== 'call') return literalSql(e);
  const short = shortName(calleeName(e));
  const args = callArgs(e);
  if (short === 'F') return exprSql(args.positional[0], columnOf);
  const FUNCS: Record<string, string> = { Lower: 'lower', Upper: 'upper', Coalesce: 'coalesce', Trim: 'btrim', Length: 'length', MD5: 'md5', TruncDate: 'date' };
  const fn = FUNCS[short];
  if (!fn) return undefined;
  const parts = args.positional.map((a) => exprSql(a, columnOf));
  if (!parts.length || parts.some((p) => !p)) return undefined;
  return `${fn}(${parts.join(', ')})`;
}

const COMPARE: Record<string, string> = { exact: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** `Q(status="x", deleted_at__isnull=True) & ~Q(...)` → SQL; undefined when a part is not a literal lookup. */
export function qSql(node: Node, columnOf: (field: string) => string): string | undefined {
  if (node.type === 'parenthesized_expression') return node.namedChildren[0] ? qSql(node.namedChildren[0], columnOf) : undefined;
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.text;
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    const ls = l && qSql(l, columnOf);
    const rs = r && qSql(r, columnOf);
    if (!ls || !rs || (op !== '&' && op !== '|')) return undefined;
    return `(${ls} ${op === '&' ? 'AND' : 'OR'} ${rs})`;
  }
  if (node.type === 'unary_operator' && node.childForFieldName('operator')?.text === '~') {
    const inner = node.childForFieldName('argument');
    const s = inner && qSql(inner, columnOf);
    return s ? `NOT (${s})` : undefined;
  }
  if (node.type !== 'call' || shortName(calleeName(node)) !== 'Q') return undefined;
  const args = callArgs(node);
  if (args.hasSplat || args.positional.length) return undefined;
  const parts: string[] = [];
  for (const [k, v] of args.keywords) {
    if (k.startsWith('_')) return undefined;
    const segs = k.split('__');
    const lookup = segs.length > 1 && (segs[segs.length - 1] in COMPARE || ['isnull', 'in'].includes(segs[segs.length - 1])) ? segs.pop()! : 'exact';
    if (segs.length !== 1) return undefined;
    const col = q(columnOf(segs[0]));
    if (lookup === 'isnull') {
      if (v.type !== 'true' && v.type !== 'false') return undefined;
      parts.push(`${col} IS ${v.type === 'true' ? '' : 'NOT '}NULL`);
    } else if (lookup === 'in') {
      const items = v.type === 'list' || v.type === 'tuple' ? v.namedChildren.filter((c): c is Node => !!c).map(literalSql) : [];
      if (!items.length || items.some((i) => !i)) return undefined;
      parts.push(`${col} IN (${items.join(', ')})`);
    } else {
      const lit = literalSql(v);
      if (!lit) return undefined;
      parts.push(lit === 'NULL' ? `${col} IS NULL` : `${col} ${COMPARE[lookup]} ${lit}`);
    }
  }
  if (!parts.length) return undefined;
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}
