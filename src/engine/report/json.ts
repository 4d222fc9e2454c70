import type { LiveSummary } from '../live';
import type { CategoryScore } from '../score';
import type { Category } from '../types';
import type { ReportInput } from './common';

/** The machine-readable report (`--format json`). Paths are project-relative with `/`; lines are 1-based. */
export interface JsonReport {
  tool: 'pgready';
  version: string;
  root: string;
  score: { overall: number | null; categories: Record<Category, CategoryScore> };
  findings: JsonFinding[];
  /** With --db: the live checks that ran, and the static findings the database contradicted. */
  live?: Omit<LiveSummary, 'cleared'>;
  cleared?: LiveSummary['cleared'];
}

export interface JsonFinding {
  rule: string;
  severity: string;
  category: Category;
  /** null for repository-level findings, as are the positions. */
  file: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  message: string;
  help: string;
  fingerprint: string;
  /** Other places the same problem shows (a query that filters on the column a finding's index is missing on). */
  related?: { file: string; line: number; column: number; message: string }[];
  strength?: true;
}

export function toJsonReport(input: ReportInput): JsonReport {
  const { findings, readiness } = input.result;
  return {
    tool: 'pgready',
    version: input.version,
    root: input.root,
    score: { overall: readiness.overall, categories: readiness.categories },
    findings: findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      category: f.category,
      file: f.span?.file ?? null,
      line: f.span?.line ?? null,
      column: f.span?.column ?? null,
      endLine: f.span?.endLine ?? null,
      endColumn: f.span?.endColumn ?? null,
      message: f.message,
      help: f.help,
      fingerprint: f.fingerprint,
      ...(f.related?.length ? { related: f.related.map((r) => ({ file: r.span.file, line: r.span.line, column: r.span.column, message: r.message })) } : {}),
      ...(f.strength ? { strength: true as const } : {}),
    })),
    ...(input.live ? (({ cleared, ...rest }) => ({ live: rest, cleared }))(input.live) : {}),
  };
}

export function renderJson(input: ReportInput): string {
  return JSON.stringify(toJsonReport(input), null, 2) + '\n';
}
