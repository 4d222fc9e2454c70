// Effort to fix one kind of finding, for the phased plan of the Markdown report. One table in one place: a
// rule that is not listed falls back on its id's wording, then on M. The sizes are a reviewer's estimates
// for one occurrence, including the migration and a test.

export type Effort = 'XS' | 'S' | 'S/M' | 'M' | 'L';

export const EFFORT_LABELS: Record<Effort, string> = {
  XS: 'XS (minutes)',
  S: 'S (≤ 1 h)',
  'S/M': 'S/M (1–3 h)',
  M: 'M (½–1 day)',
  L: 'L (days)',
};

/** Effort by rule id. Keep sorted by id. */
export const RULE_EFFORT: Record<string, Effort> = {
  'adding-field-with-default': 'S',
  'adding-foreign-key-constraint': 'S',
  'adding-not-nullable-field': 'S',
  'ban-drop-column': 'S/M',
  'ban-drop-table': 'S/M',
  'changing-column-type': 'M',
  'constraint-missing-not-valid': 'S',
  'hardcoded-credentials': 'S',
  'ilike-without-trigram-index': 'S',
  'missing-backup-strategy': 'M',
  'missing-downgrade': 'S',
  'missing-filter-index': 'S',
  'missing-fk-index': 'S',
  'missing-query-monitoring': 'M',
  'missing-query-timeout': 'XS',
  'missing-unique-constraint': 'S/M',
  'multiple-migration-heads': 'S',
  'n-plus-one': 'S/M',
  'parse-error': 'XS',
  'plaintext-secret-column': 'M',
  'prefer-bigint-over-int': 'M',
  'prefer-identity': 'M',
  'prefer-robust-stmts': 'S',
  'prefer-text-field': 'S',
  'prefer-timestamptz': 'M',
  'renaming-column': 'M',
  'renaming-table': 'M',
  'require-concurrent-index-creation': 'S',
  'require-concurrent-index-deletion': 'S',
  'sql-injection': 'S/M',
};

/** Ordered guesses from a rule id's wording, for rules the table does not list yet. */
const BY_WORDING: [RegExp, Effort][] = [
  [/timeout|pre-ping|ssl/, 'XS'],
  [/index|concurrent|not-valid|pagination|limit|select-star/, 'S'],
  [/n-plus-one|loop|injection|raw-sql|unique|race/, 'S/M'],
  [/backup|monitor|pitr|replica|partition|type|rename/, 'M'],
];

export function effortFor(ruleId: string): Effort {
  const exact = RULE_EFFORT[ruleId];
  if (exact) return exact;
  for (const [re, effort] of BY_WORDING) if (re.test(ruleId)) return effort;
  return 'M';
}
