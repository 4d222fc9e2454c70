import { parseSync, sqlReady } from '../sources/sql/parser';
import { fnv1a64 } from '../text';
import type { Finding, Severity, Span } from '../types';
import { nodeAt, nodeLabel, pathId, type Plan, type PlanNode } from './plan';

// Plan advice: what a reviewer reading the plan would point at. Each piece names the node (by path and
// label), the consequence, and one imperative line of help; the seq-scan advice carries the index to add.
// Records have the finding shape minus the span, so they can be shown on the plan, or turned into findings
// on the source line the SQL came from (`adviceToFindings`).

export type PlanAdviceId =
  | 'plan-seq-scan-filter'
  | 'plan-row-misestimate'
  | 'plan-sort-spill'
  | 'plan-hash-spill'
  | 'plan-nested-loop-many-rows'
  | 'plan-heap-fetches';

export interface PlanAdvice {
  rule: PlanAdviceId;
  severity: Severity;
  message: string;
  help: string;
  /** The node the advice is about. */
  path: number[];
  nodeId: string;
  nodeLabel: string;
  /** Machine-readable details: table, columns, createIndex for seq scans; factor for misestimates… */
  data: Record<string, unknown>;
}

export interface AdviceOptions {
  /** A scan is "large" from this many rows read (actual, or the table's size when not analysed). */
  largeTableRows: number;
  /** A filter is "selective" when it keeps at most this share of the rows it reads. */
  selectiveShare: number;
  /** Row misestimates from this factor are reported. */
  misestimateFactor: number;
  /** …when at least this many rows are involved on the larger side (1 vs 12 rows is noise). */
  misestimateMinRows: number;
  /**
   * A nested loop is reported when its outer side produced this many rows and (with ANALYZE) its inner
   * side took at least `nestedLoopInnerShare` of the time; without ANALYZE, from ten times as many
   * estimated outer rows.
   */
  nestedLoopOuterRows: number;
  nestedLoopInnerShare: number;
  /** Heap fetches from this many (and ≥ 10 % of the rows returned) defeat an index-only scan. */
  heapFetches: number;
  /**
   * Row counts per table (`pg_class.reltuples`, keyed by "schema.table" and by "table"), so a plan without
   * ANALYZE can still tell a big table from a small one. The database layer fills it.
   */
  tableRows?: Record<string, number>;
}

export const DEFAULT_ADVICE_OPTIONS: AdviceOptions = {
  largeTableRows: 10_000,
  selectiveShare: 0.1,
  misestimateFactor: 10,
  misestimateMinRows: 100,
  nestedLoopOuterRows: 1_000,
  nestedLoopInnerShare: 0.3,
  heapFetches: 1_000,
};

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const quoteIdent = (s: string): string => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/** All advice for a plan, in plan order. */
export function planAdvice(plan: Plan, options: Partial<AdviceOptions> = {}): PlanAdvice[] {
  const o: AdviceOptions = { ...DEFAULT_ADVICE_OPTIONS, ...options };
  const out: PlanAdvice[] = [];
  for (const node of plan.nodes) {
    for (const check of CHECKS) {
      const a = check(node, plan, o);
      if (a) out.push(a);
    }
  }
  return out;
}

type Check = (node: PlanNode, plan: Plan, o: AdviceOptions) => PlanAdvice | undefined;

function advice(node: PlanNode, rule: PlanAdviceId, severity: Severity, message: string, help: string, data: Record<string, unknown>): PlanAdvice {
  return { rule, severity, message, help, path: node.path, nodeId: pathId(node.path), nodeLabel: nodeLabel(node.raw), data };
}

const seqScanFilter: Check = (node, plan, o) => {
  const r = node.raw;
  if (r['Node Type'] !== 'Seq Scan' || !r.Filter || !r['Relation Name']) return undefined;
  const table = r['Relation Name'];
  const qualified = r.Schema && r.Schema !== 'public' ? `${r.Schema}.${table}` : table;
  let read: number;
  let kept: number;
  if (plan.analyzed) {
    if (node.derived.neverExecuted) return undefined;
    // Per loop (what one scan reads); a scan repeated in a loop only makes it worse, and the message says so.
    kept = num(r['Actual Rows']);
    read = kept + num(r['Rows Removed by Filter']);
    if (read < o.largeTableRows) return undefined;
  } else {
    const size = o.tableRows?.[`${r.Schema ?? 'public'}.${table}`] ?? o.tableRows?.[table];
    if (size === undefined || size < o.largeTableRows) return undefined;
    read = size;
    kept = num(r['Plan Rows']);
  }
  if (read <= 0 || kept / read > o.selectiveShare) return undefined;
  const columns = indexableColumns(r.Filter);
  if (!columns.length) return undefined;
  const name = `ix_${table}_${columns.join('_')}`.slice(0, 63);
  const createIndex = `CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${qualified.split('.').map(quoteIdent).join('.')} (${columns.map(quoteIdent).join(', ')});`;
  const share = read > 0 ? (kept / read) * 100 : 0;
  const loops = num(r['Actual Loops']);
  const how = plan.analyzed ? `read ${fmt(read)} rows${loops > 1 ? ` per loop (${fmt(loops)} loops)` : ''} to keep ${fmt(kept)}` : `reads all ~${fmt(read)} rows to keep an estimated ${fmt(kept)}`;
  return advice(
    node,
    'plan-seq-scan-filter',
    'warning',
    `Sequential scan on "${table}" ${how} (${share < 0.1 ? '<0.1' : share.toFixed(1)} %) with filter ${r.Filter}; its cost grows with the table.`,
    `Add an index on ${table} (${columns.join(', ')}): ${createIndex}`,
    { table: qualified, columns, createIndex, rowsRead: read, rowsKept: kept, filter: r.Filter },
  );
};

const rowMisestimate: Check = (node, plan, o) => {
  const m = node.derived.misestimate;
  if (!m || m.factor < o.misestimateFactor) return undefined;
  const est = num(node.raw['Plan Rows']);
  const act = num(node.raw['Actual Rows']);
  if (Math.max(est, act) < o.misestimateMinRows) return undefined;
  // Group-count over-estimates (an Aggregate expecting 100 groups and getting 1) are common and harmless.
  if (m.direction === 'over' && /Aggregate|Group|Unique/.test(node.raw['Node Type'])) return undefined;
  // Below a Limit or on the probing side of a semi/anti join, execution stops early by design: fewer
  // rows than estimated is not an estimation error there.
  if (m.direction === 'over') {
    const ancestors = node.path.map((_, i) => nodeAt(plan, node.path.slice(0, i))!);
    if (ancestors.some((a) => a.raw['Node Type'] === 'Limit' || /Semi|Anti/.test(a.raw['Join Type'] ?? ''))) return undefined;
  }
  // Errors propagate upwards; report where one starts, not every ancestor that inherits it.
  if (node.children.some((c) => (c.derived.misestimate?.factor ?? 1) >= o.misestimateFactor && Math.max(num(c.raw['Plan Rows']), num(c.raw['Actual Rows'])) >= o.misestimateMinRows)) return undefined;
  const rel = node.raw['Relation Name'];
  const factor = Math.round(m.factor * 10) / 10;
  return advice(
    node,
    'plan-row-misestimate',
    'warning',
    `${nodeLabel(node.raw)}: the planner expected ${fmt(est)} rows per loop and got ${fmt(act)} (${factor}× ${m.direction === 'under' ? 'under' : 'over'}estimated), so the join methods and memory above it were chosen for the wrong size.`,
    rel
      ? `Run ANALYZE ${rel}; if the filter combines correlated columns, add extended statistics (CREATE STATISTICS … (dependencies) ON … FROM ${rel}) or raise the column's statistics target.`
      : 'Run ANALYZE on the tables involved; for correlated columns add extended statistics (CREATE STATISTICS … (dependencies)).',
    { factor: m.factor, direction: m.direction, estimated: est, actual: act, table: rel },
  );
};

const sortSpill: Check = (node) => {
  const r = node.raw;
  const disk = r['Sort Space Type'] === 'Disk' || /external/i.test(r['Sort Method'] ?? '');
  if (!disk || !r['Node Type'].includes('Sort')) return undefined;
  const used = num(r['Sort Space Used']);
  return advice(
    node,
    'plan-sort-spill',
    'warning',
    `${nodeLabel(r)} spilled to disk (${r['Sort Method'] ?? 'external sort'}, ${fmt(used)} kB): the sort did not fit in work_mem and wrote temporary files.`,
    `Sort fewer rows (an index matching the ORDER BY ${r['Sort Key']?.join(', ') ?? ''} lets PostgreSQL skip the sort), or raise work_mem for this query (SET LOCAL work_mem = '${Math.max(4, Math.ceil((used * 2) / 1024))}MB').`,
    { sortMethod: r['Sort Method'], spaceUsedKb: used, sortKey: r['Sort Key'] },
  );
};

const hashSpill: Check = (node) => {
  const r = node.raw;
  const batches = num(r['Hash Batches']);
  const aggBatches = num(r['HashAgg Batches']);
  const isHash = r['Node Type'] === 'Hash' && batches > 1;
  const isAgg = r['Node Type'] === 'Aggregate' && r.Strategy === 'Hashed' && (aggBatches > 1 || num(r['Disk Usage']) > 0);
  if (!isHash && !isAgg) return undefined;
  const mem = num(r['Peak Memory Usage']);
  const what = isHash ? `Hash spilled to disk in ${fmt(batches)} batches${num(r['Original Hash Batches']) && num(r['Original Hash Batches']) !== batches ? ` (planned ${fmt(num(r['Original Hash Batches']))})` : ''}` : `HashAggregate spilled to disk (${fmt(aggBatches)} batches, ${fmt(num(r['Disk Usage']))} kB on disk)`;
  return advice(
    node,
    'plan-hash-spill',
    'warning',
    `${what}: the hash table did not fit in work_mem × hash_mem_multiplier, so rows were written to temporary files and read back.`,
    `Hash fewer or narrower rows (filter earlier, select fewer columns), or raise work_mem for this query (SET LOCAL work_mem = '${Math.max(8, Math.ceil((Math.max(mem, 1024) * (isHash ? batches : Math.max(aggBatches, 2))) / 1024))}MB').`,
    { batches: isHash ? batches : aggBatches, peakMemoryKb: mem, diskUsageKb: num(r['Disk Usage']) || undefined },
  );
};

const nestedLoopManyRows: Check = (node, plan, o) => {
  if (node.raw['Node Type'] !== 'Nested Loop' || node.children.length < 2) return undefined;
  const outer = node.children.find((c) => c.raw['Parent Relationship'] === 'Outer') ?? node.children[0];
  const inner = node.children.find((c) => c.raw['Parent Relationship'] === 'Inner') ?? node.children[1];
  const rows = plan.analyzed ? (outer.derived.actualRowsTotal ?? 0) : num(outer.raw['Plan Rows']);
  if (plan.analyzed) {
    const innerTime = inner.derived.inclusiveTime ?? 0;
    if (rows < o.nestedLoopOuterRows || !plan.totalTime || innerTime / plan.totalTime < o.nestedLoopInnerShare) return undefined;
  } else if (rows < o.nestedLoopOuterRows * 10) return undefined;
  const innerLoops = plan.analyzed ? num(inner.raw['Actual Loops']) : rows;
  return advice(
    node,
    'plan-nested-loop-many-rows',
    'warning',
    `Nested Loop runs its inner side (${nodeLabel(inner.raw)}) once per outer row: ${fmt(innerLoops)} times for ${fmt(rows)} ${plan.analyzed ? '' : 'estimated '}rows from ${nodeLabel(outer.raw)}.`,
    plan.analyzed && (outer.derived.misestimate?.direction === 'under' && (outer.derived.misestimate.factor ?? 1) >= 10)
      ? `The planner expected ${fmt(num(outer.raw['Plan Rows']))} outer rows: fix that estimate (ANALYZE, extended statistics) so it can choose a hash join.`
      : 'Make sure the inner side is an index lookup on the join key, or reduce the outer rows first; with fresh statistics PostgreSQL picks a hash join for large inputs.',
    { outerRows: rows, innerLoops, outer: pathId(outer.path), inner: pathId(inner.path) },
  );
};

const heapFetches: Check = (node, plan, o) => {
  const r = node.raw;
  if (r['Node Type'] !== 'Index Only Scan') return undefined;
  const fetches = num(r['Heap Fetches']);
  const rows = node.derived.actualRowsTotal ?? 0;
  if (fetches < o.heapFetches || (rows > 0 && fetches / rows < 0.1)) return undefined;
  const table = r['Relation Name'] ?? '';
  return advice(
    node,
    'plan-heap-fetches',
    'info',
    `Index-only scan on "${table}" still visited the table ${fmt(fetches)} times for ${fmt(rows)} rows: pages not marked all-visible must be checked in the heap, so the index-only scan gains little.`,
    `VACUUM ${table} (and let autovacuum keep up: lower autovacuum_vacuum_scale_factor for this table) so the visibility map is set.`,
    { table, heapFetches: fetches, rows },
  );
};

const CHECKS: Check[] = [seqScanFilter, rowMisestimate, sortSpill, hashSpill, nestedLoopManyRows, heapFetches];

/**
 * The columns of a filter an index can serve, in index order: equality columns (`=`, `= ANY`, `IS NULL`)
 * first, then one range column (`<`, `>`, `<=`, `>=`). `<>`, LIKE, OR-ed conditions and expressions are
 * skipped, since a plain b-tree on the column would not serve them. Filter text is PostgreSQL's own
 * deparsed expression, so it is parsed with the real grammar when the parser is loaded.
 */
export function indexableColumns(filter: string): string[] {
  const eq: string[] = [];
  const range: string[] = [];
  const conjuncts = filterConjuncts(filter);
  for (const c of conjuncts) {
    if (c.op === '=' || c.op === 'is null') {
      if (!eq.includes(c.column)) eq.push(c.column);
    } else if (['<', '>', '<=', '>='].includes(c.op)) {
      if (!range.includes(c.column)) range.push(c.column);
    }
  }
  const cols = [...eq];
  const r = range.find((c) => !cols.includes(c));
  if (r) cols.push(r);
  return cols;
}

interface Conjunct {
  column: string;
  op: string;
}

function filterConjuncts(filter: string): Conjunct[] {
  if (sqlReady()) {
    try {
      const where = (parseSync(`SELECT 1 WHERE ${filter}`) as any).stmts?.[0]?.stmt?.SelectStmt?.whereClause;
      if (where) {
        const args = where.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args : [where];
        return args.map(conjunctOf).filter((c: Conjunct | undefined): c is Conjunct => !!c);
      }
    } catch {
      // fall through to the textual reading
    }
  }
  // Without the parser: the simple, common shape `(col = …) AND (col > …)`.
  const out: Conjunct[] = [];
  if (/\bOR\b/.test(filter)) return out;
  for (const m of filter.matchAll(/\(*(?:\w+\.)?\(?([a-z_][a-z0-9_]*)\)?(?:::[\w ]+)?\s*(=|<=|>=|<|>)\s/g)) out.push({ column: m[1], op: m[2] });
  for (const m of filter.matchAll(/\(*(?:\w+\.)?([a-z_][a-z0-9_]*) IS NULL\)/g)) out.push({ column: m[1], op: 'is null' });
  return out;
}

function columnOf(node: any): string | undefined {
  while (node?.TypeCast) node = node.TypeCast.arg;
  const fields = node?.ColumnRef?.fields;
  if (!Array.isArray(fields)) return undefined;
  const last = fields[fields.length - 1]?.String?.sval;
  return typeof last === 'string' ? last : undefined;
}

function isValue(node: any): boolean {
  while (node?.TypeCast) node = node.TypeCast.arg;
  return !!(node?.A_Const || node?.ParamRef || node?.FuncCall || node?.SQLValueFunction || node?.A_ArrayExpr);
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=' };

function conjunctOf(node: any): Conjunct | undefined {
  if (node?.NullTest?.nulltesttype === 'IS_NULL') {
    const column = columnOf(node.NullTest.arg);
    return column ? { column, op: 'is null' } : undefined;
  }
  const e = node?.A_Expr;
  if (!e || (e.kind !== 'AEXPR_OP' && e.kind !== 'AEXPR_OP_ANY')) return undefined;
  const op = e.name?.[e.name.length - 1]?.String?.sval;
  if (!op || !(op in FLIP)) return undefined;
  if (e.kind === 'AEXPR_OP_ANY' && op !== '=') return undefined;
  const left = columnOf(e.lexpr);
  const right = columnOf(e.rexpr);
  if (left && !right && isValue(e.rexpr)) return { column: left, op };
  if (right && !left && isValue(e.lexpr) && e.kind === 'AEXPR_OP') return { column: right, op: FLIP[op] };
  return undefined;
}

/**
 * Turns plan advice into findings on a source span (where the SQL came from in code), for editors and
 * reports. Category is always performance.
 */
export function adviceToFindings(advice: readonly PlanAdvice[], span?: Span): Finding[] {
  return advice.map((a) => ({
    rule: a.rule,
    severity: a.severity,
    category: 'performance' as const,
    message: a.message,
    help: a.help,
    span,
    fingerprint: fnv1a64(`${a.rule}\u0000${span?.file ?? ''}\u0000${a.nodeLabel}\u0000${String(a.data.createIndex ?? '')}`),
    data: { ...a.data, node: a.nodeId },
  }));
}

/** The advice attached to one node. */
export function adviceFor(advice: readonly PlanAdvice[], path: readonly number[]): PlanAdvice[] {
  const id = pathId(path);
  return advice.filter((a) => a.nodeId === id);
}

