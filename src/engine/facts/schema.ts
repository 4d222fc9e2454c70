import type { Span } from '../types';

// The language-neutral schema model. Front ends (SQLAlchemy models, Alembic ops, SQL DDL, later Prisma,
// Django, the live catalog) all produce these shapes; rules only ever read them.
// Names are stored as PostgreSQL folds them: unquoted identifiers lower-cased.

/** Where a schema object was declared: an ORM model, a migration, or a connected database's catalog. */
export type Origin = 'model' | 'migration' | 'catalog';

export interface Column {
  name: string;
  /** The SQL type as PostgreSQL would name it, lower-case ("integer", "character varying(255)", "text", "uuid"). */
  type: string;
  nullable: boolean;
  /** The default expression as SQL text, when there is one (server_default / DEFAULT). */
  default?: string;
  primaryKey: boolean;
  /** A single-column UNIQUE on this column (also listed in Table.indexes as a unique index). */
  unique: boolean;
  /** The ORM attribute name when it differs from the column name. */
  attribute?: string;
  span?: Span;
}

export interface IndexKey {
  /** A plain column key. */
  column?: string;
  /** An expression key, as SQL text (e.g. "lower(email)"). */
  expression?: string;
  /** Operator class, e.g. "gin_trgm_ops". */
  opclass?: string;
}

/**
 * An index, or a constraint backed by one (PRIMARY KEY and UNIQUE constraints appear here too, with
 * `constraint` set), because what rules ask is "is there an index that serves these columns?".
 */
export interface Index {
  name?: string;
  table: string;
  keys: IndexKey[];
  unique: boolean;
  /** btree | gin | gist | hash | brin | spgist */
  method: string;
  /** Partial-index predicate as SQL text. */
  where?: string;
  constraint?: 'primary' | 'unique';
  /** Columns carried by INCLUDE (not searchable). */
  include?: string[];
  span?: Span;
  origin: Origin;
}

export interface ForeignKey {
  name?: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: string;
  span?: Span;
  origin: Origin;
  /** The model class of the target when the code names it (`ForeignKey(User.id)`), for cross-file resolution. */
  refModel?: string;
}

export interface CheckConstraint {
  name?: string;
  table: string;
  expression: string;
  span?: Span;
}

/** An ORM relationship (SQLAlchemy relationship(), Django related fields, Prisma relation fields…). */
export interface Relationship {
  /** Attribute name on the model ("company", "applications"). */
  name: string;
  /** Target model class name as written ("Company"). */
  target: string;
  /**
   * Loading strategy: 'select' (lazy, one query per access: SQLAlchemy's default), 'selectin', 'joined',
   * 'subquery', 'raise', 'noload', 'dynamic', 'write_only', 'immediate'.
   */
  lazy: string;
  uselist?: boolean;
  backPopulates?: string;
  /** SQLAlchemy `backref=`: the name of the relationship this one creates on the target model. */
  backref?: string;
  /** Association table of a many-to-many (`secondary="job_tags"`), when written as a name. */
  secondary?: string;
  span?: Span;
}

export interface Table {
  /** Unqualified, folded table name. */
  name: string;
  schema?: string;
  /** The ORM model class that maps this table, if any ("User"). */
  model?: string;
  columns: Column[];
  primaryKey: string[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  relationships: Relationship[];
  span?: Span;
  origin: Origin;
}

/** Tables keyed by folded, unqualified name. */
export interface Schema {
  tables: Map<string, Table>;
}

export function emptySchema(): Schema {
  return { tables: new Map() };
}

export function newTable(name: string, origin: Origin, span?: Span): Table {
  return { name, columns: [], primaryKey: [], indexes: [], foreignKeys: [], checks: [], relationships: [], span, origin };
}

/** Every index's ordered plain-column list, primary key included (it is an index too). */
export function indexColumnLists(table: Table): string[][] {
  const lists = table.indexes.map((ix) => ix.keys.map((k) => k.column ?? '\u0000expr'));
  if (table.primaryKey.length && !table.indexes.some((ix) => ix.constraint === 'primary')) lists.push(table.primaryKey);
  return lists;
}

/**
 * True when some btree-able index leads with exactly `columns` (in any order among the leading
 * `columns.length` keys), which is what lets PostgreSQL use it for lookups on those columns.
 */
export function hasLeadingIndex(table: Table, columns: string[]): boolean {
  const want = new Set(columns.map((c) => c.toLowerCase()));
  const lists: { cols: string[]; method: string; partial: boolean }[] = table.indexes
    .filter((ix) => ix.method === 'btree' || ix.method === 'hash' || ix.constraint)
    .map((ix) => ({ cols: ix.keys.map((k) => k.column ?? '\u0000expr'), method: ix.method, partial: !!ix.where }));
  if (table.primaryKey.length) lists.push({ cols: table.primaryKey, method: 'btree', partial: false });
  return lists.some(({ cols }) => {
    if (cols.length < want.size) return false;
    const lead = cols.slice(0, want.size).map((c) => c.toLowerCase());
    return lead.every((c) => want.has(c));
  });
}

/** True when some index (any method) has `column` as its first key: enough for a single-column filter. */
export function hasIndexOnColumn(table: Table, column: string): boolean {
  return hasLeadingIndex(table, [column]);
}

/** True when a unique index or constraint covers exactly a subset of `columns` (so the set is unique). */
export function hasUniqueOver(table: Table, columns: string[]): boolean {
  const want = new Set(columns.map((c) => c.toLowerCase()));
  const uniques = table.indexes.filter((ix) => ix.unique && !ix.where).map((ix) => ix.keys.map((k) => k.column ?? '\u0000expr'));
  if (table.primaryKey.length) uniques.push(table.primaryKey);
  for (const c of table.columns) if (c.unique || (c.primaryKey && table.primaryKey.length <= 1)) uniques.push([c.name]);
  return uniques.some((cols) => cols.length > 0 && cols.every((c) => want.has(c.toLowerCase())));
}

export function findColumn(table: Table, name: string): Column | undefined {
  const n = name.toLowerCase();
  return table.columns.find((c) => c.name === n || c.attribute === name);
}
