import type { Rule } from '../rule';
import ilikeWithoutTrigramIndex from './ilike-without-trigram-index';
import missingBackupStrategy from './missing-backup-strategy';
import missingDowngrade from './missing-downgrade';
import missingFilterIndex from './missing-filter-index';
import missingFkIndex from './missing-fk-index';
import missingQueryMonitoring from './missing-query-monitoring';
import missingQueryTimeout from './missing-query-timeout';
import missingUniqueConstraint from './missing-unique-constraint';
import multipleMigrationHeads from './multiple-migration-heads';
import nPlusOne from './n-plus-one';
import parseError from './parse-error';
import plaintextSecretColumn from './plaintext-secret-column';
import requireConcurrentIndexCreation from './require-concurrent-index-creation';
import requireConcurrentIndexDeletion from './require-concurrent-index-deletion';
import sqlInjection from './sql-injection';

/** The registry: every rule, sorted by id. Adding a rule = its file + one line here + a fixture folder. */
export const RULES: readonly Rule[] = [
  ilikeWithoutTrigramIndex,
  missingBackupStrategy,
  missingDowngrade,
  missingFilterIndex,
  missingFkIndex,
  missingQueryMonitoring,
  missingQueryTimeout,
  missingUniqueConstraint,
  multipleMigrationHeads,
  nPlusOne,
  parseError,
  plaintextSecretColumn,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  sqlInjection,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
