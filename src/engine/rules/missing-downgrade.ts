import type { Migration } from '../facts/migrations';
import { djangoHelp } from '../facts/dialect-help';
import { defineRule } from '../rule';

const DML = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

/** True when the upgrade changes the schema (DDL, or an op we could not translate); data-only steps do not count. */
function changesSchema(m: Migration): boolean {
  return m.upgrade.some((st) => (st.ast ? !DML.has(Object.keys(st.ast)[0]) : !!st.op && !/\.execute$/.test(st.op)));
}

export default defineRule({
  id: 'missing-downgrade',
  category: 'backup',
  severity: 'warning',
  summary: 'An Alembic migration changes the schema but its downgrade() does nothing, or a Django migration runs RunPython/RunSQL without a reverse, so it cannot be rolled back.',
  docs: {
    what: 'Finds Alembic revisions whose upgrade() creates, alters or drops schema objects while downgrade() is empty (`pass`, a docstring) or missing, and Django migrations with a RunPython without `reverse_code` or a RunSQL without `reverse_sql` (Django reverses its other operations itself). When every migration is reversible, reports that as a strength.',
    why: 'When a deploy goes wrong, `alembic downgrade -1` (`manage.py migrate <app> <previous>`) is the fast way back. Django refuses to go back past an irreversible migration (IrreversibleError), which blocks rolling back every earlier migration of the app too. An empty downgrade silently "succeeds" and leaves the new tables and columns in place, so the previous release runs against a schema it does not expect, and the recovery turns into hand-written SQL under pressure.',
    instead: 'Write the reverse operations in downgrade() (drop what upgrade created, re-create what it dropped). If a step truly cannot be reversed, raise an error in downgrade() saying so, so nobody relies on it. In Django, pass `reverse_code=` to RunPython and `reverse_sql=` to RunSQL (`migrations.RunPython.noop` / `migrations.RunSQL.noop` when nothing needs undoing).',
  },
  examples: {
    bad: {
      'alembic/versions/a1_invoices.py':
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    pass\n',
    },
    good: {
      'alembic/versions/a1_invoices.py':
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("invoices")\n',
    },
  },
  check(ctx) {
    const alembic = ctx.facts.migrations.filter((m) => m.tool === 'alembic');
    const django = ctx.facts.migrations.filter((m) => m.tool === 'django');
    let reversible = 0;
    for (const m of alembic) {
      if (m.downgrade && !m.downgrade.empty) {
        reversible++;
        continue;
      }
      if (!changesSchema(m)) continue;
      const ops = [...new Set(m.upgrade.map((st) => st.op).filter((o): o is string => !!o))].slice(0, 3).join(', ');
      ctx.report({
        message: m.downgrade
          ? `Revision ${m.id} changes the schema (${ops}) but its downgrade() is empty: rolling back leaves the changes in place and the previous release runs against the wrong schema.`
          : `Revision ${m.id} changes the schema (${ops}) but has no downgrade(): it cannot be rolled back.`,
        help: 'Write the reverse operations in downgrade() (op.drop_table / op.drop_column / op.drop_index for what upgrade() creates), or raise NotImplementedError if it is irreversible on purpose.',
        span: m.downgrade?.span ?? m.span,
        data: { revision: m.id },
      });
    }
    // Django reverses schema operations itself; `downgrade.empty` marks a RunPython/RunSQL without a reverse
    // (its span is that operation), which makes the migration irreversible whatever else it does.
    for (const m of django) {
      if (!m.downgrade?.empty) {
        reversible++;
        continue;
      }
      ctx.report({
        message: `Migration ${m.id} has a RunPython/RunSQL without a reverse: Django cannot migrate back past it (IrreversibleError), so neither it nor any earlier migration of the app can be rolled back.`,
        help: djangoHelp.downgrade,
        span: m.downgrade.span,
        data: { revision: m.id },
      });
    }
    const all = alembic.length + django.length;
    if (all && reversible === all) {
      const how = !django.length ? '`alembic downgrade`' : !alembic.length ? '`manage.py migrate <app> <previous migration>`' : '`alembic downgrade` / `manage.py migrate <app> <previous migration>`';
      const tool = !django.length ? 'Alembic ' : !alembic.length ? 'Django ' : '';
      ctx.report({
        message: django.length
          ? `All ${all} ${tool}migration${all === 1 ? ' is' : 's are'} reversible, so a bad deploy can be rolled back with ${how}.`
          : `All ${all} Alembic migration${all === 1 ? ' has a' : 's have a'} downgrade, so a bad deploy can be rolled back with ${how}.`,
        help: django.length ? 'Keep every migration reversible (downgrade() in Alembic, reverse_code= / reverse_sql= on RunPython / RunSQL in Django).' : 'Keep writing downgrade() for every revision.',
        strength: true,
        key: 'all-migrations-reversible',
      });
    }
  },
});
