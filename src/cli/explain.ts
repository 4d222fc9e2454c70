import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../engine';
import { planViewModel, renderPlanText } from '../engine/explain';
import { connect, DbError, redactUrl, type Db } from '../db/connection';
import { explain } from '../db/explain';
import { openShadow, stepsFromMigrations, stepsFromSqlFiles, type ShadowDb } from '../db/shadow';
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
  --file F            read the statement from a file`;

export async function runExplain(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['db', 'format', 'project', 'file', 'rows', 'timeout'],
    flags: ['analyze', 'buffers', 'settings', 'rebuild', 'help'],
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
    if (format === 'json') {
      process.stdout.write(JSON.stringify({ source: vm.source, sql: result.sql, method: result.method, generic: result.generic, notes, advice: result.advice, view: vm, plan: [result.raw] }, null, 2) + '\n');
    } else {
      process.stdout.write(renderPlanText(vm) + '\n');
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
  let steps = stepsFromMigrations(engine.facts().migrations);
  if (!steps.length) steps = stepsFromSqlFiles(files);
  return openShadow(steps, { ...opts, onProgress: (line) => process.stderr.write(`pgready: ${line}\n`) });
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
