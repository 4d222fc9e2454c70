import { an, BLOCKS_WHAT, checkTimeout, lockedTable } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'require-lock-timeout',
  category: 'schema',
  severity: 'warning',
  summary: 'A migration that takes a blocking lock without lock_timeout can queue every query on the table behind it.',
  docs: {
    what: 'Finds migrations whose statements take a lock that blocks reads or writes (ACCESS EXCLUSIVE, EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) on a table that existed before the migration, with no `SET lock_timeout` earlier in the migration and none configured for the tool (Alembic env.py, alembic.ini/flyway.conf connection options, an earlier `ALTER ROLE … SET lock_timeout`). Reported once per migration, at its first such statement. Tables created in the same migration are exempt.',
    why: 'Even a lock held for milliseconds is dangerous while it waits: the ALTER TABLE queues behind a long-running query or an idle-in-transaction session, and every new query on the table (even a SELECT) queues behind the ALTER. The application stalls for as long as the oldest transaction lives. lock_timeout makes the migration fail fast instead, so it can be retried.',
    instead: "Start the migration with `SET lock_timeout = '5s';` (Alembic: `op.execute(\"SET lock_timeout = '5s'\")` at the top of upgrade(), or once in env.py before `context.run_migrations()`), and retry on failure.",
  },
  examples: {
    bad: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'migrations/002_users_name.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
    },
    good: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'migrations/002_users_name.sql': "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;\n",
    },
  },
  check(ctx) {
    checkTimeout(
      ctx,
      'lock_timeout',
      (l) =>
        `${l.what} takes ${an(l.mode)} lock on ${lockedTable(l)} with no lock_timeout: while it waits behind a running transaction, ${BLOCKS_WHAT[l.mode]} on ${lockedTable(l).replace(/^the table/, 'that table')} queues behind it, for as long as that transaction lives.`,
    );
  },
});
