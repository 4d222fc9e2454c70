import type { ProjectFacts } from './facts';
import type { Settings } from './settings';
import type { Category, Finding, Fix, Severity, Span } from './types';

/** Ruff-style documentation: fixed headings, rendered by `pgready rule <id>` and the VS Code docs view. */
export interface RuleDocs {
  /** What it finds. */
  what: string;
  /** Why it matters in production: the lock, the race, the latency. */
  why: string;
  /** What to write instead. */
  instead: string;
}

/** Example projects (path → text) checked by the meta test: `bad` must fire, `good` must stay silent. */
export interface RuleExamples {
  bad: Record<string, string>;
  good: Record<string, string>;
}

/** What a rule passes to `report`; the engine adds rule id, category, severity and fingerprint. */
export interface Report {
  message: string;
  help: string;
  span?: Span;
  fix?: Fix;
  /** Overrides the rule's severity for this finding (e.g. a softer case). */
  severity?: Severity;
  /** Marks a strength (severity info, listed under strengths, never deducted). */
  strength?: boolean;
  /** Normalized code identity for the fingerprint; defaults to the text under `span`. */
  key?: string;
  related?: { span: Span; message: string }[];
  data?: Record<string, unknown>;
}

export interface RuleContext {
  facts: ProjectFacts;
  settings: Settings;
  report(r: Report): void;
  /** The source text of a project file (undefined if unknown). */
  text(file: string): string | undefined;
}

export interface Rule {
  /** Public, stable id users type in ignores and configs (Squawk's id where Squawk has the rule). */
  id: string;
  category: Category;
  severity: Severity;
  /** One line for rule lists. */
  summary: string;
  docs: RuleDocs;
  examples: RuleExamples;
  /** False for notes that must not move the score (parse errors). */
  scored?: boolean;
  /**
   * True when a finding of this rule says a whole operational practice is missing from the project
   * (no backups, no query monitoring), so the score weighs it as such (see score.ts).
   */
  practice?: boolean;
  check(ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export type { Finding };
