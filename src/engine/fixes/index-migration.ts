import type { Migration, MigrationTool } from '../facts/migrations';
import { parseSync, sqlReady } from '../sources/sql/parser';
import { fnv1a64 } from '../text';

// "Write migration" for a suggested index: a new migration file, in the project's own migration dialect, that
// builds the index without blocking writes (CREATE INDEX CONCURRENTLY, outside a transaction) and drops it
// on the way down. Pure: it reads the engine's migration facts (for the current head and the next version
// number) and returns file paths and texts; the editor turns them into a WorkspaceEdit.

export interface IndexSpec {
  /** Index name (unquoted). */
  name: string;
  /** Table name (unquoted), without schema. */
  table: string;
  schema?: string;
  /** Plain column names; absent when the index has expressions (then `ddl` is written as is). */
  columns?: string[];
  unique?: boolean;
  /** Access method when not btree (gin, gist…). */
  method?: string;
  /** The CREATE INDEX statement (with CONCURRENTLY), for SQL dialects and expression indexes. */
  ddl: string;
}

export interface NewFile {
  path: string;
  text: string;
}

export type IndexMigration =
  | {
      ok: true;
      tool: 'alembic' | 'flyway' | 'golang-migrate' | 'sql' | 'dbmate' | 'prisma';
      files: NewFile[];
      /** The migration id this one creates (Alembic revision, Flyway `V6`, the file stem…). */
      id: string;
      /** The head(s) it follows (Alembic down_revision; the previous file for SQL tools). */
      parents: string[];
      notes: string[];
    }
  | { ok: false; reason: string };

export interface IndexMigrationOptions {
  /** Creation time (the Alembic header, timestamped file names). Default: now. */
  now?: Date;
  /** Alembic revision id to use (default: 12 hex digits derived from the parent, index and time). */
  revision?: string;
  /** A one-line reason for the docstring / SQL comment ("seq scan on orders in jobs.py:13"). */
  why?: string;
}

const q = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
const py = (s: string) => JSON.stringify(s);

/** Reads a CREATE INDEX statement (libpg-query must be ready) into an IndexSpec; undefined when it is not one. */
export function indexSpecFromDdl(ddl: string): IndexSpec | undefined {
  if (!sqlReady()) return undefined;
  let stmt: any;
  try {
    const parsed = parseSync(ddl.trim().replace(/;\s*$/, '')) as any;
    if (parsed.stmts?.length !== 1) return undefined;
    stmt = parsed.stmts[0].stmt?.IndexStmt;
  } catch {
    return undefined;
  }
  if (!stmt?.relation?.relname) return undefined;
  const params: any[] = stmt.indexParams ?? [];
  const plain = params.every((p) => p.IndexElem?.name && !p.IndexElem.opclass?.length && (p.IndexElem.ordering ?? 'SORTBY_DEFAULT') === 'SORTBY_DEFAULT' && (p.IndexElem.nulls_ordering ?? 'SORTBY_NULLS_DEFAULT') === 'SORTBY_NULLS_DEFAULT' && !p.IndexElem.collation) && !stmt.whereClause && !stmt.indexIncludingParams?.length;
  const columns = plain ? params.map((p) => p.IndexElem.name as string) : undefined;
  const table = stmt.relation.relname as string;
  const name = (stmt.idxname as string | undefined) ?? `ix_${table}_${(columns ?? ['expr']).join('_')}`.slice(0, 63);
  let text = ddl.trim().replace(/;\s*$/, '');
  if (!/\bCONCURRENTLY\b/i.test(text)) text = text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)/i, '$1CONCURRENTLY ');
  if (!stmt.idxname) text = text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+)(?:IF\s+NOT\s+EXISTS\s+)?/i, `$1${q(name)} `);
  return {
    name,
    table,
    schema: stmt.relation.schemaname || undefined,
    columns,
    unique: !!stmt.unique,
    method: stmt.accessMethod && stmt.accessMethod !== 'btree' ? stmt.accessMethod : undefined,
    ddl: `${text};`,
  };
}

/** The Alembic heads: revisions no other revision names as a parent, in file order. */
export function alembicHeads(migrations: readonly Migration[]): Migration[] {
  const alembic = migrations.filter((m) => m.tool === 'alembic');
  const parents = new Set(alembic.flatMap((m) => m.parents));
  return alembic.filter((m) => !parents.has(m.id));
}

/** The migration tool the project writes new migrations with (the latest migration's), if any. */
function projectTool(migrations: readonly Migration[]): MigrationTool | undefined {
  if (migrations.some((m) => m.tool === 'django')) return 'django';
  if (migrations.some((m) => m.tool === 'alembic')) return 'alembic';
  const sql = migrations.filter((m) => m.tool !== 'flyway' || !m.id.startsWith('R__'));
  return sql.length ? sortByOrder(sql)[sql.length - 1].tool : undefined;
}

function sortByOrder(ms: readonly Migration[]): Migration[] {
  return [...ms].sort((a, b) => compareOrder(a.order ?? a.id, b.order ?? b.id));
}

/** Numeric-aware comparison of version strings ("1.10" after "1.9", "002" after "1"). */
function compareOrder(a: string, b: string): number {
  const pa = a.split(/[._]/);
  const pb = b.split(/[._]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      const d = BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0;
      if (d) return d;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const dirOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');
const join = (dir: string, base: string) => (dir ? `${dir}/${base}` : base);
const pad2 = (n: number) => String(n).padStart(2, '0');
const stamp = (d: Date) => `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`;
/** A file-name slug: `add_ix_orders_total`. */
const slug = (name: string) => `add_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`.slice(0, 60);

function describe(ix: IndexSpec): string {
  const table = ix.schema ? `${ix.schema}.${ix.table}` : ix.table;
  return `add ${ix.unique ? 'unique ' : ''}index ${ix.name} on ${table}${ix.columns ? ` (${ix.columns.join(', ')})` : ''}`;
}

/** The next version after `last` for a file-ordered tool: a timestamp when the last one is one, else +1 keeping the width. */
function nextNumber(last: string | undefined, now: Date): string {
  if (!last) return '001';
  if (/^\d{12,}$/.test(last)) {
    const s = stamp(now).slice(0, last.length).padEnd(last.length, '0');
    return BigInt(s) > BigInt(last) ? s : (BigInt(last) + 1n).toString();
  }
  if (/^\d+$/.test(last)) return (BigInt(last) + 1n).toString().padStart(last.length, '0');
  return stamp(now);
}

/** The new migration that creates `ix` concurrently (and drops it on the way down), in the project's dialect. */
export function indexMigration(migrations: readonly Migration[], ix: IndexSpec, opts: IndexMigrationOptions = {}): IndexMigration {
  const now = opts.now ?? new Date();
  const tool = projectTool(migrations);
  switch (tool) {
    case 'alembic':
      return alembicIndexMigration(migrations, ix, now, opts);
    case 'django':
      return { ok: false, reason: 'Django project: add models.Index(...) to the model\'s Meta.indexes and create it with AddIndexConcurrently in a migration with atomic = False (makemigrations writes it).' };
    case 'drizzle':
    case 'knex':
    case 'typeorm':
    case 'sequelize':
      return { ok: false, reason: `${tool} keeps its own migration bookkeeping: add the index in the schema and let ${tool} generate the migration (CONCURRENTLY, outside a transaction).` };
    default:
      return sqlIndexMigration(migrations, tool, ix, now, opts);
  }
}

function alembicIndexMigration(migrations: readonly Migration[], ix: IndexSpec, now: Date, opts: IndexMigrationOptions): IndexMigration {
  const heads = alembicHeads(migrations);
  const notes: string[] = [];
  if (heads.length > 1) notes.push(`The project has ${heads.length} Alembic heads (${heads.map((h) => h.id).join(', ')}): the new revision merges them.`);
  const parents = heads.map((h) => h.id);
  const revision = opts.revision ?? fnv1a64(`${parents.join(',')}\u0000${ix.ddl}\u0000${now.toISOString()}`).slice(0, 12);
  const dir = heads.length ? dirOf(heads[heads.length - 1].file) : 'alembic/versions';
  const title = describe(ix);
  const down = parents.length === 0 ? 'None' : parents.length === 1 ? py(parents[0]) : `(${parents.map(py).join(', ')})`;
  const created = now.toISOString().replace('T', ' ').replace('Z', '');
  const schemaKw = ix.schema ? `, schema=${py(ix.schema)}` : '';
  let create: string[];
  if (ix.columns) {
    create = [
      `        op.create_index(`,
      `            ${py(ix.name)},`,
      `            ${py(ix.table)},`,
      `            [${ix.columns.map(py).join(', ')}],`,
      `            unique=${ix.unique ? 'True' : 'False'},`,
      ...(ix.schema ? [`            schema=${py(ix.schema)},`] : []),
      ...(ix.method ? [`            postgresql_using=${py(ix.method)},`] : []),
      `            postgresql_concurrently=True,`,
      `        )`,
    ];
  } else {
    create = [`        op.execute(${py(ix.ddl.replace(/;\s*$/, ''))})`];
  }
  const text = `"""${title}

Revision ID: ${revision}
Revises: ${parents.join(', ')}
Create Date: ${created}

${opts.why ? `${opts.why}\n` : ''}Built CONCURRENTLY (outside the migration's transaction, in an autocommit block), so writes to
${ix.table} are not blocked while the index builds. If the build fails it leaves an INVALID index:
drop it (DROP INDEX CONCURRENTLY ${ix.name}) and run the migration again.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = ${py(revision)}
down_revision = ${down}
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
${create.join('\n')}


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(${py(ix.name)}, table_name=${py(ix.table)}${schemaKw}, postgresql_concurrently=True)
`;
  return { ok: true, tool: 'alembic', files: [{ path: join(dir, `${revision}_${slug(ix.name)}.py`), text }], id: revision, parents, notes };
}

function sqlHeader(ix: IndexSpec, opts: IndexMigrationOptions, extra: string[] = []): string {
  return [
    `-- ${describe(ix)[0].toUpperCase()}${describe(ix).slice(1)}.`,
    ...(opts.why ? [`-- ${opts.why}`] : []),
    '-- CONCURRENTLY: the build does not block writes to the table. It cannot run inside a transaction block,',
    '-- so it stays alone in this file. A failed build leaves an INVALID index: DROP INDEX CONCURRENTLY it and rerun.',
    ...extra,
  ].join('\n');
}

function sqlIndexMigration(migrations: readonly Migration[], tool: MigrationTool | undefined, ix: IndexSpec, now: Date, opts: IndexMigrationOptions): IndexMigration {
  const ups = sortByOrder(migrations.filter((m) => m.tool === (tool ?? 'sql') && !(m.tool === 'flyway' && m.id.startsWith('R__'))));
  const last = ups[ups.length - 1];
  const parents = last ? [last.id] : [];
  const create = ix.ddl.trim().replace(/;?\s*$/, ';');
  const drop = `DROP INDEX CONCURRENTLY IF EXISTS ${ix.schema ? `${q(ix.schema)}.` : ''}${q(ix.name)};`;
  const notes: string[] = [];
  const name = slug(ix.name);
  if (tool === 'flyway') {
    const version = last?.order ?? '0';
    const parts = version.split('.');
    const bumped = parts.length === 1 ? String(Number(parts[0]) + 1) : [...parts.slice(0, -1), String(Number(parts[parts.length - 1]) + 1)].join(last && /V\d+_\d/.test(last.file) ? '_' : '.');
    const text = `${sqlHeader(ix, opts, ['-- Flyway runs a migration with a non-transactional statement outside a transaction.', '-- Undo (Flyway keeps no down migration): ' + drop])}\n${create}\n`;
    notes.push('Flyway keeps no down migration: the DROP INDEX is in a comment.');
    return { ok: true, tool: 'flyway', files: [{ path: join(last ? dirOf(last.file) : 'db/migration', `V${bumped}__${name}.sql`), text }], id: `V${bumped.replace(/_/g, '.')}`, parents, notes };
  }
  if (tool === 'golang-migrate') {
    const n = nextNumber(last?.order, now);
    const dir = last ? dirOf(last.file) : 'migrations';
    return {
      ok: true,
      tool: 'golang-migrate',
      files: [
        { path: join(dir, `${n}_${name}.up.sql`), text: `${sqlHeader(ix, opts)}\n${create}\n` },
        { path: join(dir, `${n}_${name}.down.sql`), text: `${drop}\n` },
      ],
      id: n,
      parents,
      notes,
    };
  }
  if (tool === 'prisma') {
    const folder = `${stamp(now)}_${name}`;
    const dir = last ? dirOf(dirOf(last.file)) : 'prisma/migrations';
    notes.push('Add the index to schema.prisma too (@@index), or `prisma migrate dev` will try to drop it.');
    return { ok: true, tool: 'prisma', files: [{ path: join(join(dir, folder), 'migration.sql'), text: `${sqlHeader(ix, opts)}\n${create}\n` }], id: folder, parents, notes };
  }
  // Plain ordered folders (and dbmate, which keeps both directions in one file), or no migrations yet.
  const stem = last ? last.file.slice(last.file.lastIndexOf('/') + 1).replace(/\.sql$/i, '') : '';
  const m = /^(\d+)([_-])/.exec(stem);
  const n = last && !m ? stamp(now) : nextNumber(m?.[1], now);
  const sep = m?.[2] ?? '_';
  const dir = last ? dirOf(last.file) : 'migrations';
  if (!last) notes.push('No migrations found: the file goes in migrations/.');
  const dbmate = !!last?.downgrade;
  const text = dbmate
    ? `-- migrate:up transaction:false\n${sqlHeader(ix, opts)}\n${create}\n\n-- migrate:down transaction:false\n${drop}\n`
    : `${sqlHeader(ix, opts, [`-- Undo: ${drop}`])}\n${create}\n`;
  return { ok: true, tool: dbmate ? 'dbmate' : 'sql', files: [{ path: join(dir, `${n}${sep}${name}.sql`), text }], id: `${n}${sep}${name}`, parents, notes };
}
