import { an, BLOCKS_WHAT, checkTimeout, lockedTable } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'require-statement-timeout',
  category: 'schema',
  severity: 'warning',
  summary: 'A migration that holds a blocking lock without statement_timeout can block the table for as long as the statement runs.',
  docs: {
    what: 'Finds migrations whose statements take a lock that blocks reads or writes on a table that existed before the migration, with no `SET statement_timeout` earlier in the migration and none configured for the tool (Alembic env.py, connection options, an earlier `ALTER ROLE … SET statement_timeout`). Reported once per migration, at its first such statement.',
    why: 'Once granted, the lock is held until the statement (and its transaction) ends: a table rewrite, an index build or a full-table validation on a large table blocks the application for minutes. statement_timeout bounds the outage; the statement that needs longer is the one to rewrite in a non-blocking form.',
    instead: "Start the migration with `SET statement_timeout = '5s';` (Alembic: `op.execute(\"SET statement_timeout = '5s'\")` at the top of upgrade(), or in env.py), and move long work to non-blocking forms (CONCURRENTLY, NOT VALID + VALIDATE, batched backfills).",
  },
  examples: {
    bad: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/002_users_email.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
    },
    good: {
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/002_users_email.sql': "SET statement_timeout = '5s';\nCREATE INDEX users_email_idx ON users (email);\n",
    },
  },
  check(ctx) {
    checkTimeout(
      ctx,
      'statement_timeout',
      (l) =>
        `${l.what} holds ${an(l.mode)} lock on ${lockedTable(l)} with no statement_timeout: ${BLOCKS_WHAT[l.mode]} on ${lockedTable(l).replace(/^the table/, 'that table')} waits for as long as the statement runs, unbounded on a large table.`,
    );
  },
});
