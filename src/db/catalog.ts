import { newTable, type Index, type Schema, type Table } from '../engine/facts/schema';
import type { Db } from './connection';

// The connected database's catalog as engine Schema facts (origin 'catalog'), plus the per-index numbers
// the live checks need (validity, size, scans) that a schema model has no place for. Four catalog queries,
// whatever the number of tables, so 200 tables cost the same round trips as 2.

/** Per-index details from pg_index / pg_stat_user_indexes. */
export interface CatalogIndex {
  oid: number;
  schema: string;
  table: string;
  name: string;
  /** Plain column names in key order; an expression key is `null`. */
  columns: (string | null)[];
  unique: boolean;
  primary: boolean;
  /** Backs a constraint (PRIMARY KEY, UNIQUE, EXCLUDE): cannot be dropped on its own. */
  constraint: boolean;
  valid: boolean;
  method: string;
  predicate: string | null;
  /** What makes two indexes the same: key columns, expressions, operator classes, collations, predicate, method. */
  identity: string;
  /** Number of key columns (INCLUDE columns excluded). */
  keyCount: number;
  scans: number;
  sizeBytes: number;
  definition: string;
}

export interface CatalogForeignKey {
  schema: string;
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface Catalog {
  /** Tables keyed like the engine keys them: unqualified when visible in the search path, else `schema.name`. */
  schema: Schema;
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
  /** Approximate rows per table key (reltuples; -1 when never analysed). */
  rows: Map<string, number>;
  /** Table key → schema-qualified, quoted name for SQL. */
  qualified: Map<string, string>;
}

/** Schemas that belong to PostgreSQL or to extensions, not to the application. */
export const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'hypopg') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  visible: boolean;
  rows: number;
  kind: string;
}

interface ColumnRow {
  oid: number;
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
}

interface IndexRow {
  oid: number;
  tableoid: number;
  name: string;
  cols: (string | null)[];
  keycount: number;
  unique: boolean;
  primary: boolean;
  constraint: string | null;
  valid: boolean;
  method: string;
  predicate: string | null;
  identity: string;
  scans: string | number | null;
  size: string | number;
  def: string;
  opclasses: (string | null)[];
}

interface FkRow {
  tableoid: number;
  name: string;
  cols: string[];
  reftable: string;
  refschema: string;
  refcols: string[];
}

/** Reads the application's tables, columns, indexes and foreign keys. */
export async function readCatalog(db: Db): Promise<Catalog> {
  const tables = await db.query<TableRow>(
    `SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, pg_table_is_visible(c.oid) AS visible,
            c.reltuples::float8 AS rows, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${SYSTEM_SCHEMAS}
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname, c.relname`,
  );
  const oids = tables.map((t) => t.oid);
  // One client runs one query at a time: sequential, not Promise.all.
  const [columns, indexes, fks] = [
    await db.query<ColumnRow>(
      `SELECT a.attrelid::int8::float8 AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [oids],
    ),
    await db.query<IndexRow>(
      `SELECT i.indexrelid::int8::float8 AS oid, i.indrelid::int8::float8 AS tableoid, ic.relname AS name,
              ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE (SELECT attname::text FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = k.attnum) END
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord) AS cols,
              i.indnkeyatts AS keycount, i.indisunique AS unique, i.indisprimary AS primary, con.contype::text AS constraint,
              i.indisvalid AND i.indisready AS valid, am.amname AS method, pg_get_expr(i.indpred, i.indrelid) AS predicate,
              concat_ws('|', am.amname, i.indkey::text, i.indclass::text, i.indcollation::text, i.indoption::text,
                        pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid), i.indnkeyatts) AS identity,
              s.idx_scan AS scans, pg_relation_size(i.indexrelid) AS size, pg_get_indexdef(i.indexrelid) AS def,
              ARRAY(SELECT opc.opcname::text FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS o(oid, ord) LEFT JOIN pg_opclass opc ON opc.oid = o.oid ORDER BY o.ord) AS opclasses
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_am am ON am.oid = ic.relam
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
         LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
        WHERE i.indrelid = ANY($1::oid[])
        ORDER BY i.indrelid, ic.relname`,
      [oids],
    ),
    await db.query<FkRow>(
      `SELECT con.conrelid::int8::float8 AS tableoid, con.conname AS name,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.ord) AS cols,
              rc.relname AS reftable, rn.nspname AS refschema,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.ord) AS refcols
         FROM pg_constraint con
         JOIN pg_class rc ON rc.oid = con.confrelid
         JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE con.contype = 'f' AND con.conrelid = ANY($1::oid[])
        ORDER BY con.conrelid, con.conname`,
      [oids],
    ),
  ];

  const schema: Schema = { tables: new Map() };
  const byOid = new Map<number, { key: string; table: Table; row: TableRow }>();
  const rows = new Map<string, number>();
  const qualified = new Map<string, string>();
  for (const t of tables) {
    const key = t.visible ? t.name : `${t.schema}.${t.name}`;
    if (schema.tables.has(key)) continue; // two schemas, same visible name: the first in order wins
    const table = newTable(t.name, 'catalog');
    if (!t.visible || t.schema !== 'public') table.schema = t.schema;
    schema.tables.set(key, table);
    byOid.set(t.oid, { key, table, row: t });
    rows.set(key, t.rows);
    qualified.set(key, `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`);
  }
  for (const c of columns) {
    const t = byOid.get(c.oid)?.table;
    if (!t) continue;
    t.columns.push({ name: c.name, type: c.type, nullable: !c.notnull, default: c.def ?? undefined, primaryKey: false, unique: false });
  }
  const catalogIndexes: CatalogIndex[] = [];
  for (const i of indexes) {
    const owner = byOid.get(i.tableoid);
    if (!owner) continue;
    const keyCols = i.cols.slice(0, i.keycount);
    const idx: Index = {
      name: i.name,
      table: owner.table.name,
      keys: keyCols.map((c, k) => ({ column: c ?? undefined, expression: c === null ? '(expression)' : undefined, opclass: i.opclasses[k] ?? undefined })),
      unique: i.unique,
      method: i.method,
      where: i.predicate ?? undefined,
      constraint: i.primary ? 'primary' : i.constraint === 'u' ? 'unique' : undefined,
      include: i.cols.length > i.keycount ? (i.cols.slice(i.keycount).filter(Boolean) as string[]) : undefined,
      origin: 'catalog',
    };
    // An invalid index is not used by queries: it must not make a foreign key look indexed.
    if (i.valid) owner.table.indexes.push(idx);
    if (i.primary) {
      owner.table.primaryKey = keyCols.filter((c): c is string => !!c);
      for (const c of owner.table.columns) if (owner.table.primaryKey.includes(c.name)) c.primaryKey = true;
    }
    if (i.unique && i.valid && !i.predicate && keyCols.length === 1 && keyCols[0]) {
      const col = owner.table.columns.find((c) => c.name === keyCols[0]);
      if (col) col.unique = true;
    }
    catalogIndexes.push({
      oid: i.oid,
      schema: owner.row.schema,
      table: owner.key,
      name: i.name,
      columns: keyCols,
      unique: i.unique,
      primary: i.primary,
      constraint: !!i.constraint,
      valid: i.valid,
      method: i.method,
      predicate: i.predicate,
      identity: i.identity,
      keyCount: i.keycount,
      scans: Number(i.scans ?? 0),
      sizeBytes: Number(i.size),
      definition: i.def,
    });
  }
  const foreignKeys: CatalogForeignKey[] = [];
  for (const f of fks) {
    const owner = byOid.get(f.tableoid);
    if (!owner) continue;
    owner.table.foreignKeys.push({ name: f.name, table: owner.table.name, columns: f.cols, refTable: f.reftable, refColumns: f.refcols, origin: 'catalog' });
    foreignKeys.push({ schema: owner.row.schema, table: owner.key, name: f.name, columns: f.cols, refTable: f.reftable, refColumns: f.refcols });
  }
  return { schema, indexes: catalogIndexes, foreignKeys, rows, qualified };
}

/** "8192 bytes" → "8 kB", as pg_size_pretty would. */
export function prettySize(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 10 * 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Math.round(v)} ${units[u]}`;
}
