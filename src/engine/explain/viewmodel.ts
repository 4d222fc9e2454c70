import { planAdvice, type AdviceOptions, type PlanAdvice } from './advice';
import { nodeLabel, pathId, type Buffers, type Misestimate, type Plan, type PlanNode } from './plan';

// What the plan webview (and the CLI's text tree) renders. Every number is already computed here; the
// renderer formats, it never derives. Plain JSON, so it can be posted to a webview as is.

export interface PlanNodeView {
  /** Path id: "root", "0", "0.1"… */
  id: string;
  parentId?: string;
  childIds: string[];
  depth: number;
  nodeType: string;
  label: string;
  relation?: string;
  alias?: string;
  index?: string;
  estimatedRows: number;
  /** Per loop, as PostgreSQL prints it. */
  actualRows?: number;
  /** Over all loops (derived). */
  actualRowsTotal?: number;
  loops?: number;
  misestimate?: Misestimate;
  startupCost: number;
  totalCost: number;
  exclusiveCostShare: number;
  /** ms over all loops. */
  inclusiveTime?: number;
  exclusiveTime?: number;
  exclusiveTimeShare?: number;
  /** Inclusive (as printed) and exclusive (derived) buffer counts, when BUFFERS was requested. */
  buffers?: Buffers;
  exclusiveBuffers?: Buffers;
  neverExecuted: boolean;
  hottest: boolean;
  /** Conditions and other detail lines: "Filter: (status = 'open')", "Sort Key: created_at"… */
  details: string[];
  advice: { rule: string; severity: string; message: string; help: string }[];
}

export interface PlanViewModel {
  analyzed: boolean;
  hasBuffers: boolean;
  planningTime?: number;
  executionTime?: number;
  totalCost: number;
  hottestId: string;
  /** Pre-order, root first; `childIds`/`parentId` give the tree. */
  nodes: PlanNodeView[];
  advice: PlanAdvice[];
  settings?: Record<string, string>;
  triggers: { name: string; relation?: string; time?: number; calls?: number }[];
  /** Lines the view shows above the tree: "Tables are empty (embedded database built from migrations)…". */
  notes: string[];
  /** Where the plan came from, e.g. "PostgreSQL 15.20 at 127.0.0.1:5432/test" or "embedded PGlite (PostgreSQL 18.6)". */
  source?: string;
  sql?: string;
  /** True when parameters were left unbound and this is a generic plan. */
  generic?: boolean;
}

const DETAIL_KEYS = [
  'Index Cond',
  'Recheck Cond',
  'Hash Cond',
  'Merge Cond',
  'Join Filter',
  'Filter',
  'Rows Removed by Filter',
  'Rows Removed by Index Recheck',
  'Rows Removed by Join Filter',
  'Sort Key',
  'Sort Method',
  'Sort Space Used',
  'Sort Space Type',
  'Group Key',
  'Hash Buckets',
  'Hash Batches',
  'Peak Memory Usage',
  'Disk Usage',
  'HashAgg Batches',
  'Heap Fetches',
  'Workers Planned',
  'Workers Launched',
  'Cache Key',
  'Cache Hits',
  'Cache Misses',
] as const;

function details(n: PlanNode): string[] {
  const out: string[] = [];
  for (const k of DETAIL_KEYS) {
    const v = (n.raw as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    out.push(`${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  }
  return out;
}

function buffersOf(n: PlanNode): Buffers | undefined {
  const r = n.raw;
  if (r['Shared Hit Blocks'] === undefined) return undefined;
  const v = (k: string) => Number((r as Record<string, unknown>)[k] ?? 0);
  return {
    sharedHit: v('Shared Hit Blocks'),
    sharedRead: v('Shared Read Blocks'),
    sharedDirtied: v('Shared Dirtied Blocks'),
    sharedWritten: v('Shared Written Blocks'),
    tempRead: v('Temp Read Blocks'),
    tempWritten: v('Temp Written Blocks'),
  };
}

export interface ViewModelExtras {
  notes?: string[];
  source?: string;
  sql?: string;
  generic?: boolean;
  /** Advice already computed (e.g. with table sizes); computed here with `adviceOptions` otherwise. */
  advice?: PlanAdvice[];
  adviceOptions?: Partial<AdviceOptions>;
}

export function planViewModel(plan: Plan, extras: ViewModelExtras = {}): PlanViewModel {
  const advice = extras.advice ?? planAdvice(plan, extras.adviceOptions);
  const hottestId = pathId(plan.hottest);
  const nodes: PlanNodeView[] = plan.nodes.map((n) => {
    const id = pathId(n.path);
    const r = n.raw;
    return {
      id,
      parentId: n.path.length ? pathId(n.path.slice(0, -1)) : undefined,
      childIds: n.children.map((c) => pathId(c.path)),
      depth: n.depth,
      nodeType: r['Node Type'],
      label: nodeLabel(r),
      relation: r['Relation Name'],
      alias: r.Alias,
      index: r['Index Name'],
      estimatedRows: Number(r['Plan Rows'] ?? 0),
      actualRows: r['Actual Rows'],
      actualRowsTotal: n.derived.actualRowsTotal,
      loops: r['Actual Loops'],
      misestimate: n.derived.misestimate,
      startupCost: Number(r['Startup Cost'] ?? 0),
      totalCost: Number(r['Total Cost'] ?? 0),
      exclusiveCostShare: n.derived.exclusiveCostShare,
      inclusiveTime: n.derived.inclusiveTime,
      exclusiveTime: n.derived.exclusiveTime,
      exclusiveTimeShare: n.derived.exclusiveTimeShare,
      buffers: buffersOf(n),
      exclusiveBuffers: n.derived.exclusiveBuffers,
      neverExecuted: n.derived.neverExecuted,
      hottest: id === hottestId,
      details: details(n),
      advice: advice.filter((a) => a.nodeId === id).map(({ rule, severity, message, help }) => ({ rule, severity, message, help })),
    };
  });
  return {
    analyzed: plan.analyzed,
    hasBuffers: plan.hasBuffers,
    planningTime: plan.planningTime,
    executionTime: plan.executionTime,
    totalCost: plan.totalCost,
    hottestId,
    nodes,
    advice,
    settings: plan.settings,
    triggers: plan.triggers.map((t) => ({ name: t['Trigger Name'], relation: t.Relation, time: t.Time, calls: t.Calls })),
    notes: extras.notes ?? [],
    source: extras.source,
    sql: extras.sql,
    generic: extras.generic,
  };
}

const rows = (n: number): string => (n >= 10_000_000 ? `${(n / 1e6).toFixed(0)}M` : n >= 100_000 ? `${(n / 1e3).toFixed(0)}k` : String(Math.round(n)));
const pct = (x: number): string => `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%`;

/** A plain-text rendering of the view model (the CLI's output); one line per node plus advice. */
export function renderPlanText(vm: PlanViewModel): string {
  const out: string[] = [];
  if (vm.source) out.push(`-- ${vm.source}${vm.generic ? ' · generic plan (parameters unbound)' : ''}`);
  for (const n of vm.notes) out.push(`-- note: ${n}`);
  for (const n of vm.nodes) {
    const indent = n.depth ? '   '.repeat(n.depth - 1) + '-> ' : '';
    const parts: string[] = [];
    if (vm.analyzed) {
      if (n.neverExecuted) parts.push('never executed');
      else {
        let r = `rows ${rows(n.estimatedRows)}→${rows(n.actualRows ?? 0)}`;
        if (n.misestimate && n.misestimate.factor >= 2) r += ` (${n.misestimate.factor >= 100 ? Math.round(n.misestimate.factor) : n.misestimate.factor.toFixed(1)}× ${n.misestimate.direction})`;
        parts.push(r);
        if ((n.loops ?? 1) > 1) parts.push(`loops ${n.loops}`);
        parts.push(`${(n.exclusiveTime ?? 0).toFixed(2)} ms (${pct(n.exclusiveTimeShare ?? 0)})`);
      }
    } else parts.push(`rows ${rows(n.estimatedRows)}`);
    parts.push(`cost ${n.totalCost.toFixed(2)}${vm.analyzed ? '' : ` (${pct(n.exclusiveCostShare)})`}`);
    if (n.buffers) parts.push(`buffers hit ${n.buffers.sharedHit} read ${n.buffers.sharedRead}${n.buffers.tempWritten ? ` temp ${n.buffers.tempWritten}` : ''}`);
    out.push(`${indent}${n.label}  [${parts.join(' · ')}]${n.hottest && vm.nodes.length > 1 ? '  ◀ hottest' : ''}`);
    const pad = n.depth ? '   '.repeat(n.depth) : '   ';
    for (const d of n.details) if (/Cond|Filter:|Sort Key|Sort Method|Hash Batches|Heap Fetches/.test(d)) out.push(`${pad}${d}`);
  }
  const times: string[] = [];
  if (vm.planningTime !== undefined) times.push(`planning ${vm.planningTime.toFixed(3)} ms`);
  if (vm.executionTime !== undefined) times.push(`execution ${vm.executionTime.toFixed(3)} ms`);
  if (times.length) out.push(times.join(' · '));
  if (vm.advice.length) {
    out.push('');
    for (const a of vm.advice) {
      out.push(`${a.severity}[${a.rule}] at ${a.nodeLabel}: ${a.message}`);
      out.push(`  help: ${a.help}`);
    }
  } else out.push('', 'No plan advice.');
  return out.join('\n');
}
