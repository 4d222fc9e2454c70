import type { Span } from '../types';
import type { StatementColumns } from './migration-helpers-b';
import type { Migration } from './migrations';

// Type-hygiene findings that are one project convention rather than one decision per table: the key type
// (integer vs bigint) and how keys are generated (serial vs identity). A migration that creates six tables
// with serial integer keys made that choice once; one note per migration, naming every table, says so
// without repeating the same sentence six times.

export interface MigrationColumns<T> {
  m: Migration;
  /** The statement groups of this migration, in order: the first one is where the finding is reported. */
  groups: StatementColumns<T>[];
  hits: StatementColumns<T>['hits'];
  tables: string[];
}

export function byMigration<T>(groups: StatementColumns<T>[]): MigrationColumns<T>[] {
  const out = new Map<Migration, MigrationColumns<T>>();
  for (const g of groups) {
    let mg = out.get(g.m);
    if (!mg) out.set(g.m, (mg = { m: g.m, groups: [], hits: [], tables: [] }));
    mg.groups.push(g);
    mg.hits.push(...g.hits);
    if (!mg.tables.includes(g.table)) mg.tables.push(g.table);
  }
  return [...out.values()];
}

/** `"users" (id, organization_id), "projects" (id)`: the columns of a multi-table group, table by table. */
export function tableColumnList(mg: MigrationColumns<unknown>): string {
  return mg.tables.map((t) => `"${t}" (${mg.hits.filter((h) => h.site.col.table === t).map((h) => h.site.col.column).join(', ')})`).join(', ');
}

/** The other statements of the group, as related locations. */
export function otherStatements<T>(mg: MigrationColumns<T>, spanOf: (g: StatementColumns<T>) => Span = (g) => g.span): { span: Span; message: string }[] {
  return mg.groups.slice(1).map((g) => ({ span: spanOf(g), message: `"${g.table}": ${g.hits.map((h) => `"${h.site.col.column}"`).join(', ')}` }));
}

/** Machine-readable details: the first table's (as single-table findings have), and every table's columns. */
export function migrationColumnsData(mg: MigrationColumns<unknown>): Record<string, unknown> {
  const first = mg.groups[0];
  return {
    table: first.table,
    column: first.hits[0].site.col.column,
    columns: first.hits.map((h) => h.site.col.column),
    tables: mg.tables.map((t) => ({ table: t, columns: mg.hits.filter((h) => h.site.col.table === t).map((h) => h.site.col.column) })),
    migration: mg.m.id,
  };
}
