import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-truncate-cascade',
  category: 'integrity',
  severity: 'warning',
  summary: 'TRUNCATE … CASCADE also empties every table that references the truncated one, recursively.',
  docs: {
    what: 'Finds `TRUNCATE … CASCADE` in migrations (SQL files and Alembic `op.execute(...)`).',
    why: 'CASCADE truncates every table with a foreign key to the named tables, and the tables referencing those, without listing them: with `orders <- order_items <- shipments`, truncating orders empties all three. It also takes an ACCESS EXCLUSIVE lock on each of them, blocking every read and write.',
    instead: 'Name exactly the tables to empty (`TRUNCATE orders, order_items;`) without CASCADE, so a forgotten reference fails instead of deleting data.',
  },
  examples: {
    bad: { 'migrations/003_reset.sql': 'TRUNCATE orders CASCADE;\n' },
    good: { 'migrations/003_reset.sql': 'TRUNCATE orders, order_items;\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const t = st.ast?.TruncateStmt;
        if (!t || t.behavior !== 'DROP_CASCADE') continue;
        const tables = (t.relations ?? []).map((r: any) => String(r.RangeVar?.relname ?? '').toLowerCase()).filter(Boolean);
        const list = tables.map((x: string) => `"${x}"`).join(', ');
        ctx.report({
          message: `TRUNCATE ${list} CASCADE also empties every table that references ${tables.length > 1 ? 'them' : 'it'} through a foreign key, recursively, under an ACCESS EXCLUSIVE lock on each.`,
          help: `Name the tables to empty explicitly and drop CASCADE: TRUNCATE ${tables.join(', ')}, <referencing tables>;`,
          span: st.span,
          data: { tables, migration: m.id },
        });
      }
    }
  },
});
