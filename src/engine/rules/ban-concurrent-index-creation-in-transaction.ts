import { autocommitEdit, dialectHelp, fixOf, relName } from '../facts/migration-helpers';
import type { Migration, MigrationStatement } from '../facts/migrations';
import { defineRule } from '../rule';

/** True when an explicit BEGIN/START TRANSACTION before `upto` in the same file is still open. */
function insideBegin(m: Migration, upto: MigrationStatement): boolean {
  let open = false;
  for (const st of m.upgrade) {
    if (st === upto) return open;
    const t = st.ast?.TransactionStmt;
    if (t?.kind === 'TRANS_STMT_BEGIN' || t?.kind === 'TRANS_STMT_START') open = true;
    else if (t?.kind === 'TRANS_STMT_COMMIT' || t?.kind === 'TRANS_STMT_ROLLBACK') open = false;
  }
  return false;
}

export default defineRule({
  id: 'ban-concurrent-index-creation-in-transaction',
  // The statement cannot succeed at all, so it is an error rather than a lock warning: the deploy stops here.
  category: 'schema',
  severity: 'error',
  summary: 'CREATE INDEX CONCURRENTLY inside a transaction block fails: the migration stops with an error.',
  docs: {
    what: 'Finds `CREATE INDEX CONCURRENTLY` that runs inside a transaction: an Alembic `op.create_index(..., postgresql_concurrently=True)` outside `autocommit_block()`, a SQL file with an explicit BEGIN, or a file its tool runs as one transaction (a multi-statement golang-migrate or Prisma file, a Drizzle file).',
    why: 'PostgreSQL refuses it ("CREATE INDEX CONCURRENTLY cannot run inside a transaction block"): the concurrent build needs to commit between its phases. The migration fails at deploy time, after earlier statements of the same transaction were rolled back.',
    instead: 'Run the concurrent build outside a transaction: in Alembic, inside `with op.get_context().autocommit_block():`; in golang-migrate or Prisma, in a migration file of its own with only that statement; in SQL with BEGIN/COMMIT, after the COMMIT.',
  },
  examples: {
    bad: {
      'alembic/versions/a1_ix.py':
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_index("ix_jobs_status", "jobs", ["status"], postgresql_concurrently=True)\n\n\ndef downgrade():\n    pass\n',
    },
    good: {
      'alembic/versions/a1_ix.py':
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n        op.create_index("ix_jobs_status", "jobs", ["status"], postgresql_concurrently=True)\n\n\ndef downgrade():\n    pass\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const ix = st.ast?.IndexStmt;
        if (!ix?.concurrent || !st.inTransaction) continue;
        const explicit = insideBegin(m, st);
        // A plain migrations folder may or may not be run in a transaction per file: only an explicit BEGIN is certain.
        if (m.tool === 'sql' && !explicit) continue;
        const table = relName(ix.relation);
        const name = ix.idxname ? `"${ix.idxname}"` : 'the index';
        const text = ctx.text(st.span.file) ?? '';
        const fix = st.op?.startsWith('op.') ? fixOf('Run it in an autocommit block', autocommitEdit(text, st, text.slice(st.span.start, st.span.end))) : undefined;
        const why = explicit
          ? 'the file opens a transaction with BEGIN'
          : m.tool === 'golang-migrate' || m.tool === 'prisma'
            ? `${m.tool} sends this file as one multi-statement query, which PostgreSQL runs as one transaction`
            : st.op
              ? 'Alembic runs the migration in a transaction unless the op is inside autocommit_block()'
              : `${m.tool} runs each migration file in a transaction`;
        ctx.report({
          message: `Building ${name} on "${table}" CONCURRENTLY inside a transaction block fails ("cannot run inside a transaction block"): ${why}.`,
          help: dialectHelp(m, st, {
            sql:
              !explicit && (m.tool === 'golang-migrate' || m.tool === 'prisma')
                ? 'Move the CREATE INDEX CONCURRENTLY into a migration file of its own, with no other statement.'
                : 'Run the CREATE INDEX CONCURRENTLY outside BEGIN … COMMIT (and outside any transaction your migration tool opens).',
            alembic: 'Put the op inside `with op.get_context().autocommit_block():`.',
            django: 'Use AddIndexConcurrently in a migration with atomic = False.',
          }),
          span: st.span,
          fix,
          data: { table, index: ix.idxname, migration: m.id },
        });
      }
    }
  },
});
