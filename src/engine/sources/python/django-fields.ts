import type { Node } from 'web-tree-sitter';
import { callArgs, calleeName, dottedName, isFalse, isTrue, shortName, stringValue } from './ast';

// Django model fields → what PostgreSQL gets: the column type Django's PostgreSQL backend declares, the
// column name (`author` → `author_id`), nullability, keys, indexes, defaults. Shared by the models extractor
// (Table facts) and the migrations extractor (the SQL each operation runs), so both read a field one way.

/** Field classes → PostgreSQL type (as PostgreSQL names it, which is also valid SQL). */
const TYPES: Record<string, string> = {
  AutoField: 'integer',
  BigAutoField: 'bigint',
  SmallAutoField: 'smallint',
  TextField: 'text',
  IntegerField: 'integer',
  BigIntegerField: 'bigint',
  SmallIntegerField: 'smallint',
  PositiveIntegerField: 'integer',
  PositiveBigIntegerField: 'bigint',
  PositiveSmallIntegerField: 'smallint',
  BooleanField: 'boolean',
  NullBooleanField: 'boolean',
  DateField: 'date',
  DateTimeField: 'timestamp with time zone',
  TimeField: 'time without time zone',
  DurationField: 'interval',
  FloatField: 'double precision',
  UUIDField: 'uuid',
  JSONField: 'jsonb',
  BinaryField: 'bytea',
  GenericIPAddressField: 'inet',
  IPAddressField: 'inet',
  HStoreField: 'hstore',
  CICharField: 'citext',
  CIEmailField: 'citext',
  CITextField: 'citext',
  SearchVectorField: 'tsvector',
  IntegerRangeField: 'int4range',
  BigIntegerRangeField: 'int8range',
  DecimalRangeField: 'numrange',
  DateRangeField: 'daterange',
  DateTimeRangeField: 'tstzrange',
  PointField: 'geometry(Point,4326)',
};

/** varchar fields and their default max_length (None = unlimited, allowed on PostgreSQL since Django 4.2). */
const VARCHAR: Record<string, number | undefined> = {
  CharField: undefined,
  SlugField: 50,
  EmailField: 254,
  URLField: 200,
  FileField: 100,
  ImageField: 100,
  FilePathField: 100,
};

const AUTO = new Set(['AutoField', 'BigAutoField', 'SmallAutoField']);
const RELATIONS = new Set(['ForeignKey', 'OneToOneField', 'ManyToManyField', 'ParentalKey', 'TreeForeignKey']);

export interface DjangoField {
  /** Attribute name on the model ("author"). */
  name: string;
  /** Field class ("ForeignKey"). */
  kind: string;
  /** Column name ("author_id"); '' for many-to-many (no column). */
  column: string;
  /** PostgreSQL type; '' when unknown (a custom field) or a relation whose target key type is resolved later. */
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  identity: boolean;
  unique: boolean;
  /** An index Django creates for the column (db_index=True, ForeignKey/OneToOne by default, SlugField). */
  dbIndex: boolean;
  /** `db_default=` rendered as SQL (a real column default); undefined when absent or not literal. */
  dbDefault?: string;
  /** `default=` as written (Python-side; Django uses it once when adding the column). */
  default?: Node;
  /** CHECK Django adds for Positive*Field. */
  check?: string;
  relation?: {
    kind: 'fk' | 'o2o' | 'm2m';
    /** Target as written: "Author", "library.Author", "self", "settings.AUTH_USER_MODEL". */
    target: string;
    onDelete?: string;
    relatedName?: string;
    through?: string;
    dbTable?: string;
    toField?: string;
    dbConstraint: boolean;
  };
}

/**
 * A field as plain data (no syntax nodes), as Migration facts keep it for the project merge, which replays
 * the model state across migration files to resolve AlterField. `oneOffDefault` is `default=` as the SQL
 * constant Django would send (see `addColumnDefault`).
 */
export type DjangoFieldState = Omit<DjangoField, 'default'> & { oneOffDefault?: string };

export function fieldState(f: DjangoField): DjangoFieldState {
  const { default: _default, ...rest } = f;
  const oneOffDefault = addColumnDefault(f);
  return oneOffDefault === undefined ? { ...rest } : { ...rest, oneOffDefault };
}

/** True for a call that looks like a Django field: `models.CharField(...)`, `CharField(...)`, `ArrayField(...)`. */
export function isFieldCall(node: Node | null | undefined): node is Node {
  if (node?.type !== 'call') return false;
  const name = calleeName(node);
  const short = shortName(name);
  return /Field$/.test(short) || RELATIONS.has(short) || AUTO.has(short);
}

const num = (n: Node | undefined): number | undefined => (n?.type === 'integer' ? Number(n.text.replace(/_/g, '')) : undefined);

/** The SQL type of a field call, or '' when unknown. Relations return '' (their type is the target key's). */
export function fieldType(call: Node): string {
  const short = shortName(calleeName(call));
  const args = callArgs(call);
  const kw = args.keywords;
  if (short in TYPES) return TYPES[short];
  if (short in VARCHAR) {
    const max = num(kw.get('max_length')) ?? VARCHAR[short];
    return max === undefined ? 'character varying' : `character varying(${max})`;
  }
  if (short === 'DecimalField') {
    const p = num(kw.get('max_digits'));
    const s = num(kw.get('decimal_places'));
    return p !== undefined ? `numeric(${p},${s ?? 0})` : 'numeric';
  }
  if (short === 'ArrayField') {
    const base = args.positional[0] ?? kw.get('base_field');
    const t = base && isFieldCall(base) ? fieldType(base) : '';
    return t ? `${t}[]` : '';
  }
  return '';
}

export function readField(call: Node, name: string): DjangoField {
  const short = shortName(calleeName(call));
  const args = callArgs(call);
  const kw = args.keywords;
  const bool = (k: string): boolean | undefined => (isTrue(kw.get(k)) ? true : isFalse(kw.get(k)) ? false : undefined);
  const primaryKey = bool('primary_key') ?? false;
  const f: DjangoField = {
    name,
    kind: short,
    column: stringValue(kw.get('db_column')) ?? name,
    type: fieldType(call),
    nullable: (bool('null') ?? short === 'NullBooleanField') && !primaryKey,
    primaryKey,
    identity: AUTO.has(short),
    unique: (bool('unique') ?? false) || primaryKey,
    dbIndex: bool('db_index') ?? short === 'SlugField',
  };
  const def = kw.get('default');
  if (def) f.default = def;
  const dbDefault = kw.get('db_default');
  if (dbDefault) {
    const sql = literalSql(dbDefault) ?? functionDefault(dbDefault);
    if (sql) f.dbDefault = sql;
  }
  if (/^Positive/.test(short)) f.check = `"${f.column}" >= 0`;
  if (RELATIONS.has(short)) {
    const toNode = args.positional[0] ?? kw.get('to');
    const target = toNode ? stringValue(toNode) ?? dottedName(toNode) : '';
    const kind = short === 'OneToOneField' ? 'o2o' : short === 'ManyToManyField' ? 'm2m' : 'fk';
    const onDeleteNode = args.positional[1] ?? kw.get('on_delete');
    f.relation = {
      kind,
      target,
      onDelete: onDeleteNode ? shortName(dottedName(onDeleteNode) || onDeleteNode.text) : undefined,
      relatedName: stringValue(kw.get('related_name')),
      through: kw.get('through') ? stringValue(kw.get('through')) ?? dottedName(kw.get('through')!) : undefined,
      dbTable: stringValue(kw.get('db_table')),
      toField: stringValue(kw.get('to_field')),
      dbConstraint: bool('db_constraint') ?? true,
    };
    if (kind === 'm2m') {
      f.column = '';
      f.nullable = true;
    } else {
      f.column = stringValue(kw.get('db_column')) ?? `${name}_id`;
      // Django indexes ForeignKey columns unless db_index=False; a OneToOne is unique (its unique index serves).
      f.dbIndex = bool('db_index') ?? true;
      if (kind === 'o2o') f.unique = true;
    }
  }
  return f;
}

/** A Python literal as SQL: 0, 'x', TRUE, NULL; undefined for anything else. */
export function literalSql(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'integer':
    case 'float':
      return node.text.replace(/_/g, '');
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'none':
      return 'NULL';
    case 'unary_operator':
      return /^-\s*\d/.test(node.text) ? node.text.replace(/\s+/g, '') : undefined;
  }
  const s = stringValue(node);
  return s !== undefined ? `'${s.replace(/'/g, "''")}'` : undefined;
}

/** `db_default=Now()` / `models.functions.Now()` / `Value(…)`. */
function functionDefault(node: Node): string | undefined {
  if (node.type !== 'call') return undefined;
  const short = shortName(calleeName(node));
  if (short === 'Now') return 'statement_timestamp()';
  if (short === 'Value') return literalSql(callArgs(node).positional[0]);
  if (short === 'RandomUUID' || short === 'GenRandomUUID') return 'gen_random_uuid()';
  return undefined;
}

/**
 * The SQL Django uses as the one-off default when it adds a column with `default=`: it evaluates the default
 * once (a callable too) and sends the value, so the column gets a constant, which PostgreSQL 11+ stores
 * without rewriting the table. Callables are rendered as a typed constant placeholder.
 */
export function addColumnDefault(f: DjangoField): string | undefined {
  if (!f.default) return undefined;
  const lit = literalSql(f.default);
  if (lit === 'NULL') return undefined;
  if (lit) return lit;
  // A callable (timezone.now, uuid.uuid4, dict) or a constant name: evaluated once by Django at migrate time.
  if (/^(json|jsonb)$/.test(f.type)) return `'{}'`;
  if (/^(integer|bigint|smallint|numeric|double precision|real)/.test(f.type)) return '0';
  if (f.type === 'boolean') return 'false';
  return `'${f.default.text.replace(/'/g, "''").slice(0, 40)}'`;
}

/** Django's table name for a model: `db_table`, else `<app_label>_<model name lower-cased>`. */
export function defaultTable(app: string, model: string): string {
  return `${app}_${model}`.toLowerCase();
}

/** The app label of a file: the folder that holds `models.py` / the `models/` package / `migrations/`. */
export function appLabelOf(path: string): string | undefined {
  const parts = path.split('/');
  const i = parts.findIndex((p, k) => (p === 'migrations' || p === 'models' || p === 'models.py') && k > 0);
  if (i > 0) return parts[i - 1];
  return parts.length > 1 ? parts[parts.length - 2] : undefined;
}

/** PostgreSQL's 63-byte identifier limit; Django shortens names with a hash the same way. */
export function shortIdent(name: string): string {
  if (name.length <= 63) return name;
  return `${name.slice(0, 54)}_${hash8(name)}`;
}

/** A stable 8-hex-digit hash (FNV-1a), standing in for the md5 suffix Django puts in generated names. */
export function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Django's generated index/constraint name: `<table>_<cols>_<hash><suffix>`, at most 63 characters. */
export function generatedName(table: string, columns: string[], suffix: string): string {
  const digest = `${hash8([table, ...columns].join('|'))}${suffix}`;
  const base = `${table}_${columns.join('_')}`;
  const max = 63 - digest.length - 1;
  return `${base.length > max ? base.slice(0, max) : base}_${digest}`;
}

export const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
