import { compareFindings, type AnalysisResult } from './engine';
import type { ProjectFacts } from './facts';
import type { Rule } from './rule';
import { RULES } from './rules';
import { computeReadiness } from './score';
import { fnv1a64, normalizeCode } from './text';
import { CATEGORIES, type Category, type Finding, type Severity, type Span } from './types';

// Live readiness checks, the pure half. The database layer (src/db/live/*) asks the server and returns
// `LiveCheckResult`s in the shapes below; this file decides what they mean for the report:
// - a live finding (rule id `live-…`) is a new finding, placed on the model/migration line its anchor names;
// - a verdict on a static rule's findings either confirms them (the message says "confirmed by the database"
//   and what the database showed) or clears them (they leave the findings and are listed as `cleared`);
// - every category a check judged gets basis 'live'.
// Nothing here talks to a database, so the whole merge is tested with plain objects.

/** What a live finding is about, so it can be placed on the code that declares it. */
export interface LiveAnchor {
  table?: string;
  /** Schema of the table when not the search path's (not used to find code: models and migrations rarely say). */
  schema?: string;
  columns?: string[];
  index?: string;
  /** The finding is about the foreign key on `columns` (placed on its declaration rather than the column's). */
  foreignKey?: boolean;
  /** An Alembic revision id (or another tool's migration id). */
  migration?: string;
  /** The application's database client / engine configuration (pool sizes, timeouts). */
  client?: boolean;
}

export interface LiveFinding {
  /** `live-…` */
  rule: string;
  severity: Severity;
  category: Category;
  message: string;
  help: string;
  anchor?: LiveAnchor;
  /** Stable identity for the fingerprint (object names, not counts). */
  key: string;
  data?: Record<string, unknown>;
}

/**
 * The database's word on a static rule's findings. `match` selects findings by their `data` (every key must
 * be equal; arrays compared element-wise); without `match` the verdict applies to all the rule's findings.
 */
export interface LiveVerdict {
  rule: string;
  match?: Record<string, unknown>;
  verdict: 'confirmed' | 'cleared';
  /** What the database showed, one sentence ("the database has 3 duplicate username values (7 rows)"). */
  note: string;
  data?: Record<string, unknown>;
}

export type LiveStatus = 'ok' | 'problem' | 'unknown';

export interface LiveCheckResult {
  /** Check id, e.g. 'unapplied-migrations'. */
  check: string;
  title: string;
  category: Category;
  /** ok: passed; problem: found something; unknown: could not judge (no permission, managed service, error). */
  status: LiveStatus;
  /** One line for the report's database section ("2 of 8 migrations not applied", "cache hit ratio 99.7 %"). */
  summary: string;
  findings: LiveFinding[];
  verdicts: LiveVerdict[];
  /** Time the check took, ms. */
  ms?: number;
  error?: string;
}

export interface LiveResults {
  /** Db.label: "PostgreSQL 15.20 at 127.0.0.1:5432/shop". */
  source: string;
  serverVersionNum: number;
  checks: LiveCheckResult[];
  ms: number;
}

export interface ClearedFinding {
  rule: string;
  file: string | null;
  line: number | null;
  message: string;
  fingerprint: string;
  /** Why the database contradicts it. */
  reason: string;
}

export interface LiveSummary {
  source: string;
  checks: { check: string; title: string; category: Category; status: LiveStatus; summary: string; ms?: number; error?: string }[];
  /** Fingerprints of static findings the database confirmed. */
  confirmed: number;
  cleared: ClearedFinding[];
  /** Number of new live findings (problems, not strengths). */
  added: number;
  ms: number;
}

export interface LiveMerge {
  result: AnalysisResult;
  live: LiveSummary;
}

export const CONFIRMED_PREFIX = 'Confirmed by the database';

function equalValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalValue(x, b[i]));
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** True when `finding.data` holds every key of `match` with an equal value. */
export function matchesVerdict(finding: Finding, v: LiveVerdict): boolean {
  if (finding.rule !== v.rule || finding.strength) return false;
  if (!v.match) return true;
  const data = finding.data ?? {};
  return Object.entries(v.match).every(([k, want]) => equalValue(data[k], want));
}

/**
 * Where a live finding belongs in the code: the migration's revision line, the index or foreign key
 * declaration, the column, the table (model class or CREATE TABLE), or the database client call.
 * Model spans win over migration spans (the model is what a developer edits).
 */
export function spanForAnchor(facts: ProjectFacts, a: LiveAnchor | undefined): Span | undefined {
  if (!a) return undefined;
  if (a.migration) {
    const m = facts.migrations.find((x) => x.id === a.migration);
    if (m) return m.span;
  }
  if (a.client) {
    const c = facts.clients.find((x) => x.poolSize !== undefined) ?? facts.clients[0];
    if (c) return c.span;
  }
  if (!a.table) return undefined;
  const name = a.table.toLowerCase();
  const table = facts.schema.tables.get(name) ?? (a.schema ? facts.schema.tables.get(`${a.schema}.${name}`) : undefined);
  if (!table) return undefined;
  const cols = (a.columns ?? []).map((c) => c.toLowerCase());
  if (a.index) {
    const ix = table.indexes.find((i) => i.name?.toLowerCase() === a.index!.toLowerCase());
    if (ix?.span) return ix.span;
  }
  if (cols.length) {
    const fk = !a.foreignKey ? undefined : facts.modelSchema.tables.get(name)?.foreignKeys.find((f) => equalValue(f.columns, cols)) ?? table.foreignKeys.find((f) => equalValue(f.columns, cols));
    if (fk?.span && a.foreignKey) return fk.span;
    const col = table.columns.find((c) => c.name === cols[0]);
    if (col?.span) return col.span;
  }
  return facts.modelSchema.tables.get(name)?.span ?? table.span;
}

function withConfirmation(f: Finding, notes: string[]): Finding {
  const unique = [...new Set(notes)];
  const text = `${CONFIRMED_PREFIX}: ${unique.join(' ')}`;
  return { ...f, message: `${f.message} ${text}`, data: { ...f.data, live: 'confirmed', liveNote: unique.join(' ') } };
}

function toFinding(lf: LiveFinding, facts: ProjectFacts, occurrences: Map<string, number>): Finding {
  const span = spanForAnchor(facts, lf.anchor);
  const base = `${lf.rule}\u0000${span?.file ?? ''}\u0000${normalizeCode(lf.key)}`;
  const n = occurrences.get(base) ?? 0;
  occurrences.set(base, n + 1);
  return {
    rule: lf.rule,
    severity: lf.severity,
    category: lf.category,
    message: lf.message,
    help: lf.help,
    span,
    fingerprint: fnv1a64(`${base}\u0000${n}`),
    data: { ...lf.data, live: 'found' },
  };
}

/**
 * Merges live results into a static analysis. Clearing wins over confirming when two checks disagree about
 * one finding (the database holding the index is a fact; its absence elsewhere may be a partial view).
 */
export function mergeLive(result: AnalysisResult, live: LiveResults, rules: readonly Rule[] = RULES): LiveMerge {
  const verdicts = live.checks.flatMap((c) => c.verdicts);
  const cleared: ClearedFinding[] = [];
  const kept: Finding[] = [];
  let confirmed = 0;
  for (const f of result.findings) {
    const mine = verdicts.filter((v) => matchesVerdict(f, v));
    const clear = mine.find((v) => v.verdict === 'cleared');
    if (clear) {
      cleared.push({ rule: f.rule, file: f.span?.file ?? null, line: f.span?.line ?? null, message: f.message, fingerprint: f.fingerprint, reason: clear.note });
      continue;
    }
    const conf = mine.filter((v) => v.verdict === 'confirmed');
    if (conf.length) {
      confirmed++;
      kept.push(withConfirmation(f, conf.map((v) => v.note)));
    } else kept.push(f);
  }
  const occurrences = new Map<string, number>();
  const added = live.checks.flatMap((c) => c.findings).map((lf) => toFinding(lf, result.facts, occurrences));
  const findings = [...kept, ...added].sort(compareFindings);

  const judgedLive = new Set<Category>(live.checks.filter((c) => c.status !== 'unknown').map((c) => c.category));
  const readiness = computeReadiness(findings, result.facts, rules);
  for (const category of CATEGORIES) {
    if (!judgedLive.has(category)) continue;
    const cat = readiness.categories[category];
    if (cat.score === null) {
      // Nothing in the code to judge, but the database was: score the live findings alone with the same formula.
      const alone = computeReadiness(findings.filter((f) => f.category === category), LIVE_ONLY_FACTS, rules).categories[category];
      cat.score = alone.score;
      cat.gap = alone.gap;
    }
    cat.basis = 'live';
    cat.note = `checked against the database${cat.note && !/connect a database/.test(cat.note) ? `; ${cat.note}` : ''}`;
  }
  const scored = CATEGORIES.map((c) => readiness.categories[c].score).filter((s): s is number => s !== null);
  if (readiness.overall === null && scored.length) {
    readiness.overall = Math.round(scored.reduce((a, b) => a + b, 0) / scored.length);
    if (findings.some((f) => f.severity === 'error' && !f.strength)) readiness.overall = Math.min(readiness.overall, 60);
  }
  return {
    result: { ...result, findings, readiness },
    live: {
      source: live.source,
      checks: live.checks.map((c) => ({ check: c.check, title: c.title, category: c.category, status: c.status, summary: c.summary, ms: c.ms, error: c.error })),
      confirmed,
      cleared,
      added: added.filter((f) => !f.strength).length,
      ms: live.ms,
    },
  };
}

/** Facts with one table and one client: every category counts as judged (used only for live-only scoring). */
const LIVE_ONLY_FACTS = {
  schema: { tables: new Map([['-', {}]]) },
  queries: [],
  clients: [{}],
  migrations: [],
} as unknown as ProjectFacts;

/** The database section of text and markdown reports: one line per check, then what was cleared. */
export function liveSummaryLines(live: LiveSummary): string[] {
  const out = [`Checked against ${live.source} (${live.checks.length} live checks, ${Math.round(live.ms)} ms): ${live.confirmed} finding${live.confirmed === 1 ? '' : 's'} confirmed, ${live.cleared.length} cleared, ${live.added} new.`];
  const mark = { ok: '✓', problem: '✗', unknown: '?' } as const;
  for (const c of live.checks) out.push(`  ${mark[c.status]} ${c.title}: ${c.summary}`);
  if (live.cleared.length) {
    out.push('Cleared (the database contradicts them):');
    for (const c of live.cleared) out.push(`  ${c.rule} at ${c.file ? `${c.file}:${c.line}` : '(repository)'}: ${c.reason}`);
  }
  return out;
}
