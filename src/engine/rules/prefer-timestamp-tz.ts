import { columnsData, columnsSubject, offendingColumnsByStatement, rawTypeName } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'prefer-timestamp-tz',
  category: 'schema',
  severity: 'info',
  summary: 'timestamp without time zone drops the UTC offset: the same instant written from two zones stores two values.',
  docs: {
    what: 'Finds migrations that declare `timestamp` (without time zone) columns in CREATE TABLE, ADD COLUMN or ALTER COLUMN TYPE; in Alembic, `sa.DateTime()` without `timezone=True`. One finding per statement, naming all such columns.',
    why: '`timestamp` stores the wall-clock text and throws the offset away: 21:11+02 and 21:11-06 are stored as the same value although they are eight hours apart, and the meaning of every row depends on the TimeZone setting of the session that wrote it. Converting later is ALTER COLUMN TYPE timestamptz, which rewrites the table under an ACCESS EXCLUSIVE lock.',
    instead: 'Use `timestamptz` (`timestamp with time zone`); in SQLAlchemy, `sa.DateTime(timezone=True)`.',
  },
  examples: {
    bad: { 'migrations/001_events.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamp NOT NULL);\n' },
    good: { 'migrations/001_events.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);\n' },
  },
  check(ctx) {
    for (const g of offendingColumnsByStatement(ctx, (s) => rawTypeName(s.col.type) === 'timestamp')) {
      const many = g.hits.length > 1;
      const names = g.hits.map((h) => `"${h.site.col.column}"`).join(', ');
      ctx.report({
        message: `${columnsSubject(g)} timestamp without time zone: ${many ? 'they store' : 'it stores'} wall-clock time and drop${many ? '' : 's'} the offset, so values written from different time zones (or sessions) are not comparable.`,
        help: g.alembic ? `Use sa.DateTime(timezone=True) for ${names}.` : `Declare ${names} as timestamptz.`,
        span: g.span,
        data: columnsData(g),
      });
    }
  },
});
