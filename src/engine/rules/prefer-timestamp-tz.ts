import { columnsData, columnsSubject, offendingColumnsByStatement, rawTypeName } from '../facts/migration-helpers-b';
import { atModel, modelFieldOf, prismaHelp } from '../facts/dialect-help';
import { defineRule } from '../rule';

export default defineRule({
  id: 'prefer-timestamp-tz',
  category: 'schema',
  severity: 'info',
  summary: 'timestamp without time zone drops the UTC offset: the same instant written from two zones stores two values.',
  docs: {
    what: 'Finds migrations that declare `timestamp` (without time zone) columns in CREATE TABLE, ADD COLUMN or ALTER COLUMN TYPE; in Alembic, `sa.DateTime()` without `timezone=True`. One finding per statement, naming all such columns.',
    why: '`timestamp` stores the wall-clock text and throws the offset away: 21:11+02 and 21:11-06 are stored as the same value although they are eight hours apart, and the meaning of every row depends on the TimeZone setting of the session that wrote it. Converting later is ALTER COLUMN TYPE timestamptz, which rewrites the table under an ACCESS EXCLUSIVE lock.',
    instead: 'Use `timestamptz` (`timestamp with time zone`); in SQLAlchemy, `sa.DateTime(timezone=True)`; in Prisma, `DateTime @db.Timestamptz(3)` in schema.prisma (the finding is then on the model field, the generated migration.sql line a related location).',
  },
  examples: {
    bad: { 'migrations/001_events.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamp NOT NULL);\n' },
    good: { 'migrations/001_events.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);\n' },
  },
  check(ctx) {
    for (const g of offendingColumnsByStatement(ctx, (s) => rawTypeName(s.col.type) === 'timestamp')) {
      const many = g.hits.length > 1;
      const names = g.hits.map((h) => `"${h.site.col.column}"`).join(', ');
      // Prisma generates the migration from schema.prisma (DateTime is timestamp(3)): the fix goes there.
      // Django never generates timestamp without time zone (DateTimeField is timestamptz on PostgreSQL).
      const moved = atModel(g.hits.map((h) => modelFieldOf(ctx.facts, g.m, g.table, h.site.col.column, /^timestamp(\(\d+\))? without time zone$/)), { span: g.span, id: g.m.id });
      ctx.report({
        message: `${columnsSubject(g)} timestamp without time zone: ${many ? 'they store' : 'it stores'} wall-clock time and drop${many ? '' : 's'} the offset, so values written from different time zones (or sessions) are not comparable.`,
        help: moved?.found[0].kind === 'prisma' ? prismaHelp.timestamptz(moved.found) : g.alembic ? `Use sa.DateTime(timezone=True) for ${names}.` : `Declare ${names} as timestamptz.`,
        span: moved?.found[0].kind === 'prisma' ? moved.span : g.span,
        related: moved?.found[0].kind === 'prisma' ? moved.related : undefined,
        data: columnsData(g),
      });
    }
  },
});
