import { createdEarlier, sqlInsertEdit, sqlTokens } from '../facts/migration-helpers';
import { defineRule } from '../rule';
import type { Fix } from '../types';

export default defineRule({
  id: 'require-concurrent-refresh',
  category: 'schema',
  severity: 'warning',
  summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view until the refresh finishes.',
  docs: {
    what: 'Finds `REFRESH MATERIALIZED VIEW` without CONCURRENTLY in migrations (SQL files and Alembic `op.execute(...)`), except for views created in the same migration and `WITH NO DATA`. pgready\'s own rule; Squawk has none.',
    why: 'A plain refresh takes an ACCESS EXCLUSIVE lock on the materialized view and re-runs its query: every SELECT from the view waits for the whole refresh. CONCURRENTLY builds the new contents alongside and swaps them in under a lock that still allows reads.',
    instead: 'Use `REFRESH MATERIALIZED VIEW CONCURRENTLY v;` — it needs a unique index on the view (`CREATE UNIQUE INDEX … ON v (…)`), and the view must already be populated.',
  },
  examples: {
    bad: { 'migrations/005_refresh.sql': 'REFRESH MATERIALIZED VIEW sales_summary;\n' },
    good: { 'migrations/005_refresh.sql': 'REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const r = st.ast?.RefreshMatViewStmt;
        if (!r || r.concurrent || r.skipData) continue;
        const view = String(r.relation?.relname ?? '').toLowerCase();
        if (!view || createdEarlier(m, st).tables.has(view)) continue;
        let fix: Fix | undefined;
        const toks = sqlTokens(st.sql);
        const at = toks.findIndex((t, i) => t.upper === 'VIEW' && toks[i - 1]?.upper === 'MATERIALIZED');
        const text = ctx.text(st.span.file);
        if (at >= 0 && text) {
          const edit = sqlInsertEdit(text, st, toks[at].end, ' CONCURRENTLY');
          if (edit) fix = { title: 'Refresh concurrently', edits: [edit] };
        }
        ctx.report({
          message: `REFRESH MATERIALIZED VIEW "${view}" takes an ACCESS EXCLUSIVE lock on it: every read of "${view}" waits until the view's query has run to the end.`,
          help: `Use REFRESH MATERIALIZED VIEW CONCURRENTLY ${view} (it needs a unique index on the view)${st.op ? ' in the op.execute(...) string' : ''}.`,
          span: st.span,
          fix,
          data: { view, migration: m.id },
        });
      }
    }
  },
});
