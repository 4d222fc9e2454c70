import { isVacuumFull } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-vacuum-full',
  category: 'schema',
  severity: 'warning',
  summary: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: every read and write waits until it finishes.',
  docs: {
    what: 'Finds `VACUUM FULL` in migrations (SQL files and Alembic `op.execute(...)`). pgready\'s own rule; Squawk has none.',
    why: 'VACUUM FULL copies the whole table and rebuilds its indexes while holding an ACCESS EXCLUSIVE lock: reads and writes block for the whole rewrite, minutes to hours on a large table, and it needs free disk space for a full copy. It also cannot run inside a transaction block, so a transactional migration tool fails on it.',
    instead: 'Let autovacuum (or plain `VACUUM`, which blocks nobody) reclaim space; to shrink a bloated table online, use pg_repack or pg_squeeze outside the migration.',
  },
  examples: {
    bad: { 'migrations/004_compact.sql': 'VACUUM FULL events;\n' },
    good: { 'migrations/004_compact.sql': 'VACUUM (ANALYZE) events;\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const v = st.ast?.VacuumStmt;
        if (!v || !isVacuumFull(v) || v.is_vacuumcmd === false) continue;
        const tables = (v.rels ?? []).map((r: any) => String(r.VacuumRelation?.relation?.relname ?? '').toLowerCase()).filter(Boolean);
        const what = tables.length ? tables.map((t: string) => `"${t}"`).join(', ') : 'every table in the database';
        ctx.report({
          message: `VACUUM FULL rewrites ${what} under an ACCESS EXCLUSIVE lock: every read and write waits for the whole rewrite, and it needs disk space for a full copy.`,
          help: 'Remove it: autovacuum or plain VACUUM reclaims space without blocking; use pg_repack to shrink a table online.',
          span: st.span,
          data: { tables, migration: m.id },
        });
      }
    }
  },
});
