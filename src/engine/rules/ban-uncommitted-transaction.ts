import { isBegin, isEnd } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-uncommitted-transaction',
  category: 'schema',
  severity: 'warning',
  summary: 'A BEGIN without COMMIT leaves the migration\'s transaction open: its locks stay held, or its changes roll back.',
  docs: {
    what: 'Finds SQL migrations (and `op.execute("BEGIN")` in Alembic) that open a transaction with BEGIN and never COMMIT or ROLLBACK it before the end of the migration.',
    why: 'What happens next depends on the runner: psql ends the session and rolls everything back silently; a tool that keeps the connection leaves the transaction open, holding every lock the migration took (often ACCESS EXCLUSIVE) until the connection closes, and the following migrations run inside it.',
    instead: 'Add COMMIT at the end, or remove BEGIN and let the migration tool manage the transaction.',
  },
  examples: {
    bad: { 'db/migrations/001_users.sql': '-- migrate:up transaction:false\nBEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY);\n' },
    good: { 'db/migrations/001_users.sql': '-- migrate:up transaction:false\nBEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY);\nCOMMIT;\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      let openAt: (typeof m.upgrade)[number] | undefined;
      for (const st of m.upgrade) {
        if (isBegin(st)) openAt ??= st;
        else if (isEnd(st)) openAt = undefined;
      }
      if (!openAt) continue;
      ctx.report({
        message: 'This BEGIN is never committed or rolled back in the migration: depending on the runner its changes roll back silently, or its locks stay held until the connection closes.',
        help: openAt.op ? 'Remove the op.execute("BEGIN"); Alembic manages the transaction.' : 'Add COMMIT; at the end of the migration (or remove the BEGIN).',
        span: openAt.span,
        data: { migration: m.id },
      });
    }
  },
});
