// EXPLAIN (FORMAT JSON) → plan model with derived metrics → advice → view model. Pure; the database layer
// (src/db) runs EXPLAIN and hands the JSON here.
export * from './plan';
export * from './advice';
export * from './viewmodel';

import { initSql } from '../sources/sql/parser';

/** Loads the SQL parser the placeholder rewrite and filter reading use (the engine's `initEngine` does too). */
export function initExplain(): Promise<void> {
  return initSql();
}
