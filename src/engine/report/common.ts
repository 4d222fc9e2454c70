import type { AnalysisResult } from '../engine';
import type { LiveSummary } from '../live';
import type { Rule } from '../rule';
import { RULES } from '../rules';
import type { Finding } from '../types';

/** What every renderer takes: the analysis plus the names a report prints. */
export interface ReportInput {
  result: AnalysisResult;
  /** The project's name (the analysed folder's base name). */
  root: string;
  /** pgready's version. */
  version: string;
  /** The rule registry the analysis ran with; defaults to RULES. */
  rules?: readonly Rule[];
  /** Live checks against a connected database (`pgready report --db`), already merged into `result`. */
  live?: LiveSummary;
}

export const INFORMATION_URI = 'https://github.com/pgready/pgready';

/** `file:line:column`, or `(repository)` for a repository-level finding. */
export function location(f: Finding, withColumn = true): string {
  if (!f.span) return '(repository)';
  return withColumn ? `${f.span.file}:${f.span.line}:${f.span.column}` : `${f.span.file}:${f.span.line}`;
}

export function ruleLookup(input: ReportInput): (id: string) => Rule | undefined {
  const map = new Map((input.rules ?? RULES).map((r) => [r.id, r]));
  return (id) => map.get(id);
}

/** Findings that are problems (not strengths). */
export function problems(findings: Finding[]): Finding[] {
  return findings.filter((f) => !f.strength);
}

/** Groups findings by rule id, keeping first-seen order. */
export function byRule(findings: Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) out.set(f.rule, [...(out.get(f.rule) ?? []), f]);
  return out;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
