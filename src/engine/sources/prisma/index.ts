import type { DbClientConfig, FileFacts } from '../../facts';
import { newTable, type Column, type Index, type IndexKey, type Table } from '../../facts/schema';
import type { LineIndex } from '../../text';
import type { Frontend } from '../frontend';
import { listItems, parsePrismaSchema, unquote, type PrismaAttribute, type PrismaBlock, type PrismaField } from './schema';

// The Prisma schema front end: models become tables (origin 'model') named as Prisma creates them — the
// model name, or `@@map` — with quoted, case-kept identifiers, exactly as `prisma migrate` writes them in
// migration.sql, so the replayed migrations and the models merge onto the same table. Relation scalars
// (`authorId` in `@relation(fields: [authorId], …)`) become foreign keys: Prisma never indexes them on
// PostgreSQL, so missing-fk-index reads them like any other FK. The datasource becomes a client config.

const SCALARS: Record<string, string> = {
  Int: 'integer',
  BigInt: 'bigint',
  String: 'text',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Json: 'jsonb',
  Bytes: 'bytea',
  Unsupported: 'unknown',
};

const DB_TYPES: Record<string, string> = {
  VarChar: 'character varying',
  Char: 'character',
  Text: 'text',
  Uuid: 'uuid',
  Citext: 'citext',
  Integer: 'integer',
  SmallInt: 'smallint',
  BigInt: 'bigint',
  Timestamptz: 'timestamp with time zone',
  Timestamp: 'timestamp without time zone',
  Date: 'date',
  Time: 'time without time zone',
  Timetz: 'time with time zone',
  Boolean: 'boolean',
  Real: 'real',
  DoublePrecision: 'double precision',
  Decimal: 'numeric',
  Money: 'money',
  Json: 'json',
  JsonB: 'jsonb',
  ByteA: 'bytea',
  Inet: 'inet',
  Xml: 'xml',
  Bit: 'bit',
  VarBit: 'bit varying',
  Oid: 'oid',
};

export const prismaFrontend: Frontend = {
  language: 'prisma',
  accepts: (path) => path.endsWith('.prisma'),
  extract({ path, text, lines }, facts) {
    const blocks = parsePrismaSchema(text);
    extractPrisma(path, lines, blocks, facts);
  },
};

const attr = (f: { attributes: PrismaAttribute[] }, name: string) => f.attributes.find((a) => a.name === name);
const argOf = (a: PrismaAttribute | undefined, name: string, pos = -1) =>
  a?.args.find((x) => x.name === name)?.value ?? (pos >= 0 ? a?.args.filter((x) => !x.name)[pos]?.value : undefined);

export function extractPrisma(path: string, lines: LineIndex, blocks: PrismaBlock[], facts: FileFacts): void {
  const span = (s: number, e: number) => lines.span(path, s, e);
  const enums = new Set(blocks.filter((b) => b.kind === 'enum').map((b) => b.name));
  const models = blocks.filter((b) => b.kind === 'model');
  const tableNameOf = new Map(models.map((b) => [b.name, unquote(argOf(attr(b, 'map'), 'name', 0) ?? b.name)]));

  for (const b of models) {
    const tname = tableNameOf.get(b.name)!;
    const table = newTable(tname, 'model', span(b.start, b.headerEnd));
    table.model = b.name;
    const colName = new Map<string, string>();
    const isRelation = (f: PrismaField) => !SCALARS[f.type] && !enums.has(f.type) && (tableNameOf.has(f.type) || f.list || !!attr(f, 'relation') || /^[A-Z]/.test(f.type));

    for (const f of b.fields) {
      if (isRelation(f)) continue;
      const name = unquote(argOf(attr(f, 'map'), 'name', 0) ?? f.name);
      colName.set(f.name, name);
      const col: Column = { name, type: columnType(f, enums), nullable: f.optional, primaryKey: false, unique: false, attribute: f.name, span: span(f.start, f.end) };
      const def = attr(f, 'default');
      if (def) col.default = defaultSql(def.args[0]?.value ?? '', tname, name);
      if (f.list) col.type += '[]';
      table.columns.push(col);
      if (attr(f, 'id')) {
        col.primaryKey = true;
        col.nullable = false;
        table.primaryKey = [name];
        table.indexes.push({ name: `${tname}_pkey`, table: tname, keys: [{ column: name }], unique: true, method: 'btree', constraint: 'primary', span: col.span, origin: 'model' });
      }
      const uq = attr(f, 'unique');
      if (uq) {
        col.unique = true;
        table.indexes.push({ name: unquote(argOf(uq, 'map') ?? `${tname}_${name}_key`), table: tname, keys: [{ column: name }], unique: true, method: 'btree', constraint: 'unique', span: span(uq.start, uq.end), origin: 'model' });
      }
    }
    const cols = (list: string | undefined) => listItems(list).map((i) => ({ ...i, column: colName.get(i.name) ?? i.name }));

    for (const a of b.attributes) {
      const fieldsArg = argOf(a, 'fields', 0);
      if (a.name === 'id') {
        const keys = cols(fieldsArg).map((c) => c.column);
        table.primaryKey = keys;
        for (const c of table.columns) if (keys.includes(c.name)) (c.primaryKey = true), (c.nullable = false);
        table.indexes.push({ name: `${tname}_pkey`, table: tname, keys: keys.map((column) => ({ column })), unique: true, method: 'btree', constraint: 'primary', span: span(a.start, a.end), origin: 'model' });
      } else if (a.name === 'unique' || a.name === 'index') {
        const items = cols(fieldsArg);
        const unique = a.name === 'unique';
        const type = argOf(a, 'type');
        const keys: IndexKey[] = items.map((i) => {
          const k: IndexKey = { column: i.column };
          const ops = i.args.find((x) => x.name === 'ops')?.value;
          if (ops) k.opclass = /^raw\(/.test(ops) ? unquote(ops.replace(/^raw\(([\s\S]*)\)$/, '$1')) : snake(ops);
          return k;
        });
        const suffix = unique ? 'key' : 'idx';
        const ix: Index = {
          name: unquote(argOf(a, 'map') ?? `${tname}_${items.map((i) => i.column).join('_')}_${suffix}`),
          table: tname,
          keys,
          unique,
          method: type ? type.toLowerCase() : 'btree',
          span: span(a.start, a.end),
          origin: 'model',
        };
        if (unique) ix.constraint = 'unique';
        table.indexes.push(ix);
      } else if (a.name === 'map') {
        // handled with the table name
      }
    }

    for (const f of b.fields) {
      if (!isRelation(f)) continue;
      table.relationships.push({ name: f.name, target: f.type, lazy: 'select', uselist: f.list, span: span(f.start, f.end) });
      const rel = attr(f, 'relation');
      const fields = cols(argOf(rel, 'fields')).map((c) => c.column);
      const refs = listItems(argOf(rel, 'references')).map((i) => i.name);
      if (!rel || !fields.length) continue;
      const target = models.find((m) => m.name === f.type);
      const refCols = refs.map((r) => {
        const field = target?.fields.find((x) => x.name === r);
        return field ? unquote(argOf(attr(field, 'map'), 'name', 0) ?? r) : r;
      });
      const onDelete = argOf(rel, 'onDelete');
      table.foreignKeys.push({
        name: unquote(argOf(rel, 'map') ?? `${tname}_${fields.join('_')}_fkey`),
        table: tname,
        columns: fields,
        refTable: tableNameOf.get(f.type) ?? f.type,
        refColumns: refCols,
        onDelete: onDelete ? snake(onDelete).replace(/_/g, ' ') : undefined,
        span: span(f.start, f.end),
        origin: 'model',
        refModel: f.type,
      });
    }
    facts.tables.push(table);
  }

  for (const b of blocks.filter((x) => x.kind === 'datasource')) {
    const provider = unquote(b.settings.get('provider')?.value ?? '');
    if (provider && !/postgres|cockroach/.test(provider)) continue;
    const url = b.settings.get('url');
    if (!url) continue;
    facts.clients.push(prismaUrlConfig(url.value, span(url.start, url.end), `url = ${url.value}`));
    const literal = /^"/.test(url.value) ? unquote(url.value) : undefined;
    if (literal && /^postgres(ql)?:\/\/[^:/@]+:[^@/]+@/.test(literal) && !/:(\$\{|<|\*+@)/.test(literal)) {
      facts.credentials.push({ span: span(url.start, url.end), where: 'datasource url in schema.prisma' });
    }
  }
}

/** A Prisma connection URL as a client config: `options=-c statement_timeout=…`, `connection_limit`. */
export function prismaUrlConfig(value: string, at: import('../../types').Span, code: string): DbClientConfig {
  const literal = /^["'`]/.test(value.trim()) ? unquote(value.trim().replace(/^['`]|['`]$/g, '"')) : undefined;
  const cfg: DbClientConfig = { span: at, kind: 'prisma', timeouts: {}, settingsKnown: literal !== undefined, code, driver: 'prisma' };
  const env = /^env\(\s*"([^"]+)"\s*\)$|^process\.env(?:\.(\w+)|\[['"](\w+)['"]\])$/.exec(value.trim());
  if (env) cfg.urlEnv = env[1] ?? env[2] ?? env[3];
  if (literal === undefined) return cfg;
  const q = literal.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : literal.slice(q + 1));
  const options = params.get('options') ?? '';
  for (const key of ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'] as const) {
    const m = new RegExp(`-c\\s*${key}\\s*=\\s*(\\S+)`).exec(options);
    if (m) cfg.timeouts[key] = m[1];
  }
  const limit = Number(params.get('connection_limit'));
  if (Number.isFinite(limit) && params.has('connection_limit')) cfg.poolSize = limit;
  return cfg;
}

function columnType(f: PrismaField, enums: Set<string>): string {
  const db = f.attributes.find((a) => a.name.startsWith('db.'));
  if (db) {
    const base = DB_TYPES[db.name.slice(3)] ?? db.name.slice(3).toLowerCase();
    const args = db.args.map((a) => a.value).join(',');
    if (base === 'timestamp with time zone' || base === 'timestamp without time zone') return base.replace('timestamp', `timestamp${args ? `(${args})` : ''}`);
    return args ? `${base}(${args})` : base;
  }
  if (SCALARS[f.type]) return SCALARS[f.type];
  return enums.has(f.type) ? f.type.toLowerCase() : 'unknown';
}

function defaultSql(v: string, table: string, column: string): string {
  if (v === 'autoincrement()') return `nextval('${table}_${column}_seq'::regclass)`;
  if (v === 'now()') return 'CURRENT_TIMESTAMP';
  if (/^(uuid|cuid|nanoid|ulid)\(/.test(v)) return v; // generated by the client, not the database
  if (/^dbgenerated\(/.test(v)) return unquote(v.replace(/^dbgenerated\(([\s\S]*)\)$/, '$1'));
  if (/^"/.test(v)) return `'${unquote(v).replace(/'/g, "''")}'`;
  return v;
}

/** `SetNull` → `set_null`, `JsonbPathOps` → `jsonb_path_ops`. */
function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * A client whose URL is `env("DATABASE_URL")`, resolved from a `.env` file of the project when one sets the
 * variable (the nearest `.env` above the client's file, as the Prisma CLI loads it). Facts are per file, so
 * this runs at the rule, over `facts.files` and their text. Unchanged when no `.env` sets it.
 */
export function resolveEnvUrl(c: DbClientConfig, files: Iterable<string>, text: (file: string) => string | undefined): DbClientConfig {
  if (!c.urlEnv || c.settingsKnown) return c;
  const dir = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  const from = dir(c.span.file);
  let best: { file: string; depth: number } | undefined;
  for (const f of files) {
    if (!/(^|\/)\.env$/.test(f)) continue;
    const d = dir(f);
    const above = d === '' || from === d || from.startsWith(`${d}/`) || (from.endsWith('/prisma') && from.slice(0, -7) === d);
    if (above && (!best || d.length > best.depth)) best = { file: f, depth: d.length };
  }
  if (!best) return c;
  let value: string | undefined;
  for (const line of (text(best.file) ?? '').split(/\r?\n/)) {
    const m = new RegExp(`^\\s*(?:export\\s+)?${c.urlEnv}\\s*=\\s*(.*)$`).exec(line);
    if (m) value = m[1].trim().replace(/^(['"])(.*)\1$/, '$2'); // the last assignment wins, as with dotenv
  }
  if (!value || /\$\{|\$[A-Z_]/.test(value)) return c;
  const resolved = prismaUrlConfig(JSON.stringify(value), c.span, c.code);
  return { ...c, timeouts: { ...resolved.timeouts, ...c.timeouts }, settingsKnown: true, ...(resolved.poolSize !== undefined ? { poolSize: resolved.poolSize } : {}) };
}
