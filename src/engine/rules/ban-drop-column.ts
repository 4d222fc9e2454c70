import { alterCommands, dialectHelp, isNewColumn, pyStr } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-drop-column',
  // Data Integrity rather than Schema Design: the column's data is destroyed, irreversibly.
  category: 'integrity',
  severity: 'warning',
  summary: 'Dropping a column destroys its data and breaks running code that still reads or writes it.',
  docs: {
    what: 'Finds `ALTER TABLE … DROP COLUMN …` (Alembic: `op.drop_column(...)`) on a column that existed before the migration.',
    why: 'The data is gone for good (the downgrade can re-add the column, not its values). During a deploy, the old version of the application keeps running: ORMs name every mapped column in SELECT and INSERT, so its queries fail ("column does not exist") until the new version is everywhere. The drop also takes an ACCESS EXCLUSIVE lock on the table, queueing every read and write behind any long query.',
    instead: 'Contract in two releases: first remove every use of the column from the code (SQLAlchemy: drop the attribute or mark it `deferred`; Django: `SeparateDatabaseAndState`), deploy, then drop the column in a later migration — after a backup if its data may be needed.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, legacy_code text);\n',
      'migrations/V2__drop.sql': 'ALTER TABLE users DROP COLUMN legacy_code;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, tmp text);\nALTER TABLE users DROP COLUMN tmp;\n',
    },
  },
  check(ctx) {
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations)) {
      if (cmd.subtype !== 'AT_DropColumn') continue;
      const column = String(cmd.name ?? '').toLowerCase();
      if (isNewColumn(m, st, table, column)) continue;
      ctx.report({
        message: `Dropping "${table}"."${column}" destroys its data and breaks every running instance of the application that still reads or writes it (ORMs select every mapped column); it also takes an ACCESS EXCLUSIVE lock on "${table}".`,
        help: dialectHelp(m, st, {
          sql: `Remove every use of "${column}" from the code and deploy first; drop the column in a later migration.`,
          alembic: `Remove the "${column}" attribute from the model and deploy first; run op.drop_column(${pyStr(table)}, ${pyStr(column)}) in a later revision.`,
          django: 'Remove the field from the model state first (SeparateDatabaseAndState) and deploy; drop the column in a later migration.',
        }),
        span: st.span,
        data: { table, column, migration: m.id },
      });
    }
  },
});
