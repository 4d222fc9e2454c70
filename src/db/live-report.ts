import type { AnalysisResult } from '../engine';
import { mergeLive, type LiveCheckResult, type LiveMerge, type LiveResults } from '../engine/live';
import { readCatalog } from './catalog';
import { connect, DbError, type ConnectOptions, type Db } from './connection';
import { LIVE_CHECKS, type LiveCheck, type LiveOptions } from './live';
import type { Setting } from './live/context';

// Runs the live readiness checks against a connected database and merges them into a static analysis.
// The catalog and the server settings are read once and shared; each check then runs on its own, and a
// check that fails (a permission, a timeout) becomes an 'unknown' line in the report; only a session that
// stops answering fails the run.

export const DEFAULT_LIVE_OPTIONS: Required<LiveOptions> = {
  workers: 4,
  cacheHitRatio: 0.99,
  cacheMinReads: 100_000,
  sequenceShare: 0.75,
  xidAgeWarn: 1e9,
};

async function readSettings(db: Db): Promise<Map<string, Setting>> {
  const rows = await db.query<{ name: string; setting: string; reset_val: string; unit: string | null; source: string }>(
    `SELECT name, setting, reset_val, unit, source FROM pg_settings`,
  );
  return new Map(rows.map((r) => [r.name, { setting: r.setting ?? '', resetVal: r.reset_val ?? '', unit: r.unit, source: r.source }]));
}

/** Whether the session still answers (bounded by its client-side query timeout). */
async function answers(db: Db): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}

/** Runs every live check (or `checks`) on `db` for the project `analysis` describes. Never writes. */
export async function runLiveChecks(db: Db, analysis: AnalysisResult, options: LiveOptions = {}, checks: readonly LiveCheck[] = LIVE_CHECKS): Promise<LiveResults> {
  const t0 = performance.now();
  const catalog = await readCatalog(db);
  const settings = await readSettings(db);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const ctx = { db, facts: analysis.facts, findings: analysis.findings, catalog, settings, options: { ...DEFAULT_LIVE_OPTIONS, ...defined } };
  const results: LiveCheckResult[] = [];
  for (const check of checks) {
    const t = performance.now();
    const base = { check: check.id, title: check.title, category: check.category };
    try {
      const o = await check.run(ctx);
      results.push({ ...base, status: o.status, summary: o.summary, findings: o.findings ?? [], verdicts: o.verdicts ?? [], ms: performance.now() - t });
    } catch (e) {
      const message = e instanceof DbError ? e.message : String((e as Error)?.message ?? e);
      // A lost session would fail every later check the same way and report a database that is all
      // "unknown": when the session no longer answers, the run fails instead, with the check's error.
      if (!(await answers(db))) throw new DbError(`Lost the connection during the live checks ("${check.title}"): ${message}`, e instanceof DbError ? e.code : undefined, e);
      results.push({ ...base, status: 'unknown', summary: `could not check: ${message}`, findings: [], verdicts: [], ms: performance.now() - t, error: message });
    }
  }
  return { source: db.label, serverVersionNum: db.serverVersionNum, checks: results, ms: performance.now() - t0 };
}

export interface LiveReportOptions extends LiveOptions {
  /** Connection (URL, timeouts). The session is always read-only here. */
  connection: ConnectOptions;
}

/**
 * Connects (read-only, application_name 'pgready', statement_timeout), runs the live checks and merges them
 * into `analysis`. A connection failure throws a DbError whose message is one line.
 */
export async function withLiveChecks(analysis: AnalysisResult, opts: LiveReportOptions): Promise<LiveMerge> {
  return mergeLive(analysis, await collectLiveChecks(analysis, opts));
}

/**
 * The unmerged half of withLiveChecks, for callers that merge the same results into later analyses (the
 * editor re-merges after every edit): its own read-only session, every check, then the session is closed.
 */
export async function collectLiveChecks(analysis: AnalysisResult, opts: LiveReportOptions): Promise<LiveResults> {
  const { connection, ...options } = opts;
  const db = await connect({ ...connection, readOnly: true });
  try {
    return await runLiveChecks(db, analysis, options);
  } finally {
    await db.close();
  }
}

/**
 * The CLI's `--db VALUE [--workers N]`: VALUE is a URL, or `env` to read DATABASE_URL (only when asked: a
 * report never connects to a database on its own). Throws an Error with a one-line message.
 */
export async function liveChecksForCli(analysis: AnalysisResult, dbArg: string, workersArg?: string, env: Record<string, string | undefined> = process.env): Promise<LiveMerge> {
  const url = dbArg === 'env' ? env.DATABASE_URL : dbArg;
  if (!url) throw new Error(dbArg === 'env' ? '--db env: DATABASE_URL is not set' : '--db needs a URL (or "env" for DATABASE_URL)');
  let workers: number | undefined;
  if (workersArg !== undefined) {
    if (!/^[1-9]\d*$/.test(workersArg)) throw new Error(`--workers must be a whole number ≥ 1 (got "${workersArg}")`);
    workers = Number(workersArg);
  }
  return withLiveChecks(analysis, { connection: { url }, workers });
}
