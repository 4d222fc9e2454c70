import type { Migration, MigrationStatement } from '../facts/migrations';
import { defineRule } from '../rule';
import { alembicConcurrentlyFix, sqlConcurrentlyFix } from '../sources/python/sa-fix';
import { concurrentIndexHelp } from '../sources/typescript/help';

/** Tables a migration creates before statement `upto` (an index on them locks nobody). */
function tablesCreatedBefore(m: Migration, upto: MigrationStatement): Set<string> {
  const out = new Set<string>();
  for (const st of m.upgrade) {
    if (st === upto) break;
    const rel = st.ast?.CreateStmt?.relation ?? st.ast?.CreateTableAsStmt?.into?.rel;
    if (rel?.relname) out.add(String(rel.relname).toLowerCase());
  }
  return out;
}

export default defineRule({
  id: 'require-concurrent-index-creation',
  category: 'schema',
  severity: 'warning',
  summary: 'CREATE INDEX without CONCURRENTLY on an existing table blocks writes to it while the index builds.',
  docs: {
    what: 'Finds migrations that build an index on a table that already existed (created by an earlier migration, or not by this one) without CONCURRENTLY: `CREATE INDEX` in SQL, `op.create_index(...)` without `postgresql_concurrently=True` in Alembic.',
    why: 'A plain CREATE INDEX takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits, for minutes on a large table, and requests time out while the migration runs. CREATE INDEX CONCURRENTLY builds without blocking writes.',
    instead: 'Use CREATE INDEX CONCURRENTLY outside a transaction. In Alembic: `op.create_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`. Indexes on a table created in the same migration need nothing.',
  },
  examples: {
    bad: {
      'migrations/001_jobs.sql': 'CREATE TABLE jobs (id bigint PRIMARY KEY, status text);\n',
      'migrations/002_jobs_status.sql': 'CREATE INDEX ix_jobs_status ON jobs (status);\n',
      'alembic/versions/a1_status.py':
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_index("ix_jobs_status", "jobs", ["status"])\n\n\ndef downgrade():\n    op.drop_index("ix_jobs_status", table_name="jobs")\n',
    },
    good: {
      'alembic/versions/a1_status.py':
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n        op.create_index("ix_jobs_status", "jobs", ["status"], postgresql_concurrently=True)\n\n\ndef downgrade():\n    with op.get_context().autocommit_block():\n        op.drop_index("ix_jobs_status", table_name="jobs", postgresql_concurrently=True)\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const ix = st.ast?.IndexStmt;
        if (!ix || ix.concurrent || !ix.relation?.relname) continue;
        const table = String(ix.relation.relname).toLowerCase();
        if (tablesCreatedBefore(m, st).has(table)) continue;
        const name = ix.idxname ? `"${ix.idxname}"` : 'this index';
        const text = ctx.text(st.span.file) ?? '';
        let help: string;
        let fix;
        if (m.tool === 'alembic') {
          help = st.inTransaction
            ? 'Create it concurrently: op.create_index(..., postgresql_concurrently=True) inside `with op.get_context().autocommit_block():`.'
            : 'Create it concurrently: add postgresql_concurrently=True to op.create_index(...).';
          fix = alembicConcurrentlyFix(text, st, 'Create the index concurrently');
        } else if (m.tool === 'django') {
          help = 'Use AddIndexConcurrently (django.contrib.postgres.operations) in a migration with atomic = False.';
        } else {
          help = concurrentIndexHelp(m.tool, table, ix.idxname) ?? `Use CREATE INDEX CONCURRENTLY ${ix.idxname ?? ''} ON ${table} … and run it outside a transaction block.`.replace(/\s+/g, ' ');
          fix = sqlConcurrentlyFix(text, st, 'Create the index concurrently');
        }
        ctx.report({
          message: `Building ${name} blocks writes to "${table}" until it finishes: CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole build.`,
          help,
          span: st.span,
          fix,
          data: { table, index: ix.idxname, migration: m.id },
        });
      }
    }
  },
});
