import { initExplain } from '../engine/explain';
import { parseStatements, stmtKind } from '../engine/sources/sql/statements';
import { DbError, type Db } from './connection';
import { explain, type ExplainResult } from './explain';

// "Try it" for a suggested index: the plan and cost of a query before and after the index exists.
// With hypopg already installed in the database, the index is hypothetical (backend memory only: no lock,
// no build, nothing written). Otherwise the index is really built inside a transaction that is always rolled
// back: CREATE INDEX takes a SHARE lock on the table (writes wait) for as long as the build and the EXPLAIN
// take, bounded by lock_timeout and statement_timeout. That path is refused on a connection marked production.
// pgready never installs hypopg: it uses it only when the database already has it.

export interface TryIndexOptions {
  /** The connection is to production: refuse to build a real index even inside a rolled-back transaction. */
  production?: boolean;
  /** Use hypopg when installed (default true). */
  hypothetical?: boolean;
}

export interface TryIndexResult {
  method: 'hypopg' | 'transaction';
  /** The CREATE INDEX as tried (CONCURRENTLY removed: it cannot run in a transaction, and hypopg ignores it). */
  indexSql: string;
  before: { cost: number; plan: ExplainResult };
  after: { cost: number; plan: ExplainResult };
  /** after / before (< 1: cheaper). */
  ratio: number;
  /** Whether the plan after uses the new index. */
  usesIndex: boolean;
  /** The index name as it appears in the plan (hypopg names it `<oid>btree_table_col`). */
  indexName?: string;
  notes: string[];
}

/** Checks that `ddl` is one CREATE INDEX and returns it without CONCURRENTLY and without a trailing `;`. */
export function normalizeIndexDdl(ddl: string): string {
  const text = ddl.trim().replace(/;\s*$/, '');
  const parsed = parseStatements(text);
  if (!parsed.ok || parsed.statements.length !== 1 || stmtKind(parsed.statements[0].ast) !== 'IndexStmt') {
    throw new DbError('"Try it" takes exactly one CREATE INDEX statement.');
  }
  return text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)CONCURRENTLY\s+/i, '$1');
}

function usedIndexes(r: ExplainResult): string[] {
  return r.plan.nodes.map((n) => n.raw['Index Name'] as string | undefined).filter((x): x is string => !!x);
}

/** hypopg is installed in this database (pg_extension), never just available on the server. */
export async function hasHypopg(db: Db): Promise<boolean> {
  const rows = await db.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS ok`).catch(() => [{ ok: false }]);
  return !!rows[0]?.ok;
}

export async function tryIndex(db: Db, sql: string, indexDdl: string, opts: TryIndexOptions = {}): Promise<TryIndexResult> {
  await initExplain();
  const indexSql = normalizeIndexDdl(indexDdl);
  const notes: string[] = [];
  const before = await explain(db, sql);
  const beforeNames = new Set(usedIndexes(before));
  let after: ExplainResult;
  let method: TryIndexResult['method'];
  if (opts.hypothetical !== false && (await hasHypopg(db))) {
    method = 'hypopg';
    const [h] = await db.query<{ name: string }>(`SELECT indexname AS name FROM hypopg_create_index($1)`, [indexSql]);
    try {
      after = await explain(db, sql);
    } finally {
      await db.query(`SELECT hypopg_drop_index(indexrelid) FROM hypopg_list_indexes WHERE index_name = $1`, [h.name]).catch(() => db.query('SELECT hypopg_reset()').catch(() => undefined));
    }
    notes.push('hypothetical index (hypopg): nothing was built or locked; the planner assumed the index exists, with estimated size.');
  } else {
    if (opts.production) {
      throw new DbError('Refusing to try the index on a production connection: without hypopg installed in the database, trying it means building it (inside a rolled-back transaction), which holds a SHARE lock on the table and blocks its writes. Try it on a staging copy, or install hypopg there.');
    }
    method = 'transaction';
    await db.simple('BEGIN TRANSACTION READ WRITE');
    try {
      await db.simple(indexSql);
      after = await explain(db, sql);
    } finally {
      await db.simple('ROLLBACK').catch(() => undefined);
    }
    notes.push('the index was built inside a transaction and rolled back: while it ran, the table was SHARE-locked (writes waited). Nothing remains.');
  }
  const newNames = usedIndexes(after).filter((n) => !beforeNames.has(n));
  const costBefore = before.plan.totalCost;
  const costAfter = after.plan.totalCost;
  if (!newNames.length) notes.push('the planner did not choose the new index for this query (at this table size and these statistics).');
  return {
    method,
    indexSql,
    before: { cost: costBefore, plan: before },
    after: { cost: costAfter, plan: after },
    ratio: costBefore > 0 ? costAfter / costBefore : 1,
    usesIndex: newNames.length > 0,
    indexName: newNames[0],
    notes,
  };
}
