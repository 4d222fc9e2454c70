import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Extension, PGlite } from '@electric-sql/pglite';
import type { Migration, SourceFile } from '../engine';
import { initExplain } from '../engine/explain';
import { parseStatements, stmtKind } from '../engine/sources/sql/statements';
import { describeError, type Db } from './connection';
import { cacheFileFor, pruneCache, readCacheEntry, removeEntry, touch, writeCacheEntry } from './shadow-cache';

// The shadow database: an embedded PostgreSQL (PGlite, PostgreSQL 18 in WASM) built from the project's own
// migrations, so EXPLAIN works with no server. Building takes seconds (initdb ~4–6 s plus the DDL), so the
// built database is kept in a cache folder, keyed by a hash of everything that went into it (the migration
// SQL, the generated row count, the PGlite version, the build recipe). See `shadow-cache.ts` for the file
// format and why it is an uncompressed tar loaded into memory.

/** One statement to replay, with where it came from for notes. */
export interface ShadowStep {
  sql: string;
  file?: string;
  line?: number;
}

export interface ShadowNote {
  file?: string;
  line?: number;
  sql: string;
  message: string;
}

export interface ShadowOptions {
  /** Where built databases are kept. Default: `defaultCacheDir()`. */
  cacheDir?: string;
  /** Fill each table with this many generated rows, then ANALYZE (default 0: tables stay empty). */
  rows?: number;
  /** Ignore the cache and build again (the new build replaces the cached one). */
  rebuild?: boolean;
  /** Progress lines while building ("replaying 48 migration statements…"). */
  onProgress?: (line: string) => void;
  /** Statement timeout for the session, ms (default 10 000). */
  statementTimeoutMs?: number;
}

export interface ShadowDb extends Db {
  readonly kind: 'pglite';
  /** Whether this database was loaded from the cache rather than built now. */
  readonly fromCache: boolean;
  readonly cacheFile?: string;
  readonly key: string;
  /** Statements that failed while replaying (skipped), and other remarks. */
  readonly notes: ShadowNote[];
  /** Tables created by the migrations (schema-qualified when not public). */
  readonly tables: string[];
  /** Generated rows per table (0: empty tables). */
  readonly rows: number;
  /** Time to get the database ready, ms. */
  readonly readyMs: number;
  /** The underlying PGlite instance, for tests and live checks. */
  readonly pglite: PGlite;
}

/**
 * Bumped when the build recipe changes, so old cache entries are not reused.
 * 2: 1 MB WAL segments, no recycled WAL, no template0, checkpointed, stored as an uncompressed tar.
 */
const RECIPE = 2;
/** The installed @electric-sql/pglite (its package.json is not exported; a test keeps the two equal). */
export const PGLITE_VERSION = '0.5.14';

/**
 * initdb options for a build. A 1 MB WAL segment (instead of 16 MB) and no recycled segments keep the
 * cached data directory at ~20 MB instead of ~40 MB, and loading it is most of the time a cached open
 * takes. `--set` only reaches initdb's own sessions: the build sets wal_recycle again for its session.
 */
const INITDB_PARAMS = ['--wal-segsize=1', '--set', 'wal_recycle=off'];

/** The statements of the project's migrations in apply order (`ProjectFacts.migrations`). */
export function stepsFromMigrations(migrations: readonly Migration[]): ShadowStep[] {
  const out: ShadowStep[] = [];
  for (const m of migrations) for (const s of m.upgrade) if (s.sql.trim()) out.push({ sql: s.sql, file: s.span.file, line: s.span.line });
  return out;
}

/**
 * A project's schema history for the shadow database: its migration tool's statements, or, when no tool's
 * migrations were found, its SQL migration files in order.
 */
export function projectSteps(migrations: readonly Migration[], files: readonly SourceFile[]): ShadowStep[] {
  const steps = stepsFromMigrations(migrations);
  return steps.length ? steps : stepsFromSqlFiles(files);
}

/**
 * Fallback when the engine has no migration facts for plain SQL files: every `.sql` file under a folder
 * named like a migrations folder, in path order, split into statements by the real parser.
 */
export function stepsFromSqlFiles(files: readonly SourceFile[]): ShadowStep[] {
  const out: ShadowStep[] = [];
  const sqlFiles = files
    .filter((f) => f.path.endsWith('.sql') && /(^|\/)(migrations?|db\/migrate|schema|sql)(\/|$)/i.test(path.posix.dirname(f.path)) && !/\.down\.sql$|(^|[._-])down\.sql$/i.test(f.path))
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
  for (const f of sqlFiles) {
    const parsed = parseStatements(f.text);
    if (!parsed.ok) {
      out.push({ sql: f.text, file: f.path, line: 1 });
      continue;
    }
    for (const s of parsed.statements) out.push({ sql: s.sql, file: f.path, line: f.text.slice(0, s.start).split('\n').length });
  }
  return out;
}

/** $PGREADY_CACHE_DIR/shadow, else $XDG_CACHE_HOME/pgready/shadow, else ~/.cache/pgready/shadow. */
export function defaultCacheDir(): string {
  if (process.env.PGREADY_CACHE_DIR) return path.join(process.env.PGREADY_CACHE_DIR, 'shadow');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pgready', 'shadow');
}

/** The cache key: a hash of everything the built database depends on. */
export function shadowKey(steps: readonly ShadowStep[], rows = 0): string {
  const h = createHash('sha256');
  h.update(`pgready-shadow ${RECIPE} pglite ${PGLITE_VERSION} initdb ${INITDB_PARAMS.join(' ')} rows ${rows}\n`);
  for (const s of steps) h.update(s.sql).update('\n;\n');
  return h.digest('hex').slice(0, 24);
}

// Contrib extensions PGlite ships, loaded on demand when a migration creates them. The map keeps the
// imports static for bundlers.
const CONTRIB: Record<string, () => Extension> = {
  pg_trgm: () => require('@electric-sql/pglite/contrib/pg_trgm').pg_trgm,
  pg_stat_statements: () => require('@electric-sql/pglite/contrib/pg_stat_statements').pg_stat_statements,
  pgcrypto: () => require('@electric-sql/pglite/contrib/pgcrypto').pgcrypto,
  'uuid-ossp': () => require('@electric-sql/pglite/contrib/uuid_ossp').uuid_ossp,
  citext: () => require('@electric-sql/pglite/contrib/citext').citext,
  hstore: () => require('@electric-sql/pglite/contrib/hstore').hstore,
  ltree: () => require('@electric-sql/pglite/contrib/ltree').ltree,
  btree_gin: () => require('@electric-sql/pglite/contrib/btree_gin').btree_gin,
  btree_gist: () => require('@electric-sql/pglite/contrib/btree_gist').btree_gist,
  unaccent: () => require('@electric-sql/pglite/contrib/unaccent').unaccent,
  fuzzystrmatch: () => require('@electric-sql/pglite/contrib/fuzzystrmatch').fuzzystrmatch,
  intarray: () => require('@electric-sql/pglite/contrib/intarray').intarray,
  cube: () => require('@electric-sql/pglite/contrib/cube').cube,
  earthdistance: () => require('@electric-sql/pglite/contrib/earthdistance').earthdistance,
  tablefunc: () => require('@electric-sql/pglite/contrib/tablefunc').tablefunc,
};

/** Extensions to load: pg_trgm and pg_stat_statements always, plus every contrib module a migration creates. */
function extensionsFor(steps: readonly ShadowStep[]): Record<string, Extension> {
  const names = new Set(['pg_trgm', 'pg_stat_statements']);
  for (const s of steps) {
    for (const m of s.sql.matchAll(/create\s+extension\s+(?:if\s+not\s+exists\s+)?"?([\w-]+)"?/gi)) if (m[1].toLowerCase() in CONTRIB) names.add(m[1].toLowerCase());
  }
  const out: Record<string, Extension> = {};
  for (const n of [...names].sort()) out[n.replace(/-/g, '_')] = located(n, CONTRIB[n]());
  return out;
}

/**
 * Bundled (the VS Code extension's dist/extension.js), a contrib module looks for its tarball one folder
 * above the bundle; the build copies the tarballs next to it instead, so point the module there.
 */
function located(name: string, ext: Extension): Extension {
  const local = path.join(__dirname, `${name}.tar.gz`);
  if (!fs.existsSync(local)) return ext;
  return { ...ext, setup: async (...args: Parameters<Extension['setup']>) => ({ ...(await ext.setup(...args)), bundlePath: pathToFileURL(local) }) };
}

async function createPglite(extensions: Record<string, Extension>, loadDataDir?: Blob): Promise<PGlite> {
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  return PGlite.create(loadDataDir ? { extensions, loadDataDir } : { extensions, initDbStartParams: INITDB_PARAMS });
}

/**
 * Opens the shadow database for these migration steps: from the cache when an identical build exists,
 * otherwise built now (and cached). Never throws for a failing migration statement: it is skipped and
 * listed in `notes`. A cache entry that cannot be read or started is deleted and the database rebuilt.
 */
export async function openShadow(steps: readonly ShadowStep[], options: ShadowOptions = {}): Promise<ShadowDb> {
  const t0 = Date.now();
  // The SQL parser (for replay, and for the EXPLAIN that follows) loads while the cache file is read.
  const parserReady = initExplain();
  parserReady.catch(() => undefined); // awaited below; no unhandled-rejection warning while the file is read
  const rows = Math.max(0, Math.floor(options.rows ?? 0));
  const key = shadowKey(steps, rows);
  const dir = options.cacheDir ?? defaultCacheDir();
  const file = cacheFileFor(dir, key);
  const extensions = extensionsFor(steps);

  if (!options.rebuild) {
    const cached = await readCacheEntry(file, key);
    await parserReady;
    if (cached.ok) {
      let pg: PGlite | undefined;
      try {
        pg = await createPglite(extensions, new Blob([cached.tar]));
        touch(file); // most recently used, for pruning
        return await session(pg, { fromCache: true, cacheFile: file, key, notes: cached.meta.notes, tables: cached.meta.tables, rows, t0, options });
      } catch (e) {
        await pg?.close().catch(() => undefined);
        removeEntry(file);
        options.onProgress?.(`cached shadow database would not start (${(e as Error).message}); rebuilding`);
      }
    } else if (cached.reason !== 'missing') {
      removeEntry(file);
      options.onProgress?.(`cached shadow database unusable (${cached.reason}); rebuilding`);
    }
  }
  await parserReady;

  options.onProgress?.(`building the embedded database from ${steps.length} migration statement${steps.length === 1 ? '' : 's'}…`);
  const pg = await createPglite(extensions);
  // Old WAL segments are removed at checkpoints instead of kept for reuse: they would be cached for nothing.
  await pg.exec('SET wal_recycle = off');
  const notes = await replay(pg, steps);
  const tables = await userTables(pg);
  if (rows > 0) {
    options.onProgress?.(`filling ${tables.length} table${tables.length === 1 ? '' : 's'} with ${rows} generated rows each…`);
    notes.push(...(await fillTables(pg, rows)));
  }
  let cacheFile: string | undefined;
  try {
    await compact(pg);
    const tar = new Uint8Array(await (await pg.dumpDataDir('none')).arrayBuffer());
    writeCacheEntry(file, { key, created: new Date().toISOString(), steps: steps.length, rows, notes, tables }, tar);
    cacheFile = file;
    pruneCache(dir, 6);
  } catch (e) {
    notes.push({ sql: '', message: `could not cache the shadow database in ${dir}: ${(e as Error).message}` });
  }
  return session(pg, { fromCache: false, cacheFile, key, notes, tables, rows, t0, options });
}

/**
 * Makes the data directory small and quick to start before it is dumped: template0 is dropped (nothing
 * here creates databases; template1 stays), and a checkpoint leaves one WAL segment and almost no WAL to
 * replay when the copy starts.
 */
async function compact(pg: PGlite): Promise<void> {
  try {
    await pg.exec(`UPDATE pg_database SET datistemplate = false WHERE datname = 'template0'`);
    await pg.exec('DROP DATABASE IF EXISTS template0');
  } catch {
    // a smaller cache entry is all this was for
  }
  await pg.exec('CHECKPOINT');
}

async function session(
  pg: PGlite,
  s: { fromCache: boolean; cacheFile?: string; key: string; notes: ShadowNote[]; tables: string[]; rows: number; t0: number; options: ShadowOptions },
): Promise<ShadowDb> {
  const timeout = s.options.statementTimeoutMs ?? 10_000;
  // The same session rules as on a server. (statement_timeout is set for parity; the WASM backend
  // runs in this process, so a runaway query is bounded by the generated data size, not by signals.)
  await pg.exec(`SET application_name = 'pgready'; SET statement_timeout = ${timeout}; SET default_transaction_read_only = on`);
  const v = (await pg.query<{ n: number; v: string }>(`SELECT current_setting('server_version_num')::int AS n, current_setting('server_version') AS v`)).rows[0];
  return new PgliteDb(pg, v.n, `embedded PGlite (PostgreSQL ${v.v.split(' ')[0]}) built from migrations`, s.fromCache, s.cacheFile, s.key, s.notes, s.tables, s.rows, Date.now() - s.t0);
}

class PgliteDb implements ShadowDb {
  readonly kind = 'pglite' as const;
  private closed = false;

  constructor(
    readonly pglite: PGlite,
    readonly serverVersionNum: number,
    readonly label: string,
    readonly fromCache: boolean,
    readonly cacheFile: string | undefined,
    readonly key: string,
    readonly notes: ShadowNote[],
    readonly tables: string[],
    readonly rows: number,
    readonly readyMs: number,
  ) {}

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      return (await this.pglite.query<T>(sql, params)).rows;
    } catch (e) {
      throw describeError(e, { where: 'the embedded database', phase: 'query' });
    }
  }

  async simple(sql: string): Promise<Record<string, unknown>[][]> {
    try {
      return (await this.pglite.exec(sql)).map((r) => r.rows as Record<string, unknown>[]);
    } catch (e) {
      throw describeError(e, { where: 'the embedded database', phase: 'query' });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pglite.close().catch(() => undefined);
  }
}

const SKIP_KINDS = new Set(['TransactionStmt', 'VariableSetStmt', 'CreatedbStmt', 'DropdbStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterSystemStmt', 'CreateTableSpaceStmt']);

/** Runs each statement on its own; a failure is a note, never the end of the build. */
async function replay(pg: PGlite, steps: readonly ShadowStep[]): Promise<ShadowNote[]> {
  const notes: ShadowNote[] = [];
  const short = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 120);
  for (const step of steps) {
    const parsed = parseStatements(step.sql);
    const kinds = parsed.ok ? parsed.statements.map((s) => stmtKind(s.ast)) : [];
    // Transaction control and cluster-level statements have no place in the shadow: each statement runs
    // in its own transaction, and roles, databases and tablespaces are not there to alter.
    if (kinds.length && kinds.every((k) => SKIP_KINDS.has(k))) continue;
    try {
      await pg.exec(step.sql);
    } catch (e) {
      notes.push({ file: step.file, line: step.line, sql: short(step.sql), message: String((e as Error).message ?? e) });
      // A failed statement can leave the session in an aborted transaction if the SQL opened one.
      await pg.exec('ROLLBACK').catch(() => undefined);
    }
  }
  return notes;
}

async function userTables(pg: PGlite): Promise<string[]> {
  const res = await pg.query<{ name: string }>(
    `SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND NOT c.relispartition
      ORDER BY 1`,
  );
  return res.rows.map((r) => r.name);
}

interface ColumnInfo {
  table: string;
  column: string;
  type: string;
  typtype: string;
  elemtype: string | null;
  notnull: boolean;
  hasdefault: boolean;
  identity: string;
  generated: string;
  unique: boolean;
  fk: boolean;
  maxlen: number | null;
}

/** A generate_series expression (over `g`) producing plausible values of a column's type. */
function valueExpr(c: ColumnInfo, rows: number): string | undefined {
  const t = c.type;
  const distinct = c.unique;
  const spread = (mod: number) => (distinct ? 'g' : `(g % ${mod})`);
  // Foreign keys point at 1..rows, the keys generated for the parent table.
  if (c.fk && /^(integer|bigint|smallint)$/.test(t)) return `(1 + (g * 7919) % ${rows})`;
  if (c.typtype === 'e') return `(enum_range(NULL::${c.type}))[1 + g % array_length(enum_range(NULL::${c.type}), 1)]`;
  if (c.elemtype) return `'{}'`;
  if (/^smallint$/.test(t)) return distinct ? `(g % 32767)::smallint` : `(g % 100)::smallint`;
  if (/^(integer|bigint)$/.test(t)) return spread(1000);
  if (/^(numeric|decimal)/.test(t)) return `(${spread(1000)} + 0.5)::numeric`;
  if (/^(real|double precision)$/.test(t)) return `(${spread(1000)} * 1.5)`;
  if (/^(text|character varying|citext|character)/.test(t)) {
    const expr = `'${c.column.replace(/'/g, "''")}_' || ${spread(100)}`;
    return c.maxlen ? `left(${expr}, ${c.maxlen})` : expr;
  }
  if (t === 'boolean') return `(g % 2 = 0)`;
  if (/^timestamp/.test(t)) return `(timestamp '2025-01-01' + g * interval '1 minute')`;
  if (t === 'date') return `(date '2020-01-01' + (g % 2000))`;
  if (/^time/.test(t)) return `(time '00:00' + g * interval '1 second')`;
  if (t === 'interval') return `(g * interval '1 second')`;
  if (t === 'uuid') return `gen_random_uuid()`;
  if (t === 'json' || t === 'jsonb') return `'{}'`;
  if (t === 'bytea') return `'\\x00'::bytea`;
  if (t === 'inet' || t === 'cidr') return `('10.0.0.0'::inet + g)`;
  if (t === 'tsvector') return `to_tsvector('simple', 'w' || (g % 100))`;
  return undefined;
}

const qi = (s: string) => `"${s.replace(/"/g, '""')}"`;
const qname = (t: string) => t.split('.').map(qi).join('.');

/** Inserts `rows` generated rows into every user table, then ANALYZE. Failures become notes. */
async function fillTables(pg: PGlite, rows: number): Promise<ShadowNote[]> {
  const notes: ShadowNote[] = [];
  const cols = (
    await pg.query<ColumnInfo>(
      `SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS table,
              a.attname AS column, format_type(a.atttypid, NULL) AS type, t.typtype::text AS typtype,
              CASE WHEN t.typelem <> 0 AND t.typlen = -1 AND t.typcategory = 'A' THEN format_type(t.typelem, NULL) END AS elemtype,
              a.attnotnull AS notnull, a.atthasdef AS hasdefault, a.attidentity::text AS identity, a.attgenerated::text AS generated,
              CASE WHEN a.atttypmod > 4 AND format_type(a.atttypid, NULL) IN ('character varying', 'character') THEN a.atttypmod - 4 END AS maxlen,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND a.attnum = ANY(i.indkey)) AS unique,
              EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY(k.conkey)) AS fk
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_type t ON t.oid = a.atttypid
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
          AND NOT c.relispartition
        ORDER BY 1, a.attnum`,
    )
  ).rows;
  const byTable = new Map<string, ColumnInfo[]>();
  for (const c of cols) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
  // Foreign keys are enforced by triggers, which do not fire for replication-role sessions: generated
  // child rows need not wait for their parents, and the order of tables does not matter.
  await pg.exec(`SET session_replication_role = replica`);
  for (const [table, columns] of byTable) {
    const attempt = async (which: ColumnInfo[]) => {
      const names = which.map((c) => qi(c.column));
      const exprs = which.map((c) => valueExpr(c, rows)!);
      await pg.exec(`INSERT INTO ${qname(table)} (${names.join(', ')}) SELECT ${exprs.join(', ')} FROM generate_series(1, ${rows}) AS g`);
    };
    // Identity and serial columns count 1..rows by themselves; generated columns cannot be written.
    const writable = columns.filter((c) => c.generated === '' && c.identity === '' && !(c.hasdefault && /^(integer|bigint|smallint)$/.test(c.type) && !c.fk && c.unique));
    const full = writable.filter((c) => valueExpr(c, rows) !== undefined);
    const missing = writable.filter((c) => valueExpr(c, rows) === undefined && c.notnull && !c.hasdefault);
    if (missing.length) {
      notes.push({ sql: '', message: `${table}: not filled; no generator for required column(s) ${missing.map((c) => `${c.column} ${c.type}`).join(', ')}` });
      continue;
    }
    try {
      await attempt(full);
    } catch (e) {
      // A CHECK constraint or a unique expression index the generator cannot know: try required columns only.
      const required = full.filter((c) => c.notnull && !c.hasdefault);
      try {
        await attempt(required);
        notes.push({ sql: '', message: `${table}: filled with required columns only (${(e as Error).message})` });
      } catch (e2) {
        notes.push({ sql: '', message: `${table}: not filled (${(e2 as Error).message})` });
      }
    }
  }
  await pg.exec(`RESET session_replication_role; ANALYZE`);
  return notes;
}
