import { alterTable, relName } from '../facts/migration-helpers';
import type { MigrationStatement } from '../facts/migrations';
import { findColumn } from '../facts/schema';
import { defineRule } from '../rule';
import type { Span } from '../types';

interface Removal {
  st: MigrationStatement;
  table: string;
  column?: string;
  /** The new name for renames. */
  renamedTo?: string;
  migration: string;
}

export default defineRule({
  id: 'dropped-column-still-referenced',
  category: 'schema',
  severity: 'error',
  summary: 'A migration drops or renames a column or table that application code still uses: those queries fail after the deploy.',
  docs: {
    what: 'Finds columns and tables that a migration drops or renames (and no later migration brings back) while the application still references the old name: an ORM model that still maps the column or table, a query that filters or sorts by it, a raw SQL query that reads the table. Each reference is listed with its file and line. pgready\'s own rule: only a tool that reads both the migrations and the code can check it.',
    why: 'The ORM selects every mapped column, so a model that still declares a dropped column makes every query on that model fail with "column … does not exist" the moment the migration runs — and during a rolling deploy the old code runs against the new schema even when the new code is fixed.',
    instead: 'Remove the code references first and deploy that (SQLAlchemy: delete the attribute or mark it `deferred`; Django: `SeparateDatabaseAndState`), then drop the column in a later release. For renames, add the new column, write both, backfill, switch reads, then drop the old one.',
  },
  examples: {
    bad: {
      'alembic/versions/a1_users.py':
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("users", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("nickname", sa.Text()))\n\n\ndef downgrade():\n    op.drop_table("users")\n',
      'alembic/versions/b2_drop.py':
        'from alembic import op\n\nrevision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.drop_column("users", "nickname")\n\n\ndef downgrade():\n    pass\n',
      'app/models.py':
        'from sqlalchemy import BigInteger, Column, Text\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = "users"\n    id = Column(BigInteger, primary_key=True)\n    nickname = Column(Text)\n',
    },
    good: {
      'alembic/versions/a1_users.py':
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("users", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("nickname", sa.Text()))\n\n\ndef downgrade():\n    op.drop_table("users")\n',
      'alembic/versions/b2_drop.py':
        'from alembic import op\n\nrevision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.drop_column("users", "nickname")\n\n\ndef downgrade():\n    pass\n',
      'app/models.py':
        'from sqlalchemy import BigInteger, Column\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = "users"\n    id = Column(BigInteger, primary_key=True)\n',
    },
  },
  check(ctx) {
    const removals: Removal[] = [];
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const a = alterTable(st);
        for (const c of a?.cmds ?? []) if (c.subtype === 'AT_DropColumn' && c.name) removals.push({ st, table: a!.table, column: String(c.name).toLowerCase(), migration: m.id });
        const r = st.ast?.RenameStmt;
        if (r?.renameType === 'OBJECT_COLUMN' && r.subname) removals.push({ st, table: relName(r.relation), column: String(r.subname).toLowerCase(), renamedTo: r.newname, migration: m.id });
        if (r?.renameType === 'OBJECT_TABLE' && relName(r.relation)) removals.push({ st, table: relName(r.relation), renamedTo: r.newname, migration: m.id });
        const d = st.ast?.DropStmt;
        if (d?.removeType === 'OBJECT_TABLE') {
          for (const o of d.objects ?? []) {
            const items: any[] = o?.List?.items ?? [];
            const t = String(items[items.length - 1]?.String?.sval ?? '').toLowerCase();
            if (t) removals.push({ st, table: t, migration: m.id });
          }
        }
      }
    }
    if (!removals.length) return;
    const migrationFiles = new Set(ctx.facts.migrations.map((m) => m.file));
    const final = ctx.facts.migrationSchema;
    const seen = new Set<string>();
    for (const r of removals) {
      const finalTable = final.tables.get(r.table);
      if (r.column ? finalTable && findColumn(finalTable, r.column) && finalTable.columns.some((c) => c.name === r.column) : finalTable) continue; // brought back later
      const key = `${r.table}.${r.column ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const refs: { span: Span; message: string }[] = [];
      const model = ctx.facts.modelSchema.tables.get(r.table);
      if (model) {
        if (r.column) {
          const c = model.columns.find((x) => x.name === r.column);
          if (c) refs.push({ span: c.span ?? model.span!, message: `model ${model.model ?? r.table} still maps "${r.column}"` });
        } else if (model.span) refs.push({ span: model.span, message: `model ${model.model ?? r.table} still maps table "${r.table}"` });
      }
      for (const q of ctx.facts.queries) {
        if (migrationFiles.has(q.span.file)) continue;
        if (r.column) {
          for (const c of [...q.predicates, ...q.orderBy]) {
            if (c.table === r.table && c.column.toLowerCase() === r.column) refs.push({ span: c.span, message: `query uses ${r.table}.${r.column}` });
          }
        } else if (q.tables.includes(r.table) && !q.models.length) refs.push({ span: q.span, message: `query reads "${r.table}"` });
      }
      const real = refs.filter((x) => x.span);
      if (!real.length) continue;
      const what = r.column ? `column "${r.table}"."${r.column}"` : `table "${r.table}"`;
      const verb = r.renamedTo ? `renames ${what} to "${r.renamedTo}"` : `drops ${what}`;
      const first = real[0].span;
      ctx.report({
        message: `This migration ${verb}, but application code still uses it (${first.file}:${first.line}${real.length > 1 ? ` and ${real.length - 1} more` : ''}): those queries fail with "${r.column ? 'column' : 'relation'} … does not exist" as soon as it runs, including old code still serving during the deploy.`,
        help: r.renamedTo
          ? `Update the code first, or rename in steps: add "${r.renamedTo}", write both, backfill, switch reads, then drop the old name in a later release.`
          : `Remove the references first (the model attribute, the queries) and deploy that; drop the ${r.column ? 'column' : 'table'} in a later release.`,
        span: r.st.span,
        related: real.slice(0, 10),
        data: { table: r.table, column: r.column, renamedTo: r.renamedTo, migration: r.migration },
      });
    }
  },
});
