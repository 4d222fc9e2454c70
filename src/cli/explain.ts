import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../engine';
import { initExplain, planViewModel, renderPlanText } from '../engine/explain';
import { connect, DbError, redactUrl, type Db } from '../db/connection';
import { explain, type ExplainResult } from '../db/explain';
import { normalizeIndexDdl, tryIndex, type TryIndexResult } from '../db/try-index';
import { parseStatements } from '../engine/sources/sql/statements';
import { openShadow, projectSteps, type ShadowDb } from '../db/shadow';
import { choice, parseArgs, UsageError } from './args';
import { loadSettings } from './config';
import { listFiles, readText } from './files';
import { initParsers } from './init';

export const EXPLAIN_USAGE = `Usage: pgready explain [options] "<sql>"
       pgready explain [options] --file query.sql

Explains one statement and prints the plan with advice. Placeholders ($1, :name, %s, %(name)s) are
explained as a generic plan. Without --db or DATABASE_URL the plan comes from an embedded PostgreSQL
(PGlite) built from the project's migrations (cached; rebuilt when they change).

Options:
  --db URL            PostgreSQL URL (postgres://, postgresql+asyncpg://…); "postgres://" alone uses PG* variables
  --analyze           run the statement (inside a transaction that is always rolled back)
  --buffers           include buffer counts
  --settings          include non-default planner settings
  --format text|json  output (default text)
  --project PATH      project whose migrations build the embedded database (default .)
  --rows N            embedded database: fill each table with N generated rows and ANALYZE
  --rebuild           embedded database: ignore the cache
  --timeout MS        statement_timeout (default 10000)
  --file F            read the statement from a file
  --try-index DDL     try this CREATE INDEX for the statement: cost before → after, then nothing is left
                      (hypopg when installed in the database, else built in a transaction that is rolled
                      back, which SHARE-locks the table while it runs; refused with --production)
  --try-advice        the same with the first index the plan advice suggests
  --production        the database is production: never build an index there, even rolled back`;

export async function runExplain(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['db', 'format', 'project', 'file', 'rows', 'timeout', 'try-index'],
    flags: ['analyze', 'buffers', 'settings', 'rebuild', 'help', 'try-advice', 'production'],
  });
  if (args.flags.has('help')) {
    process.stdout.write(EXPLAIN_USAGE + '\n');
    return 0;
  }
  const format = choice('format', args.values.get('format'), ['text', 'json'] as const) ?? 'text';
  const file = args.values.get('file');
  if (file && args.positionals.length) throw new UsageError('give the SQL either as an argument or with --file, not both');
  if (!file && args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'explain takes one SQL statement (quote it)' : 'explain needs a SQL statement or --file F');
  let sql: string;
  if (file) {
    try {
      sql = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else sql = args.positionals[0];
  const rows = intOption('rows', args.values.get('rows'));
  const timeout = intOption('timeout', args.values.get('timeout'));
  const url = args.values.get('db') ?? process.env.DATABASE_URL;
  const tryDdl = args.values.get('try-index');
  const tryAdvice = args.flags.has('try-advice');
  if (tryDdl !== undefined && tryAdvice) throw new UsageError('give either --try-index DDL or --try-advice, not both');
  if ((tryDdl !== undefined || tryAdvice) && args.flags.has('analyze')) throw new UsageError('--try-index/--try-advice compare estimated costs; drop --analyze');
  if (tryDdl !== undefined) {
    await initExplain();
    try {
      normalizeIndexDdl(tryDdl);
    } catch (e) {
      throw new UsageError(`--try-index: ${(e as Error).message}`);
    }
  }

  let db: Db | undefined;
  const notes: string[] = [];
  try {
    if (url !== undefined) {
      db = await connect({ url, statementTimeoutMs: timeout });
    } else {
      const shadow = await openProjectShadow(path.resolve(args.values.get('project') ?? '.'), { rows, rebuild: args.flags.has('rebuild'), statementTimeoutMs: timeout });
      db = shadow;
      notes.push(...shadowNotes(shadow, args.values.get('project') ?? '.'));
    }
    const result = await explain(db, sql, { analyze: args.flags.has('analyze'), buffers: args.flags.has('buffers'), settings: args.flags.has('settings') });
    const vm = planViewModel(result.plan, { advice: result.advice, notes, source: url !== undefined ? `${db.label}` : db.label, sql: result.sql, generic: result.generic });
    let tried: TriedIndex | undefined;
    if (tryDdl !== undefined || tryAdvice) {
      const ddl = tryDdl ?? firstIndexAdvice(result);
      if (!ddl) {
        if (format === 'json') process.stdout.write(JSON.stringify({ source: vm.source, sql: result.sql, method: result.method, generic: result.generic, notes, advice: result.advice, view: vm, plan: [result.raw], tryIndex: null }, null, 2) + '\n');
        else process.stdout.write(renderPlanText(vm) + '\n');
        process.stderr.write('pgready: --try-advice: the plan advice suggests no index for this statement' + (db.kind === 'pglite' && !(db as ShadowDb).rows ? ' (the embedded tables are empty: add --rows N)' : '') + '.\n');
        return 1;
      }
      // The shadow database is private to this process: building the index there (rolled back) locks nobody.
      tried = await tryIndexChecked(db, sql, ddl, { production: args.flags.has('production') && db.kind !== 'pglite' });
    }
    if (format === 'json') {
      const t = tried && { method: tried.result.method, indexSql: tried.result.indexSql, before: tried.result.before.cost, after: tried.result.after.cost, ratio: tried.result.ratio, usesIndex: tried.result.usesIndex, indexName: tried.result.indexName, notes: tried.result.notes, leftBehind: tried.leftBehind, afterView: planViewModel(tried.result.after.plan.plan, { source: vm.source, sql: result.sql, generic: result.generic }) };
      process.stdout.write(JSON.stringify({ source: vm.source, sql: result.sql, method: result.method, generic: result.generic, notes, advice: result.advice, view: vm, plan: [result.raw], ...(t ? { tryIndex: t } : {}) }, null, 2) + '\n');
    } else {
      process.stdout.write(renderPlanText(vm) + '\n');
      if (tried) process.stdout.write('\n' + renderTried(tried) + '\n');
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const where = url !== undefined ? ` (${redactUrl(url) || 'PG* variables'})` : '';
    const msg = e instanceof DbError ? e.message : String((e as Error)?.message ?? e);
    process.stderr.write(`pgready: explain failed${where}: ${msg}\n`);
    if (db?.kind === 'pglite' && /does not exist/.test(msg)) {
      process.stderr.write(`pgready: the embedded database only has what the project's migrations create (${(db as ShadowDb).tables.length} tables); pass --project or --db.\n`);
    }
    return 2;
  } finally {
    await db?.close();
  }
}

/** The CREATE INDEX of the first plan advice that suggests one. */
export function firstIndexAdvice(result: Pick<ExplainResult, 'advice'>): string | undefined {
  const a = result.advice.find((x) => typeof x.data.createIndex === 'string');
  return a?.data.createIndex as string | undefined;
}

export interface TriedIndex {
  result: TryIndexResult;
  /** Indexes on the table after the try minus before (0: nothing was left behind). */
  leftBehind: number;
}

/** The table a CREATE INDEX is on, as a regclass literal. */
function indexTable(indexSql: string): string | undefined {
  const parsed = parseStatements(indexSql);
  const rel = parsed.ok ? (parsed.statements[0]?.ast as any)?.IndexStmt?.relation : undefined;
  if (!rel?.relname) return undefined;
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return rel.schemaname ? `${q(rel.schemaname)}.${q(rel.relname)}` : q(rel.relname);
}

/** tryIndex, plus a check that the table has as many indexes afterwards as before. */
export async function tryIndexChecked(db: Db, sql: string, ddl: string, opts: { production?: boolean }): Promise<TriedIndex> {
  const table = indexTable(normalizeIndexDdl(ddl));
  const count = async () => (table ? ((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_index WHERE indrelid = to_regclass($1)`, [table]))[0]?.n ?? 0) : 0);
  const before = await count();
  const result = await tryIndex(db, sql, ddl, opts);
  return { result, leftBehind: (await count()) - before };
}

const fmtCost = (n: number) => n.toFixed(2);

/** "Try index" as text: method, the DDL tried, cost before → after, and notes. */
export function renderTried(t: TriedIndex): string {
  const r = t.result;
  const change = r.before.cost > 0 ? ` (${r.ratio <= 1 ? '−' : '+'}${Math.abs((1 - r.ratio) * 100).toFixed(1)} %)` : '';
  const lines = [
    `Try index (${r.method === 'hypopg' ? 'hypothetical, hypopg' : 'built in a rolled-back transaction'}): ${r.indexSql}`,
    `  cost ${fmtCost(r.before.cost)} → ${fmtCost(r.after.cost)}${change}${r.usesIndex ? ` · the plan uses ${r.indexName}` : ' · the plan does not use it'}`,
    ...r.notes.map((n) => `  note: ${n}`),
    t.leftBehind === 0 ? '  nothing was left behind: the table has the same indexes as before.' : `  WARNING: the table has ${t.leftBehind} more index(es) than before.`,
  ];
  return lines.join('\n');
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number (got "${v}")`);
  return Number(v);
}

/** Reads the project with the engine and opens its shadow database. Progress goes to stderr. */
export async function openProjectShadow(root: string, opts: { rows?: number; rebuild?: boolean; statementTimeoutMs?: number; cacheDir?: string }): Promise<ShadowDb> {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`project folder does not exist: ${root}`);
  await initParsers();
  const { settings } = loadSettings(root);
  const engine = new Engine(settings);
  const files: { path: string; text: string }[] = [];
  for (const c of listFiles(root, settings).candidates) {
    const read = readText(c);
    if ('text' in read) {
      engine.setFile(c.rel, read.text);
      files.push({ path: c.rel, text: read.text });
    }
  }
  return openShadow(projectSteps(engine.facts().migrations, files), { ...opts, onProgress: (line) => process.stderr.write(`pgready: ${line}\n`) });
}

function shadowNotes(shadow: ShadowDb, project: string): string[] {
  const out: string[] = [];
  if (!shadow.tables.length) out.push(`the embedded database has no tables: no migrations found in ${project}`);
  else if (!shadow.rows)
    out.push(`tables are empty (embedded database built from the migrations in ${project}): the plan shows what PostgreSQL does with empty tables; use --rows N for generated data or --db URL for a real database`);
  else out.push(`tables hold ${shadow.rows} generated rows each (embedded database), not your data`);
  if (shadow.notes.length) {
    out.push(`${shadow.notes.length} migration statement${shadow.notes.length === 1 ? '' : 's'} could not be replayed and ${shadow.notes.length === 1 ? 'was' : 'were'} skipped:`);
    for (const n of shadow.notes.slice(0, 5)) out.push(`  ${n.file ? `${n.file}:${n.line ?? 1}: ` : ''}${n.message}`);
  }
  return out;
}
