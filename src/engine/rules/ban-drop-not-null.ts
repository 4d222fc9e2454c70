import { alterCommands, dialectHelp, isNewColumn } from '../facts/migration-helpers';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-drop-not-null',
  // Data Integrity: the guarantee that every row has a value is removed, and hard to restore.
  category: 'integrity',
  severity: 'warning',
  summary: 'Dropping NOT NULL lets NULLs into a column that code may assume always has a value.',
  docs: {
    what: 'Finds `ALTER TABLE … ALTER COLUMN … DROP NOT NULL` (Alembic: `op.alter_column(..., nullable=True)`) on a column that existed before the migration.',
    why: 'Code written against the column (and other services reading the table) may assume it always holds a value; once NULLs arrive, those paths fail at runtime. Putting the constraint back later requires proving no NULL is left: a full-table scan under an ACCESS EXCLUSIVE lock, or the CHECK NOT VALID dance. The statement itself also takes an ACCESS EXCLUSIVE lock on the table.',
    instead: 'Keep the constraint unless every reader handles NULL. If the column is being retired, stop writing it, then drop it in a later release.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
      'migrations/V2__nullable.sql': 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
      'migrations/V2__nickname.sql': 'ALTER TABLE users ADD COLUMN nickname text;\n',
    },
  },
  check(ctx) {
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations)) {
      if (cmd.subtype !== 'AT_DropNotNull') continue;
      const column = String(cmd.name ?? '').toLowerCase();
      if (isNewColumn(m, st, table, column)) continue;
      ctx.report({
        message: `Dropping NOT NULL on "${table}"."${column}" lets NULLs in where code may assume a value; restoring it later needs a full scan of "${table}" under an ACCESS EXCLUSIVE lock.`,
        help: dialectHelp(m, st, {
          sql: `Keep NOT NULL on "${column}" unless every reader handles NULL; to retire the column, stop writing it and drop it in a later release.`,
          alembic: `Keep nullable=False on "${column}" unless every reader handles None; to retire the column, stop writing it and op.drop_column(...) in a later revision.`,
          django: 'Keep null=False unless every reader handles None; to retire the field, stop writing it and remove it in a later release.',
        }),
        span: st.span,
        data: { table, column, migration: m.id },
      });
    }
  },
});
