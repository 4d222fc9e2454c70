import { buildPlan, initExplain, planAdvice, rawExplainOf, type AdviceOptions, type Plan, type PlanAdvice, type RawExplain } from '../engine/explain';
import { parseStatements, rewritePlaceholders, stmtKind } from '../engine/sources/sql/statements';
import { DbError, type Db } from './connection';

// Running EXPLAIN safely. Placeholders become `$n`; a query with parameters is explained as a generic plan
// (PostgreSQL ≥ 16: EXPLAIN (GENERIC_PLAN); ≤ 15: PREPARE with plan_cache_mode = force_generic_plan, then
// EXPLAIN EXECUTE with NULLs). ANALYZE really runs the statement, so it always runs inside a transaction
// that is rolled back, read-only unless the statement writes.

export interface ExplainOptions {
  analyze?: boolean;
  buffers?: boolean;
  settings?: boolean;
  verbose?: boolean;
  /** Thresholds for plan advice. `tableRows` is filled from pg_class unless given. */
  advice?: Partial<AdviceOptions>;
}

export interface ExplainResult {
  plan: Plan;
  raw: RawExplain;
  advice: PlanAdvice[];
  /** The SQL as sent (placeholders rewritten to `$n`). */
  sql: string;
  /** The driver placeholders found (`:name`, `%s`…), in `$n` order; `$n` already in the text count too. */
  parameters: number;
  /** True when the plan is a generic plan (parameters unbound). */
  generic: boolean;
  /** Which path produced it: 'plain' | 'generic_plan' | 'prepare' (PG ≤ 15 fallback). */
  method: 'plain' | 'generic_plan' | 'prepare';
  statementKind: string;
  writes: boolean;
  /** The database it ran on (Db.label). */
  source: string;
  /** Estimated rows per table in the plan (pg_class.reltuples; absent when never analysed). */
  tableRows: Record<string, number>;
}

const WRITING_KINDS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const EXPLAINABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ExecuteStmt', 'DeclareCursorStmt', 'CreateTableAsStmt']);

let prepared = 0;

interface Analysis {
  sql: string;
  kind: string;
  writes: boolean;
  params: number;
}

function analyse(input: string): Analysis {
  const text = input.trim().replace(/;\s*$/, '');
  if (!text) throw new DbError('Nothing to explain: the SQL is empty.');
  const parsed = parseStatements(text);
  if (!parsed.ok) {
    // Let the server phrase the syntax error; still rewrite placeholders so `:id` is not the problem.
    return { sql: rewritePlaceholders(text).sql, kind: '', writes: false, params: 0 };
  }
  if (parsed.statements.length !== 1) throw new DbError(`EXPLAIN takes one statement at a time; this text has ${parsed.statements.length}.`);
  const ast = parsed.statements[0].ast;
  const kind = stmtKind(ast);
  if (/^Explain/.test(kind)) throw new DbError('The SQL is already an EXPLAIN; give the statement itself.');
  if (!EXPLAINABLE.has(kind)) throw new DbError(`EXPLAIN plans queries (SELECT, INSERT, UPDATE, DELETE, MERGE); this is a ${kind.replace(/Stmt$/, '')} statement.`);
  let params = 0;
  let writes = WRITING_KINDS.has(kind) || kind === 'CreateTableAsStmt';
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      if (k === 'ParamRef') params = Math.max(params, Number((child as { number?: number }).number ?? 0));
      // A data-modifying CTE or SELECT … FOR UPDATE writes (or locks) even under a SELECT.
      if (WRITING_KINDS.has(k) || k === 'LockingClause') writes = true;
      walk(child);
    }
  };
  walk(ast);
  return { sql: rewritePlaceholders(text).sql, kind, writes, params };
}

function explainOptions(o: ExplainOptions, extra: string[] = []): string {
  const parts = [...extra];
  if (o.analyze) parts.push('ANALYZE');
  if (o.buffers) parts.push('BUFFERS');
  if (o.settings) parts.push('SETTINGS');
  if (o.verbose) parts.push('VERBOSE');
  parts.push('FORMAT JSON');
  return parts.join(', ');
}

function planFrom(rowsets: Record<string, unknown>[][]): RawExplain {
  for (let i = rowsets.length - 1; i >= 0; i--) {
    const row = rowsets[i]?.[0];
    if (row && 'QUERY PLAN' in row) return rawExplainOf(row['QUERY PLAN']);
  }
  throw new DbError('The server returned no plan.');
}

/** Explains one statement on `db` and returns the plan model with advice. Never leaves changes behind. */
export async function explain(db: Db, sqlText: string, options: ExplainOptions = {}): Promise<ExplainResult> {
  await initExplain();
  const a = analyse(sqlText);
  if (options.analyze && a.params > 0) {
    throw new DbError(
      `EXPLAIN ANALYZE runs the statement, and it has ${a.params} parameter${a.params > 1 ? 's' : ''} ($1${a.params > 1 ? `…$${a.params}` : ''}) with no values to run with. Drop --analyze for the generic plan, or write values in.`,
    );
  }
  let raw: RawExplain;
  let method: ExplainResult['method'] = 'plain';
  if (a.params === 0) {
    if (options.analyze) {
      // ANALYZE executes the statement: inside a transaction that is always rolled back.
      await db.simple(a.writes ? 'BEGIN TRANSACTION READ WRITE' : 'BEGIN TRANSACTION READ ONLY');
      try {
        raw = planFrom([await db.query(`EXPLAIN (${explainOptions(options)}) ${a.sql}`)]);
      } finally {
        await db.simple('ROLLBACK').catch(() => undefined);
      }
    } else {
      raw = planFrom([await db.query(`EXPLAIN (${explainOptions(options)}) ${a.sql}`)]);
    }
  } else if (db.serverVersionNum >= 160000) {
    // GENERIC_PLAN must go through the simple protocol: the extended one wants values bound for `$n`.
    method = 'generic_plan';
    raw = planFrom(await db.simple(`EXPLAIN (${explainOptions(options, ['GENERIC_PLAN'])}) ${a.sql}`));
  } else {
    method = 'prepare';
    const name = `pgready_q${++prepared}`;
    await db.simple('SET plan_cache_mode = force_generic_plan');
    let isPrepared = false;
    try {
      await db.simple(`PREPARE ${name} AS ${a.sql}`);
      isPrepared = true;
      const nulls = Array.from({ length: a.params }, () => 'NULL').join(', ');
      raw = planFrom(await db.simple(`EXPLAIN (${explainOptions(options)}) EXECUTE ${name}(${nulls})`));
    } finally {
      // Prepared statements outlive transactions: always deallocate, and put the planner setting back.
      await db.simple(`${isPrepared ? `DEALLOCATE ${name}; ` : ''}RESET plan_cache_mode`).catch(() => undefined);
    }
  }
  const plan = buildPlan(raw);
  const tableRows = options.advice?.tableRows ?? (await tableRowsOf(db, plan));
  const advice = planAdvice(plan, { ...options.advice, tableRows });
  return {
    plan,
    raw,
    advice,
    sql: a.sql,
    parameters: a.params,
    generic: a.params > 0,
    method,
    statementKind: a.kind,
    writes: a.writes,
    source: db.label,
    tableRows,
  };
}

/** reltuples of the tables the plan reads, by name (visible in the search path) and by schema.name. */
export async function tableRowsOf(db: Db, plan: Plan): Promise<Record<string, number>> {
  const names = [...new Set(plan.nodes.map((n) => n.raw['Relation Name']).filter((x): x is string => !!x))];
  if (!names.length) return {};
  const rows = await db
    .query<{ schema: string; name: string; rows: number; visible: boolean }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS rows, pg_table_is_visible(c.oid) AS visible
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'm')`,
      [names],
    )
    .catch(() => []);
  const out: Record<string, number> = {};
  for (const r of rows) {
    if (r.rows < 0) continue; // never vacuumed or analysed: unknown
    out[`${r.schema}.${r.name}`] = r.rows;
    if (r.visible || !(r.name in out)) out[r.name] = r.rows;
  }
  return out;
}
