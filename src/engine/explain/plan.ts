// The plan model. A node keeps PostgreSQL's own EXPLAIN (FORMAT JSON) keys untouched (`raw`), so any key the
// server adds is still there; what pgready computes from them lives in `derived`, never mixed into the raw
// node (pev2's convention). Everything here is a pure function returning new values.

/** One node exactly as EXPLAIN (FORMAT JSON) prints it. Only the keys pgready reads are typed. */
export interface RawPlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Parallel Aware'?: boolean;
  'Join Type'?: string;
  Strategy?: string;
  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Index Name'?: string;
  'CTE Name'?: string;
  'Function Name'?: string;
  'Startup Cost'?: number;
  'Total Cost'?: number;
  'Plan Rows'?: number;
  'Plan Width'?: number;
  'Actual Startup Time'?: number;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Workers Planned'?: number;
  'Workers Launched'?: number;
  Filter?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  'Hash Cond'?: string;
  'Merge Cond'?: string;
  'Join Filter'?: string;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Rows Removed by Join Filter'?: number;
  'Heap Fetches'?: number;
  'Sort Key'?: string[];
  'Sort Method'?: string;
  'Sort Space Used'?: number;
  'Sort Space Type'?: string;
  'Group Key'?: string[];
  'Hash Buckets'?: number;
  'Hash Batches'?: number;
  'Original Hash Batches'?: number;
  'Peak Memory Usage'?: number;
  'Disk Usage'?: number;
  'HashAgg Batches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Shared Dirtied Blocks'?: number;
  'Shared Written Blocks'?: number;
  'Local Hit Blocks'?: number;
  'Local Read Blocks'?: number;
  'Temp Read Blocks'?: number;
  'Temp Written Blocks'?: number;
  Output?: string[];
  Plans?: RawPlanNode[];
  [key: string]: unknown;
}

/** The top-level object of EXPLAIN (FORMAT JSON): `[{ "Plan": …, "Planning Time": … }]`. */
export interface RawExplain {
  Plan: RawPlanNode;
  'Planning Time'?: number;
  'Execution Time'?: number;
  Planning?: Record<string, number>;
  Settings?: Record<string, string>;
  Triggers?: { 'Trigger Name': string; Relation?: string; Time?: number; Calls?: number }[];
  [key: string]: unknown;
}

export interface Buffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  tempRead: number;
  tempWritten: number;
}

export interface Misestimate {
  /** max(estimated/actual, actual/estimated), both per loop and floored at 1 row. 1 means exact. */
  factor: number;
  /** `under`: more rows came back than the planner expected (the dangerous direction); `over`: fewer. */
  direction: 'under' | 'over' | 'exact';
}

/** Values pgready computes from a node; never present in PostgreSQL's output. */
export interface DerivedMetrics {
  /** Time spent in this node alone over all its loops, in ms (inclusive minus children). Absent without ANALYZE. */
  exclusiveTime?: number;
  /** exclusiveTime / the plan's total time, 0…1. */
  exclusiveTimeShare?: number;
  /** Inclusive time over all loops (Actual Total Time × loops, divided across parallel workers), in ms. */
  inclusiveTime?: number;
  /** Total Cost minus the children's Total Cost, floored at 0. */
  exclusiveCost: number;
  /** exclusiveCost / the root's Total Cost, 0…1. */
  exclusiveCostShare: number;
  /** Actual Rows × Actual Loops: rows produced over all loops. Absent without ANALYZE. */
  actualRowsTotal?: number;
  /** Plan Rows × Actual Loops, comparable with actualRowsTotal. */
  estimatedRowsTotal?: number;
  /** Rows Removed by Filter × loops: what a filter threw away over all loops. */
  rowsRemovedByFilterTotal?: number;
  misestimate?: Misestimate;
  /** True when ANALYZE ran and the node never executed (Actual Loops = 0). */
  neverExecuted: boolean;
  /** Buffers of this node alone (node minus children), when BUFFERS was requested. */
  exclusiveBuffers?: Buffers;
}

export interface PlanNode {
  /** Position from the root: [] is the root, [0, 1] the root's first child's second child. */
  path: number[];
  depth: number;
  /** The node as PostgreSQL printed it (its `Plans` removed: see `children`). */
  raw: RawPlanNode;
  derived: DerivedMetrics;
  children: PlanNode[];
}

export interface Plan {
  root: PlanNode;
  /** Pre-order list of every node (root first). */
  nodes: PlanNode[];
  /** Whether actual times/rows are present (EXPLAIN ANALYZE). */
  analyzed: boolean;
  /** Whether BUFFERS counters are present. */
  hasBuffers: boolean;
  planningTime?: number;
  executionTime?: number;
  /** ANALYZE: execution time (or the root's inclusive time). Otherwise absent. */
  totalTime?: number;
  totalCost: number;
  /** The most expensive node: by exclusive time with ANALYZE, by exclusive cost without. */
  hottest: number[];
  settings?: Record<string, string>;
  triggers: NonNullable<RawExplain['Triggers']>;
  /** The top-level object without the plan tree, for keys pgready does not model (JIT, Planning buffers…). */
  extra: Record<string, unknown>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Accepts what the server returns for EXPLAIN (FORMAT JSON): the array, its first element, or its JSON text. */
export function rawExplainOf(input: unknown): RawExplain {
  let v = input;
  if (typeof v === 'string') v = JSON.parse(v);
  if (Array.isArray(v)) v = v[0];
  if (v && typeof v === 'object' && 'QUERY PLAN' in v) return rawExplainOf((v as Record<string, unknown>)['QUERY PLAN']);
  if (!v || typeof v !== 'object' || !('Plan' in v)) throw new Error('not an EXPLAIN (FORMAT JSON) result: no "Plan" key');
  return v as RawExplain;
}

function buffersOf(n: RawPlanNode): Buffers {
  return {
    sharedHit: num(n['Shared Hit Blocks']),
    sharedRead: num(n['Shared Read Blocks']),
    sharedDirtied: num(n['Shared Dirtied Blocks']),
    sharedWritten: num(n['Shared Written Blocks']),
    tempRead: num(n['Temp Read Blocks']),
    tempWritten: num(n['Temp Written Blocks']),
  };
}

function minusBuffers(a: Buffers, b: Buffers): Buffers {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Buffers)[]) out[k] = Math.max(0, a[k] - b[k]);
  return out;
}

function addBuffers(a: Buffers, b: Buffers): Buffers {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Buffers)[]) out[k] = a[k] + b[k];
  return out;
}

const ZERO_BUFFERS: Buffers = { sharedHit: 0, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 };

/** max(est/act, act/est), each floored at one row, with the direction of the error. */
export function misestimateOf(estimated: number, actual: number): Misestimate {
  const e = Math.max(1, estimated);
  const a = Math.max(1, actual);
  if (e === a) return { factor: 1, direction: 'exact' };
  return a > e ? { factor: a / e, direction: 'under' } : { factor: e / a, direction: 'over' };
}

/**
 * Builds the plan model from EXPLAIN (FORMAT JSON) output. Does not modify its input.
 *
 * Time: "Actual Total Time" is per loop, so a node's inclusive time is time × loops. Under a Gather, loops
 * count the workers too, which all ran at once, so the product is divided by the number of processes.
 */
export function buildPlan(input: unknown): Plan {
  const raw = rawExplainOf(input);
  const analyzed = raw.Plan['Actual Loops'] !== undefined;
  const hasBuffers = raw.Plan['Shared Hit Blocks'] !== undefined;
  const nodes: PlanNode[] = [];

  const build = (n: RawPlanNode, path: number[], processes: number): PlanNode => {
    const { Plans, ...rest } = n;
    const workers = n['Node Type'] === 'Gather' || n['Node Type'] === 'Gather Merge' ? num(n['Workers Launched']) + 1 : processes;
    const node: PlanNode = { path, depth: path.length, raw: rest as RawPlanNode, derived: { exclusiveCost: 0, exclusiveCostShare: 0, neverExecuted: false }, children: [] };
    nodes.push(node);
    node.children = (Plans ?? []).map((c, i) => build(c, [...path, i], workers));
    const loops = num(n['Actual Loops']);
    const cost = num(n['Total Cost']);
    const childCost = node.children.reduce((s, c) => s + num(c.raw['Total Cost']), 0);
    node.derived.exclusiveCost = Math.max(0, cost - childCost);
    if (analyzed) {
      node.derived.neverExecuted = loops === 0;
      const perProcess = processes > 1 && n['Node Type'] !== 'Gather' && n['Node Type'] !== 'Gather Merge' ? processes : 1;
      node.derived.inclusiveTime = (num(n['Actual Total Time']) * loops) / perProcess;
      const childTime = node.children.reduce((s, c) => s + (c.derived.inclusiveTime ?? 0), 0);
      node.derived.exclusiveTime = Math.max(0, node.derived.inclusiveTime - childTime);
      node.derived.actualRowsTotal = num(n['Actual Rows']) * loops;
      node.derived.estimatedRowsTotal = num(n['Plan Rows']) * loops;
      if (n['Rows Removed by Filter'] !== undefined) node.derived.rowsRemovedByFilterTotal = num(n['Rows Removed by Filter']) * loops;
      if (loops > 0) node.derived.misestimate = misestimateOf(num(n['Plan Rows']), num(n['Actual Rows']));
    }
    if (hasBuffers) {
      const childBuffers = node.children.reduce((s, c) => addBuffers(s, buffersOf(c.raw as RawPlanNode)), ZERO_BUFFERS);
      node.derived.exclusiveBuffers = minusBuffers(buffersOf(n), childBuffers);
    }
    return node;
  };

  const root = build(raw.Plan, [], 1);
  // `nodes` was filled parent-first, which is pre-order.
  const totalCost = num(raw.Plan['Total Cost']);
  const executionTime = raw['Execution Time'];
  const totalTime = analyzed ? (executionTime ?? root.derived.inclusiveTime ?? 0) : undefined;
  for (const node of nodes) {
    node.derived.exclusiveCostShare = totalCost > 0 ? node.derived.exclusiveCost / totalCost : 0;
    if (totalTime !== undefined && node.derived.exclusiveTime !== undefined) {
      node.derived.exclusiveTimeShare = totalTime > 0 ? Math.min(1, node.derived.exclusiveTime / totalTime) : 0;
    }
  }
  const score = (n: PlanNode) => (analyzed ? (n.derived.exclusiveTime ?? 0) : n.derived.exclusiveCost);
  const hottest = nodes.reduce((best, n) => (score(n) > score(best) ? n : best), root);
  const { Plan: _plan, Settings, Triggers, ...extra } = raw;
  return {
    root,
    nodes,
    analyzed,
    hasBuffers,
    planningTime: raw['Planning Time'],
    executionTime,
    totalTime,
    totalCost,
    hottest: hottest.path,
    settings: Settings,
    triggers: Triggers ?? [],
    extra,
  };
}

/** The node at a path, or undefined. */
export function nodeAt(plan: Plan, path: readonly number[]): PlanNode | undefined {
  let n: PlanNode | undefined = plan.root;
  for (const i of path) n = n?.children[i];
  return n;
}

/** "0.1.0"-style id of a path ("root" for the root): stable keys for view models and advice. */
export function pathId(path: readonly number[]): string {
  return path.length ? path.join('.') : 'root';
}

/** A short human label: "Hash Join (Left)", "Index Scan using ix on users u", "HashAggregate". */
export function nodeLabel(raw: RawPlanNode): string {
  let label = raw['Node Type'];
  if (raw.Strategy && raw['Node Type'] === 'Aggregate') label = raw.Strategy === 'Hashed' ? 'HashAggregate' : raw.Strategy === 'Sorted' ? 'GroupAggregate' : 'Aggregate';
  if (raw['Join Type'] && raw['Join Type'] !== 'Inner') label += ` (${raw['Join Type']})`;
  if (raw['Index Name']) label += ` using ${raw['Index Name']}`;
  if (raw['Relation Name']) {
    label += ` on ${raw['Relation Name']}`;
    if (raw.Alias && raw.Alias !== raw['Relation Name']) label += ` ${raw.Alias}`;
  } else if (raw['CTE Name']) label += ` on ${raw['CTE Name']}`;
  else if (raw['Function Name']) label += ` on ${raw['Function Name']}`;
  if (raw['Subplan Name']) label = `${raw['Subplan Name']}: ${label}`;
  return label;
}
