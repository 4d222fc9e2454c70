import type { Migration, MigrationStatement } from '../facts/migrations';
import { defineRule } from '../rule';
import { alembicConcurrentlyFix, sqlConcurrentlyFix } from '../sources/python/sa-fix';

/** Indexes and tables a migration creates before statement `upto`: dropping those again locks nobody. */
function createdBefore(m: Migration, upto: MigrationStatement): { indexes: Set<string>; tables: Set<string> } {
  const indexes = new Set<string>();
  const tables = new Set<string>();
  for (const st of m.upgrade) {
    if (st === upto) break;
    const ix = st.ast?.IndexStmt;
    if (ix?.idxname) indexes.add(String(ix.idxname).toLowerCase());
    const rel = st.ast?.CreateStmt?.relation;
    if (rel?.relname) tables.add(String(rel.relname).toLowerCase());
  }
  return { indexes, tables };
}

const unquote = (s: string | undefined) => s?.replace(/^[rbuRBU]*["']|["']$/g, '');

export default defineRule({
  id: 'require-concurrent-index-deletion',
  category: 'schema',
  severity: 'warning',
  summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait.',
  docs: {
    what: 'Finds migrations that drop an index without CONCURRENTLY: `DROP INDEX` in SQL, `op.drop_index(...)` without `postgresql_concurrently=True` in Alembic.',
    why: 'A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index\'s table. It must wait for every running query on the table, and while it waits every new query (even a SELECT) queues behind it: one long transaction turns a millisecond drop into an outage.',
    instead: 'Use DROP INDEX CONCURRENTLY outside a transaction. In Alembic: `op.drop_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`.',
  },
  examples: {
    bad: {
      'alembic/versions/a1_drop.py':
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.drop_index("ix_jobs_title", table_name="jobs")\n\n\ndef downgrade():\n    op.create_index("ix_jobs_title", "jobs", ["title"])\n',
    },
    good: {
      'alembic/versions/a1_drop.py':
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n        op.drop_index("ix_jobs_title", table_name="jobs", postgresql_concurrently=True)\n\n\ndef downgrade():\n    with op.get_context().autocommit_block():\n        op.create_index("ix_jobs_title", "jobs", ["title"], postgresql_concurrently=True)\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const drop = st.ast?.DropStmt;
        if (!drop || drop.removeType !== 'OBJECT_INDEX' || drop.concurrent) continue;
        const names: string[] = (drop.objects ?? []).map((o: any) => {
          const items = o?.List?.items ?? [];
          return String(items[items.length - 1]?.String?.sval ?? '').toLowerCase();
        });
        const before = createdBefore(m, st);
        const table = unquote(st.kwargs?.table_name)?.toLowerCase();
        if (names.every((n) => before.indexes.has(n)) || (table && before.tables.has(table))) continue;
        const what = names.map((n) => `"${n}"`).join(', ');
        const text = ctx.text(st.span.file) ?? '';
        let help: string;
        let fix;
        if (m.tool === 'alembic') {
          help = st.inTransaction
            ? 'Drop it concurrently: op.drop_index(..., postgresql_concurrently=True) inside `with op.get_context().autocommit_block():`.'
            : 'Drop it concurrently: add postgresql_concurrently=True to op.drop_index(...).';
          fix = alembicConcurrentlyFix(text, st, 'Drop the index concurrently');
        } else if (m.tool === 'django') {
          help = 'Use RemoveIndexConcurrently (django.contrib.postgres.operations) in a migration with atomic = False.';
        } else {
          help = `Use DROP INDEX CONCURRENTLY ${names.join(', ')} and run it outside a transaction block.`;
          fix = sqlConcurrentlyFix(text, st, 'Drop the index concurrently');
        }
        ctx.report({
          message: `Dropping ${what} takes an ACCESS EXCLUSIVE lock on ${table ? `"${table}"` : 'its table'}: it waits for running queries and blocks every read and write queued behind it.`,
          help,
          span: st.span,
          fix,
          data: { indexes: names, table, migration: m.id },
        });
      }
    }
  },
});
