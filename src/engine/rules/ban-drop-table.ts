import { createdEarlier, dialectHelp, pyStr } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-drop-table',
  // Data Integrity rather than Schema Design: the table's rows are destroyed, irreversibly.
  category: 'integrity',
  severity: 'warning',
  summary: 'Dropping a table destroys its data and breaks running code that still queries it.',
  docs: {
    what: 'Finds `DROP TABLE` (Alembic: `op.drop_table(...)`) of a table that existed before the migration.',
    why: 'Every row is gone for good: the downgrade can recreate the table, not its data. During a deploy the old version of the application keeps running and its queries fail ("relation does not exist") until the new version is everywhere. The drop takes an ACCESS EXCLUSIVE lock on the table (and on tables whose foreign keys reference it).',
    instead: 'Stop using the table in code and deploy first; back it up (or rename it to an archive name) and drop it in a later migration once nothing reads it.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE audit_log (id bigint PRIMARY KEY, entry text);\n',
      'migrations/V2__drop.sql': 'DROP TABLE audit_log;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE scratch (id bigint PRIMARY KEY);\nDROP TABLE scratch;\n',
    },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const d = st.ast?.DropStmt;
        if (!d || d.removeType !== 'OBJECT_TABLE') continue;
        const created = createdEarlier(m, st).tables;
        const tables: string[] = (d.objects ?? [])
          .map((o: any) => {
            const items = o?.List?.items ?? [];
            return String(items[items.length - 1]?.String?.sval ?? '').toLowerCase();
          })
          .filter((t: string) => t && !created.has(t));
        if (!tables.length) continue;
        const what = tables.map((t) => `"${t}"`).join(', ');
        ctx.report({
          message: `Dropping ${what} destroys ${tables.length > 1 ? 'their' : 'its'} data for good and breaks every running instance of the application that still queries ${tables.length > 1 ? 'them' : 'it'}; the drop takes an ACCESS EXCLUSIVE lock.`,
          help: dialectHelp(m, st, {
            sql: `Remove every use of ${what} from the code and deploy first; back the data up (or rename the table to an archive name) and drop it in a later migration.`,
            alembic: `Remove the model for ${what} and deploy first; back the data up and run op.drop_table(${pyStr(tables[0])}) in a later revision.`,
            django: 'Remove the model and deploy first; back the data up and delete the table in a later migration.',
          }),
          span: st.span,
          data: { tables, migration: m.id },
        });
      }
    }
  },
});
