// The public vocabulary of the engine: what a finding is, where it points, and how it is fixed.
// Every adapter (CLI, VS Code, SARIF) reads these shapes and nothing else.

export type Severity = 'error' | 'warning' | 'info';

export const CATEGORIES = ['schema', 'integrity', 'performance', 'monitoring', 'backup', 'security'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  schema: 'Schema Design',
  integrity: 'Data Integrity',
  performance: 'Performance',
  monitoring: 'Monitoring',
  backup: 'Backup/Recovery',
  security: 'Security',
};

/**
 * A range in one file. `start`/`end` are offsets into the file text in UTF-16 code units (how JS strings
 * index); lines and columns are 1-based, columns counted in UTF-16 code units, `endColumn` exclusive.
 * `file` is the project-relative path with `/` separators.
 */
export interface Span {
  file: string;
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One replacement in one file. A new file is created by an edit with `create: true` (start = end = 0). */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
  create?: boolean;
}

export interface Fix {
  /** Imperative, shown as the quick-fix title: "Create the index concurrently". */
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  category: Category;
  /** What is wrong and its consequence, naming the table/column: one or two sentences. */
  message: string;
  /** What to do instead, in the project's own dialect; may contain a code snippet. */
  help: string;
  /** Absent for repository-level findings (e.g. no backup evidence anywhere). */
  span?: Span;
  /** Stable across line moves: rule + file + normalized code (+ occurrence). */
  fingerprint: string;
  fix?: Fix;
  /** A strength the report lists ("pool_pre_ping is on"); always severity info and never a deduction. */
  strength?: boolean;
  related?: { span: Span; message: string }[];
  /** Rule-specific machine-readable details (table, columns, suggested DDL) for adapters and live checks. */
  data?: Record<string, unknown>;
}

/** A file the engine could not read or parse. It becomes a `parse-error` note; the run goes on. */
export interface ParseProblem {
  file: string;
  message: string;
  line?: number;
  column?: number;
  /** Where the problem is, when the front end knows (the first syntax error). */
  span?: Span;
}
