import * as path from 'path';
import type { Migration } from '../../../engine';
import type { LiveFinding } from '../../../engine/live';
import type { Db } from '../../connection';

// What the per-tool comparisons of the unapplied-migrations check share: the shape of a tool's result,
// finding the tool's history table, and the finding texts every tool words the same way.

export interface ToolOutcome {
  /** "Alembic", "Django", … for summaries when a project has several tools. */
  tool: string;
  /** Migrations of this tool in the repository. */
  total: number;
  findings: LiveFinding[];
  /** One line: "all 12 migrations applied (…)" or "2 of 12 migrations not applied: …". */
  summary: string;
}

export interface HistoryTable {
  schema: string;
  name: string;
  /** `"schema"."name"`, for SQL. */
  sql: string;
}

const qi = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * The first of `names` that exists as a table with all of `columns`, preferring one visible in the search
 * path (the tools create it in the connection's default schema unless told otherwise).
 */
export async function findHistoryTable(db: Db, names: readonly string[], columns: readonly string[]): Promise<HistoryTable | undefined> {
  const rows = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p')
        AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($2::text[])) = cardinality($2::text[])
      ORDER BY pg_table_is_visible(c.oid) DESC, array_position($1::text[], c.relname::text), n.nspname LIMIT 1`,
    [names, columns],
  );
  return rows.length ? { ...rows[0], sql: `${qi(rows[0].schema)}.${qi(rows[0].name)}` } : undefined;
}

/** "It would run: CREATE …; ALTER …; and 3 more." from the migration's statements. */
export function whatItDoes(m: Migration): string {
  const parts = m.upgrade.map((s) => s.sql.replace(/\s+/g, ' ').trim()).filter(Boolean).map((s) => (s.length > 60 ? `${s.slice(0, 57)}…` : s));
  if (!parts.length) return '';
  return ` It would run: ${parts.slice(0, 3).join('; ')}${parts.length > 3 ? `; and ${parts.length - 3} more` : ''}.`;
}

/** The finding for a repository migration the database has not applied. */
export function unappliedFinding(m: Migration, name: string, at: string, help: string, data: Record<string, unknown> = {}): LiveFinding {
  return {
    rule: 'live-unapplied-migration',
    severity: 'error',
    category: 'schema',
    message: `Migration ${name} (${path.posix.basename(m.file) === 'migration.sql' ? m.file : path.posix.basename(m.file)}) is not applied: ${at}, and the code expects the schema it creates.${whatItDoes(m)}`,
    help,
    anchor: { migration: m.id },
    key: `unapplied:${m.id}`,
    data: { revision: m.id, file: m.file, ...data },
  };
}

/** The leading number of a migration name (`0007_add_x` → 7n, `20240101120000_init` → 20240101120000n). */
export function leadingNumber(name: string): bigint | undefined {
  const m = /^(\d+)(?:_|$)/.exec(name);
  return m ? BigInt(m[1]) : undefined;
}

/** "a, b, c and 4 more" */
export function listSome(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
