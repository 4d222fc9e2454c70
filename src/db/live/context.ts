import type { Category, Finding, ProjectFacts } from '../../engine';
import type { LiveCheckResult, LiveFinding, LiveStatus, LiveVerdict } from '../../engine/live';
import type { Catalog } from '../catalog';
import type { Db } from '../connection';

// What every live check gets, and the shape it returns. One check per file in this folder; `index.ts`
// lists them in report order. A check only reads: the session is read-only and has a statement_timeout.

export interface Setting {
  /** The value for this session (pgready's own SETs included). */
  setting: string;
  /** The value a new session starts with (server, database and role defaults; not pgready's SETs). */
  resetVal: string;
  unit: string | null;
  source: string;
}

export interface LiveOptions {
  /** Application worker processes, each with its own pools (gunicorn/uvicorn workers). Default 4. */
  workers?: number;
  /** Cache-hit ratio below which the check warns (default 0.99). */
  cacheHitRatio?: number;
  /** Blocks read (hit + read) before the cache-hit ratio is judged (default 100 000). */
  cacheMinReads?: number;
  /** Share of a sequence's range that counts as near the limit (default 0.75). */
  sequenceShare?: number;
  /** age(datfrozenxid) from which wraparound is reported (default 1e9). */
  xidAgeWarn?: number;
}

export interface LiveContext {
  db: Db;
  facts: ProjectFacts;
  /** The static findings (before the live merge). */
  findings: Finding[];
  catalog: Catalog;
  settings: Map<string, Setting>;
  options: Required<LiveOptions>;
}

export type CheckOutcome = Pick<LiveCheckResult, 'status' | 'summary'> & { findings?: LiveFinding[]; verdicts?: LiveVerdict[] };

export interface LiveCheck {
  id: string;
  title: string;
  category: Category;
  run(ctx: LiveContext): Promise<CheckOutcome>;
}

export function outcome(status: LiveStatus, summary: string, findings: LiveFinding[] = [], verdicts: LiveVerdict[] = []): CheckOutcome {
  return { status, summary, findings, verdicts };
}

/** Static findings of one rule that are problems (not strengths). */
export function staticFindings(ctx: LiveContext, rule: string): Finding[] {
  return ctx.findings.filter((f) => f.rule === rule && !f.strength);
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** `table (a, b)` or `table.a` for messages. */
export function colText(table: string, cols: readonly (string | null)[]): string {
  const names = cols.map((c) => c ?? '(expression)');
  return names.length === 1 ? `"${table}"."${names[0]}"` : `"${table}" (${names.join(', ')})`;
}

export function sameColumns(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  return a.length === b.length && a.every((x, i) => (x ?? '').toLowerCase() === (b[i] ?? '').toLowerCase());
}

/** The key the engine uses for a table name from a finding (unqualified, folded). */
export const tableKey = (name: unknown) => String(name ?? '').toLowerCase();
