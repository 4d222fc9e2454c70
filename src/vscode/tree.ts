// The readiness sidebar's content as plain data: overall → categories (with scores) → rules (with counts) →
// locations, plus "Database checks" after live checks ran. Built from engine data alone and unit-tested
// without VS Code; treeView.ts renders it.
import { CATEGORIES, CATEGORY_LABELS, liveSummaryLines, type AnalysisResult, type Category, type Finding, type LiveStatus, type LiveSummary, type Severity } from '../engine';
import { rangeOf, type Range0 } from './diagnostics';

export type TreeNode = OverallNode | CategoryNode | RuleNode | LocationNode | FolderNode | LiveNode | LiveCheckNode;

/** What one folder's tree is built from: the analysis and, after "Run Live Checks", their summary. */
export type TreeInput = Pick<AnalysisResult, 'findings' | 'readiness'> & { live?: LiveSummary };

interface Base {
  /** Stable across refreshes, so the tree keeps expansion state. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  children: TreeNode[];
}

export interface FolderNode extends Base {
  kind: 'folder';
}
export interface OverallNode extends Base {
  kind: 'overall';
  score: number | null;
}
export interface CategoryNode extends Base {
  kind: 'category';
  category: Category;
  score: number | null;
}
export interface RuleNode extends Base {
  kind: 'rule';
  rule: string;
  severity: Severity;
  count: number;
}
/** "Database checks": the live checks that ran, under the overall node. */
export interface LiveNode extends Base {
  kind: 'live';
}
export interface LiveCheckNode extends Base {
  kind: 'liveCheck';
  check: string;
  status: LiveStatus;
}
export interface LocationNode extends Base {
  kind: 'location';
  rule: string;
  severity: Severity;
  /** Absent for repository-level findings: the click then opens the rule's docs. */
  file?: string;
  range?: Range0;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function scoreText(score: number | null): string {
  return score === null ? 'unknown' : `${score}/100`;
}

function countsText(counts: Record<Severity, number>): string {
  const parts: string[] = [];
  if (counts.error) parts.push(`${counts.error} error${counts.error === 1 ? '' : 's'}`);
  if (counts.warning) parts.push(`${counts.warning} warning${counts.warning === 1 ? '' : 's'}`);
  if (counts.info) parts.push(`${counts.info} note${counts.info === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'no findings';
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** The tree of one analysed folder. `prefix` keeps ids unique when several folders are shown. */
export function buildTree(result: TreeInput, prefix = ''): OverallNode {
  const { findings, readiness, live } = result;
  const categories: CategoryNode[] = CATEGORIES.map((c) => categoryNode(c, findings.filter((f) => f.category === c && !f.strength), readiness.categories[c], prefix));
  const problems = findings.filter((f) => !f.strength);
  const errors = problems.filter((f) => f.severity === 'error').length;
  return {
    kind: 'overall',
    id: `${prefix}overall`,
    label: `Overall readiness: ${scoreText(readiness.overall)}`,
    description: `${problems.length} finding${problems.length === 1 ? '' : 's'}`,
    tooltip: errors && readiness.overall !== null ? 'Capped at 60 while critical (error) findings are open.' : undefined,
    score: readiness.overall,
    children: live ? [...categories, liveNode(live, prefix)] : categories,
  };
}

function liveNode(live: LiveSummary, prefix: string): LiveNode {
  const count = (s: LiveStatus) => live.checks.filter((c) => c.status === s).length;
  const parts = [`${count('problem')} with problems`];
  if (count('unknown')) parts.push(`${count('unknown')} not judged`);
  return {
    kind: 'live',
    id: `${prefix}live`,
    label: 'Database checks',
    description: `${parts.join(', ')} · ${live.source}`,
    tooltip: liveSummaryLines(live).join('\n'),
    // Problems first, then what could not be judged, then what passed; report order within each.
    children: [...live.checks]
      .sort((a, b) => LIVE_RANK[a.status] - LIVE_RANK[b.status])
      .map((c) => ({ kind: 'liveCheck', id: `${prefix}live/${c.check}`, check: c.check, status: c.status, label: c.title, description: c.summary, tooltip: `${c.title}: ${c.summary}`, children: [] })),
  };
}

const LIVE_RANK: Record<LiveStatus, number> = { problem: 0, unknown: 1, ok: 2 };

function categoryNode(
  category: Category,
  findings: Finding[],
  score: AnalysisResult['readiness']['categories'][Category],
  prefix: string,
): CategoryNode {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const rules: RuleNode[] = [...byRule]
    .map(([rule, list]) => ruleNode(rule, list, `${prefix}${category}/`))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count || a.rule.localeCompare(b.rule));
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    kind: 'category',
    id: `${prefix}${category}`,
    category,
    label: CATEGORY_LABELS[category],
    // Categories a live check judged say so, as the CLI's report does ("checked against the database").
    description: `${scoreText(score.score)} · ${countsText(counts)}${score.basis === 'live' ? ' · basis: database' : ''}`,
    tooltip: score.note,
    score: score.score,
    children: rules,
  };
}

function ruleNode(rule: string, findings: Finding[], prefix: string): RuleNode {
  const severity = findings.reduce<Severity>((s, f) => (SEVERITY_RANK[f.severity] < SEVERITY_RANK[s] ? f.severity : s), 'info');
  const sorted = [...findings].sort(
    (a, b) => (a.span?.file ?? '').localeCompare(b.span?.file ?? '') || (a.span?.start ?? 0) - (b.span?.start ?? 0),
  );
  return {
    kind: 'rule',
    id: `${prefix}${rule}`,
    rule,
    severity,
    count: findings.length,
    label: rule,
    description: String(findings.length),
    children: sorted.map((f, i) => locationNode(f, `${prefix}${rule}/${f.fingerprint}/${i}`)),
  };
}

function locationNode(f: Finding, id: string): LocationNode {
  return {
    kind: 'location',
    id,
    rule: f.rule,
    severity: f.severity,
    label: f.span ? `${f.span.file}:${f.span.line}` : '(repository)',
    description: firstLine(f.message),
    tooltip: f.help ? `${f.message}\n\n${f.help}` : f.message,
    file: f.span?.file,
    range: f.span ? rangeOf(f.span) : undefined,
    children: [],
  };
}

/** Several workspace folders: one folder node each, holding that folder's tree. */
export function buildMultiRootTree(folders: { name: string; result: TreeInput }[]): TreeNode[] {
  if (folders.length === 1) return [buildTree(folders[0].result)];
  return folders.map((f) => {
    const overall = buildTree(f.result, `${f.name}/`);
    return { kind: 'folder', id: `folder:${f.name}`, label: f.name, description: overall.label.replace('Overall readiness: ', ''), children: [overall] } satisfies FolderNode;
  });
}
