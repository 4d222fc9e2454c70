import { dialectHelp, isNewTable, pyStr, relName } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'renaming-table',
  category: 'schema',
  severity: 'warning',
  summary: 'Renaming a table breaks every running instance of the application that still uses the old name.',
  docs: {
    what: 'Finds `ALTER TABLE … RENAME TO …` (Alembic: `op.rename_table(...)`) on a table that existed before the migration.',
    why: 'The rename is instant, but during a deploy the old version of the application keeps running and every query naming the old table fails ("relation does not exist") until the new version is everywhere. The rename also needs an ACCESS EXCLUSIVE lock: it waits behind long queries and blocks every read and write queued after it.',
    instead: 'Keep the table name and rename only in code (SQLAlchemy `__tablename__`, Django `db_table`), or rename and create a view with the old name (`CREATE VIEW old_name AS SELECT * FROM new_name`, updatable for simple tables) until no running code uses the old name, then drop the view.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE customer (id bigint PRIMARY KEY);\n',
      'migrations/V2__rename.sql': 'ALTER TABLE customer RENAME TO customers;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE customer (id bigint PRIMARY KEY);\nALTER TABLE customer RENAME TO customers;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const r = st.ast?.RenameStmt;
        if (!r || r.renameType !== 'OBJECT_TABLE') continue;
        const table = relName(r.relation);
        const to = String(r.newname ?? '');
        if (!table || isNewTable(m, st, table)) continue;
        const view = `CREATE VIEW ${table} AS SELECT * FROM ${to}`;
        ctx.report({
          message: `Renaming table "${table}" to "${to}" breaks every running instance of the application that still queries "${table}" until all of them are redeployed; the rename also takes an ACCESS EXCLUSIVE lock on "${table}".`,
          help: dialectHelp(m, st, {
            sql: `Keep the name and rename only in code, or follow the rename with ${view}; until no running code uses "${table}".`,
            alembic: `Keep the table name and change only the model class, or follow op.rename_table(...) with op.execute(${pyStr(view)}) until no running code uses "${table}".`,
            django: `Keep the table with Meta.db_table = ${pyStr(table)}, or add migrations.RunSQL(${pyStr(view)}) until no running code uses "${table}".`,
          }),
          span: st.span,
          data: { table, newName: to, migration: m.id },
        });
      }
    }
  },
});
