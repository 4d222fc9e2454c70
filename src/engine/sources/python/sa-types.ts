import type { Node } from 'web-tree-sitter';
import { callArgs, calleeName, dottedName, isTrue, shortName, stringValue } from './ast';

// SQLAlchemy column types (and the Python types of `Mapped[...]`) mapped to the names PostgreSQL gives them.
// The names are also valid SQL, so the same strings serve the schema facts and the DDL Alembic ops emit.

const SIMPLE: Record<string, string> = {
  integer: 'integer',
  int: 'integer',
  smallinteger: 'smallint',
  smallint: 'smallint',
  biginteger: 'bigint',
  bigint: 'bigint',
  text: 'text',
  unicodetext: 'text',
  citext: 'citext',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  time: 'time without time zone',
  interval: 'interval',
  float: 'double precision',
  double: 'double precision',
  double_precision: 'double precision',
  real: 'real',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
  uuidtype: 'uuid',
  largebinary: 'bytea',
  binary: 'bytea',
  bytea: 'bytea',
  pickletype: 'bytea',
  inet: 'inet',
  cidr: 'cidr',
  macaddr: 'macaddr',
  money: 'money',
  tsvector: 'tsvector',
  hstore: 'hstore',
  oid: 'oid',
  int4range: 'int4range',
  int8range: 'int8range',
  numrange: 'numrange',
  daterange: 'daterange',
  tsrange: 'tsrange',
  tstzrange: 'tstzrange',
};

/** Python annotation types in `Mapped[...]` → PostgreSQL, as SQLAlchemy 2.0's default type map does. */
const PYTHON_TYPES: Record<string, string> = {
  int: 'integer',
  str: 'character varying',
  bool: 'boolean',
  float: 'double precision',
  Decimal: 'numeric',
  'decimal.Decimal': 'numeric',
  datetime: 'timestamp without time zone',
  'datetime.datetime': 'timestamp without time zone',
  date: 'date',
  'datetime.date': 'date',
  time: 'time without time zone',
  'datetime.time': 'time without time zone',
  timedelta: 'interval',
  'datetime.timedelta': 'interval',
  bytes: 'bytea',
  UUID: 'uuid',
  'uuid.UUID': 'uuid',
  dict: 'json',
  list: 'json',
};

const intArg = (n: Node | undefined): string | undefined => (n && n.type === 'integer' ? n.text : undefined);

/**
 * The PostgreSQL type of a SQLAlchemy type expression (`String(200)`, `sa.DateTime(timezone=True)`,
 * `postgresql.ARRAY(sa.Integer())`, `Text`), or undefined when it is not a type we know.
 */
export function sqlTypeOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const isCall = node.type === 'call';
  const name = isCall ? calleeName(node) : dottedName(node);
  if (!name) return undefined;
  const short = shortName(name);
  const key = short.toLowerCase();
  const args = isCall ? callArgs(node) : undefined;
  const pos = args?.positional ?? [];
  const kw = args?.keywords ?? new Map<string, Node>();
  switch (key) {
    case 'string':
    case 'unicode':
    case 'varchar':
    case 'nvarchar': {
      const len = intArg(pos[0]) ?? intArg(kw.get('length'));
      return len ? `character varying(${len})` : 'character varying';
    }
    case 'char':
    case 'nchar': {
      const len = intArg(pos[0]) ?? intArg(kw.get('length'));
      return `character(${len ?? 1})`;
    }
    case 'datetime':
    case 'timestamp':
      return isTrue(kw.get('timezone')) || (key === 'timestamp' && name.includes('postgresql') && isTrue(kw.get('timezone')))
        ? 'timestamp with time zone'
        : 'timestamp without time zone';
    case 'time':
      return isTrue(kw.get('timezone')) ? 'time with time zone' : 'time without time zone';
    case 'numeric':
    case 'decimal': {
      const p = intArg(pos[0]) ?? intArg(kw.get('precision'));
      const s = intArg(pos[1]) ?? intArg(kw.get('scale'));
      return p ? (s ? `numeric(${p},${s})` : `numeric(${p})`) : 'numeric';
    }
    case 'float': {
      const p = Number(intArg(pos[0]) ?? intArg(kw.get('precision')) ?? 53);
      return p <= 24 ? 'real' : 'double precision';
    }
    case 'enum': {
      const enumName = stringValue(kw.get('name'));
      return enumName ? enumName.toLowerCase() : 'text';
    }
    case 'array': {
      const inner = sqlTypeOf(pos[0] ?? kw.get('item_type'));
      return inner ? `${inner}[]` : undefined;
    }
    case 'typedecorator':
      return undefined;
  }
  return SIMPLE[key];
}

/** The SQLAlchemy type names we recognise, so a positional argument can be told apart from other things. */
export function looksLikeType(node: Node): boolean {
  return sqlTypeOf(node) !== undefined;
}

export interface MappedInfo {
  /** The PostgreSQL type of a scalar `Mapped[int]`; undefined for relationships or unknown classes. */
  type?: string;
  /** `Optional[...]`, `X | None`, `Union[X, None]`. */
  optional: boolean;
  /** The inner type expression with Optional stripped (`Job` in `Mapped[Optional[Job]]`, `list[Job]`). */
  inner?: Node;
  /** `Mapped[list[X]]` / `Mapped[List[X]]` / `Mapped[set[X]]`: a collection. */
  collection: boolean;
  /** The class named inside (for relationships): `Job`, `"Job"`. */
  target?: string;
}

/** Reads a `Mapped[...]` (or `db.Mapped[...]`) annotation; undefined when the annotation is something else. */
export function readMapped(annotation: Node | null | undefined): MappedInfo | undefined {
  if (!annotation) return undefined;
  let n: Node | null = annotation.type === 'type' ? annotation.namedChildren[0] : annotation;
  if (!n) return undefined;
  // `Mapped[int]` parses as a generic_type (identifier + type_parameter) or a subscript.
  const { base, params } = genericParts(n);
  if (!base || shortName(base) !== 'Mapped' || params.length !== 1) return undefined;
  return describe(params[0]);
}

function genericParts(n: Node): { base: string; params: Node[] } {
  if (n.type === 'type') return genericParts(n.namedChildren[0]!);
  if (n.type === 'generic_type') {
    const base = n.namedChildren[0];
    const tp = n.namedChildren.find((c) => c?.type === 'type_parameter');
    return { base: base ? dottedName(base) || base.text : '', params: (tp?.namedChildren ?? []).filter((c): c is Node => !!c) };
  }
  if (n.type === 'subscript') {
    const value = n.childForFieldName('value');
    const subs = n.childrenForFieldName('subscript').filter((c): c is Node => !!c);
    return { base: value ? dottedName(value) : '', params: subs };
  }
  return { base: '', params: [] };
}

function describe(param: Node): MappedInfo {
  let n: Node = param.type === 'type' && param.namedChildren[0] ? param.namedChildren[0] : param;
  let optional = false;
  // X | None
  if (n.type === 'binary_operator' || n.type === 'union_type') {
    const parts = flattenUnion(n);
    const rest = parts.filter((p) => p.text !== 'None');
    optional = rest.length < parts.length;
    if (rest.length === 1) n = rest[0];
  }
  const { base, params } = genericParts(n);
  const b = shortName(base);
  if (b === 'Optional' && params.length === 1) {
    const inner = describe(params[0]);
    return { ...inner, optional: true };
  }
  if (b === 'Union') {
    const rest = params.filter((p) => p.text !== 'None');
    if (rest.length === 1) return { ...describe(rest[0]), optional: rest.length < params.length || optional };
  }
  if (['list', 'List', 'set', 'Set', 'Sequence', 'WriteOnlyMapped', 'DynamicMapped'].includes(b) && params.length === 1) {
    return { optional, inner: n, collection: true, target: className(params[0]) };
  }
  const text = n.type === 'type' ? n.text : n.text;
  const bare = text.replace(/^["']|["']$/g, '');
  const type = base ? PYTHON_TYPES[base] : PYTHON_TYPES[bare];
  return { type, optional, inner: n, collection: false, target: type ? undefined : className(n) };
}

function flattenUnion(n: Node): Node[] {
  if ((n.type === 'binary_operator' || n.type === 'union_type') && n.namedChildren.length === 2) {
    return [...flattenUnion(n.namedChildren[0]!), ...flattenUnion(n.namedChildren[1]!)];
  }
  if (n.type === 'type' && n.namedChildren[0]) return flattenUnion(n.namedChildren[0]);
  return [n];
}

function className(n: Node): string | undefined {
  const t = n.text.replace(/^["']|["']$/g, '');
  const m = t.match(/^[A-Za-z_][\w.]*$/);
  return m ? shortName(t) : undefined;
}
