import { alterTable, isNewTable } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'require-concurrent-partition-detach',
  category: 'schema',
  severity: 'warning',
  summary: 'DETACH PARTITION without CONCURRENTLY locks the whole partitioned table (PostgreSQL 14+ can detach concurrently).',
  docs: {
    what: 'Finds `ALTER TABLE … DETACH PARTITION` without CONCURRENTLY in migrations when the project targets PostgreSQL 14 or later (setting `postgresVersion`), in SQL files and Alembic `op.execute(...)`.',
    why: 'A plain detach takes an ACCESS EXCLUSIVE lock on the parent table: every read and write to every partition waits. Since PostgreSQL 14, DETACH PARTITION … CONCURRENTLY needs only SHARE UPDATE EXCLUSIVE on the parent and blocks neither.',
    instead: 'Use `ALTER TABLE parent DETACH PARTITION child CONCURRENTLY;` outside a transaction block (Alembic: inside `with op.get_context().autocommit_block():`).',
  },
  examples: {
    bad: { 'migrations/006_detach.sql': 'ALTER TABLE measurements DETACH PARTITION measurements_2020;\n' },
    good: { 'migrations/006_detach.sql': 'ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;\n' },
  },
  check(ctx) {
    if (ctx.settings.postgresVersion < 14) return;
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const a = alterTable(st);
        if (!a || isNewTable(m, st, a.table)) continue;
        for (const c of a.cmds) {
          const p = c.def?.PartitionCmd;
          if (c.subtype !== 'AT_DetachPartition' || !p || p.concurrent) continue;
          const part = String(p.name?.relname ?? '').toLowerCase();
          ctx.report({
            message: `Detaching "${part}" takes an ACCESS EXCLUSIVE lock on "${a.table}": every read and write on every partition of "${a.table}" waits until it finishes.`,
            help: st.op
              ? `Use op.execute("ALTER TABLE ${a.table} DETACH PARTITION ${part} CONCURRENTLY") inside \`with op.get_context().autocommit_block():\`.`
              : `Use ALTER TABLE ${a.table} DETACH PARTITION ${part} CONCURRENTLY; outside a transaction block.`,
            span: st.span,
            data: { table: a.table, partition: part, migration: m.id },
          });
        }
      }
    }
  },
});
