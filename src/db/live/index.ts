import cacheHit from './cache-hit';
import connections from './connections';
import type { LiveCheck } from './context';
import duplicateIndexes from './duplicate-indexes';
import fkIndex from './fk-index';
import invalidIndexes from './invalid-indexes';
import migrations from './migrations';
import pgStatStatements from './pg-stat-statements';
import primaryKeys from './primary-keys';
import sequences from './sequences';
import timeouts from './timeouts';
import uniqueDuplicates from './unique-duplicates';
import unusedIndexes from './unused-indexes';
import walArchiving from './wal-archiving';
import wraparound from './wraparound';

/** Every live check, in report order. */
export const LIVE_CHECKS: readonly LiveCheck[] = [
  migrations,
  fkIndex,
  uniqueDuplicates,
  primaryKeys,
  invalidIndexes,
  duplicateIndexes,
  unusedIndexes,
  sequences,
  wraparound,
  timeouts,
  connections,
  cacheHit,
  pgStatStatements,
  walArchiving,
];

export type { LiveCheck, LiveContext, LiveOptions } from './context';
