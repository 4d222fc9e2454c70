import type { Rule } from '../rule';
import addingFieldWithDefault from './adding-field-with-default';
import addingForeignKeyConstraint from './adding-foreign-key-constraint';
import addingNotNullableField from './adding-not-nullable-field';
import addingRequiredField from './adding-required-field';
import addingSerialPrimaryKeyField from './adding-serial-primary-key-field';
import banAlterEnumAddValueInTransaction from './ban-alter-enum-add-value-in-transaction';
import banBackfillInDdlTransaction from './ban-backfill-in-ddl-transaction';
import banCharField from './ban-char-field';
import banConcurrentIndexCreationInTransaction from './ban-concurrent-index-creation-in-transaction';
import banDeleteWithoutWhere from './ban-delete-without-where';
import banDropColumn from './ban-drop-column';
import banDropDatabase from './ban-drop-database';
import banDropNotNull from './ban-drop-not-null';
import banDropTable from './ban-drop-table';
import banMultipleExclusiveLocks from './ban-multiple-exclusive-locks';
import banTruncateCascade from './ban-truncate-cascade';
import banUncommittedTransaction from './ban-uncommitted-transaction';
import banUpdateWithoutWhere from './ban-update-without-where';
import banVacuumFull from './ban-vacuum-full';
import changingColumnType from './changing-column-type';
import constraintMissingNotValid from './constraint-missing-not-valid';
import disallowedUniqueConstraint from './disallowed-unique-constraint';
import droppedColumnStillReferenced from './dropped-column-still-referenced';
import identifierTooLong from './identifier-too-long';
import ilikeWithoutTrigramIndex from './ilike-without-trigram-index';
import missingBackupStrategy from './missing-backup-strategy';
import missingDowngrade from './missing-downgrade';
import missingFilterIndex from './missing-filter-index';
import missingFkIndex from './missing-fk-index';
import missingPoolHealthCheck from './missing-pool-health-check';
import missingQueryMonitoring from './missing-query-monitoring';
import missingQueryTimeout from './missing-query-timeout';
import missingUniqueConstraint from './missing-unique-constraint';
import multipleMigrationHeads from './multiple-migration-heads';
import nPlusOne from './n-plus-one';
import parseError from './parse-error';
import plaintextSecretColumn from './plaintext-secret-column';
import preferBigintOverInt from './prefer-bigint-over-int';
import preferBigintOverSmallint from './prefer-bigint-over-smallint';
import preferIdentity from './prefer-identity';
import preferTextField from './prefer-text-field';
import preferTimestampTz from './prefer-timestamp-tz';
import renamingColumn from './renaming-column';
import renamingTable from './renaming-table';
import requireConcurrentIndexCreation from './require-concurrent-index-creation';
import requireConcurrentIndexDeletion from './require-concurrent-index-deletion';
import requireConcurrentPartitionDetach from './require-concurrent-partition-detach';
import requireConcurrentRefresh from './require-concurrent-refresh';
import requireConcurrentReindex from './require-concurrent-reindex';
import requireEnumValueOrdering from './require-enum-value-ordering';
import requireLockTimeout from './require-lock-timeout';
import requireStatementTimeout from './require-statement-timeout';
import schemaDrift from './schema-drift';
import sqlInjection from './sql-injection';
import transactionNesting from './transaction-nesting';

/** The registry: every rule, sorted by id. Adding a rule = its file + one line here + a fixture folder. */
export const RULES: readonly Rule[] = [
  addingFieldWithDefault,
  addingForeignKeyConstraint,
  addingNotNullableField,
  addingRequiredField,
  addingSerialPrimaryKeyField,
  banAlterEnumAddValueInTransaction,
  banBackfillInDdlTransaction,
  banCharField,
  banConcurrentIndexCreationInTransaction,
  banDeleteWithoutWhere,
  banDropColumn,
  banDropDatabase,
  banDropNotNull,
  banDropTable,
  banMultipleExclusiveLocks,
  banTruncateCascade,
  banUncommittedTransaction,
  banUpdateWithoutWhere,
  banVacuumFull,
  changingColumnType,
  constraintMissingNotValid,
  disallowedUniqueConstraint,
  droppedColumnStillReferenced,
  identifierTooLong,
  ilikeWithoutTrigramIndex,
  missingBackupStrategy,
  missingDowngrade,
  missingFilterIndex,
  missingFkIndex,
  missingPoolHealthCheck,
  missingQueryMonitoring,
  missingQueryTimeout,
  missingUniqueConstraint,
  multipleMigrationHeads,
  nPlusOne,
  parseError,
  plaintextSecretColumn,
  preferBigintOverInt,
  preferBigintOverSmallint,
  preferIdentity,
  preferTextField,
  preferTimestampTz,
  renamingColumn,
  renamingTable,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  requireConcurrentPartitionDetach,
  requireConcurrentRefresh,
  requireConcurrentReindex,
  requireEnumValueOrdering,
  requireLockTimeout,
  requireStatementTimeout,
  schemaDrift,
  sqlInjection,
  transactionNesting,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
