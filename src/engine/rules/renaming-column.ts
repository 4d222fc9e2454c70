import { dialectHelp, isNewColumn, pyStr, relName } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'renaming-column',
  category: 'schema',
  severity: 'warning',
  summary: 'Renaming a column breaks every running instance of the application that still uses the old name.',
  docs: {
    what: 'Finds `ALTER TABLE … RENAME COLUMN …` (Alembic: `op.alter_column(..., new_column_name=...)`) on a column that existed before the migration.',
    why: 'The rename is instant, but application code is not: during a deploy the old version keeps running and every query naming the old column fails ("column does not exist") until the new version is everywhere — and a rollback of the code breaks again. The rename also needs an ACCESS EXCLUSIVE lock on the table: it waits behind long queries and blocks every read and write queued after it.',
    instead: 'Expand and contract: add the new column, write to both, backfill, switch reads to the new column, and drop the old one in a later release. Or keep the name in the database and rename only in code (SQLAlchemy `Column("old_name", …)` under a new attribute name, Django `db_column`).',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, mail text);\n',
      'migrations/V2__rename.sql': 'ALTER TABLE users RENAME COLUMN mail TO email;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, mail text);\n',
      'migrations/V2__email.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const r = st.ast?.RenameStmt;
        if (!r || r.renameType !== 'OBJECT_COLUMN' || (r.relationType && r.relationType !== 'OBJECT_TABLE')) continue;
        const table = relName(r.relation);
        const from = String(r.subname ?? '').toLowerCase();
        const to = String(r.newname ?? '');
        if (!table || isNewColumn(m, st, table, from)) continue;
        ctx.report({
          message: `Renaming "${table}"."${from}" to "${to}" breaks every running instance of the application that still uses "${from}" until all of them are redeployed; the rename also takes an ACCESS EXCLUSIVE lock on "${table}".`,
          help: dialectHelp(m, st, {
            sql: `Add "${to}" as a new column, write to both, backfill, switch reads, then drop "${from}" in a later release — or keep the database name and rename only in code.`,
            alembic: `Keep the column name and rename only the model attribute (${to} = sa.Column(${pyStr(from)}, ...)), or expand and contract: op.add_column(${pyStr(table)}, sa.Column(${pyStr(to)}, ...)), dual-write and backfill, then op.drop_column(${pyStr(table)}, ${pyStr(from)}) in a later revision.`,
            django: `Keep the database name with db_column=${pyStr(from)} on the renamed field, or add a new field, backfill it, and remove the old one in a later release.`,
          }),
          span: st.span,
          data: { table, column: from, newName: to, migration: m.id },
        });
      }
    }
  },
});
