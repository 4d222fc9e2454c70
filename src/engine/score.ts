import type { ProjectFacts } from './facts';
import type { Rule } from './rule';
import { CATEGORIES, type Category, type Finding, type Severity } from './types';

// The readiness score. This file is the whole formula; README "Readiness score" documents it.
//
// - Each category starts at 100.
// - Each rule that fired takes off points by severity: error 20, warning 8, info 0. Repeats of the same rule
//   have diminishing returns — the n-th finding of one rule costs half the one before — so one rule costs at
//   most twice its weight: ten unindexed foreign keys are one problem to fix, not ten.
// - A finding of a "practice" rule (no backup evidence anywhere, no query monitoring) says a whole practice
//   is missing, not one line of code, so it weighs what a reviewer would give it: 60 for a warning, 70 for an
//   error. A project with no backups at all cannot be 84 % ready for recovery.
// - A category never drops below 0 and is rounded to an integer.
// - A category is "unknown" (score null) when the project gives it nothing to judge (e.g. no schema at all
//   for Data Integrity). Monitoring and Backup/Recovery are judged from repository evidence alone until a
//   database is connected; their `basis` says so.
// - Overall is the mean of the judged categories, capped at 60 while any error-level finding is open
//   (a project with a critical gap is not production-ready, whatever else is good).

export const SEVERITY_WEIGHT: Record<Severity, number> = { error: 20, warning: 8, info: 0 };
export const REPOSITORY_WEIGHT: Record<Severity, number> = { error: 70, warning: 60, info: 0 };
export const TARGET_SCORE = 90;
const OVERALL_CAP_WITH_ERRORS = 60;

export interface CategoryScore {
  /** null = unknown: nothing to judge. */
  score: number | null;
  target: number;
  /** max(0, target − score); null when unknown. */
  gap: number | null;
  counts: Record<Severity, number>;
  strengths: number;
  /** 'static': from code; 'repository': from repository evidence only; 'live': confirmed by a database; 'none': unknown. */
  basis: 'static' | 'repository' | 'live' | 'none';
  note?: string;
}

export interface Readiness {
  overall: number | null;
  categories: Record<Category, CategoryScore>;
}

function judged(category: Category, facts: ProjectFacts): { ok: boolean; basis: CategoryScore['basis']; note?: string } {
  const hasSchema = facts.schema.tables.size > 0;
  const hasCode = facts.queries.length > 0 || facts.clients.length > 0;
  switch (category) {
    case 'schema':
    case 'integrity':
      return hasSchema ? { ok: true, basis: 'static' } : { ok: false, basis: 'none', note: 'no tables found in models or migrations' };
    case 'performance':
      return hasSchema || hasCode ? { ok: true, basis: 'static' } : { ok: false, basis: 'none', note: 'no schema or queries found' };
    case 'security':
      return hasSchema || hasCode || facts.migrations.length > 0 ? { ok: true, basis: 'static' } : { ok: false, basis: 'none', note: 'no database code found' };
    case 'monitoring':
    case 'backup':
      return hasSchema || hasCode
        ? { ok: true, basis: 'repository', note: 'judged from repository evidence; connect a database to confirm' }
        : { ok: false, basis: 'none', note: 'no database code found' };
  }
}

export function computeReadiness(findings: Finding[], facts: ProjectFacts, rules: readonly Rule[]): Readiness {
  const unscored = new Set(rules.filter((r) => r.scored === false).map((r) => r.id));
  const practices = new Set(rules.filter((r) => r.practice).map((r) => r.id));
  const categories = {} as Record<Category, CategoryScore>;
  for (const category of CATEGORIES) {
    const mine = findings.filter((f) => f.category === category && !unscored.has(f.rule));
    const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
    let strengths = 0;
    const perRule = new Map<string, number[]>();
    for (const f of mine) {
      if (f.strength) {
        strengths++;
        continue;
      }
      counts[f.severity]++;
      const weight = (practices.has(f.rule) ? REPOSITORY_WEIGHT : SEVERITY_WEIGHT)[f.severity];
      const list = perRule.get(f.rule);
      if (list) list.push(weight);
      else perRule.set(f.rule, [weight]);
    }
    let deduction = 0;
    for (const weights of perRule.values()) {
      weights.sort((a, b) => b - a);
      weights.forEach((w, i) => (deduction += w / 2 ** i));
    }
    const j = judged(category, facts);
    const score = j.ok ? Math.max(0, Math.round(100 - deduction)) : null;
    categories[category] = {
      score,
      target: TARGET_SCORE,
      gap: score === null ? null : Math.max(0, TARGET_SCORE - score),
      counts,
      strengths,
      basis: j.basis,
      note: j.note,
    };
  }
  const scored = CATEGORIES.map((c) => categories[c].score).filter((s): s is number => s !== null);
  let overall = scored.length ? Math.round(scored.reduce((a, b) => a + b, 0) / scored.length) : null;
  const hasErrors = findings.some((f) => f.severity === 'error' && !f.strength && !unscored.has(f.rule));
  if (overall !== null && hasErrors) overall = Math.min(overall, OVERALL_CAP_WITH_ERRORS);
  return { overall, categories };
}
