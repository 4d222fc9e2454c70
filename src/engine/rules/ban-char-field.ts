import { columnsData, columnsSubject, offendingColumnsByStatement, rawTypeName } from '../facts/migration-helpers-b';
import { defineRule } from '../rule';

export default defineRule({
  id: 'ban-char-field',
  category: 'schema',
  severity: 'info',
  summary: 'char(n) pads values with spaces and is no faster than text; it is almost always a mistake.',
  docs: {
    what: 'Finds migrations that declare `char(n)` / `character(n)` columns (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE); in Alembic, `sa.CHAR(...)`. One finding per statement, naming all such columns.',
    why: 'character(n) pads every value with spaces to n characters, compares ignoring the padding but returns it to the application, and takes more space than text. PostgreSQL stores it the same way as text, so it buys no speed; code comparing values in the application sees "ab  " instead of "ab".',
    instead: 'Use `text` (with a CHECK on the length when it matters); in Alembic, `sa.Text()`.',
  },
  examples: {
    bad: { 'migrations/001_countries.sql': 'CREATE TABLE countries (code char(2) PRIMARY KEY, name text);\n' },
    good: { 'migrations/001_countries.sql': 'CREATE TABLE countries (code text PRIMARY KEY CHECK (char_length(code) = 2), name text);\n' },
  },
  check(ctx) {
    for (const g of offendingColumnsByStatement(ctx, (s) => rawTypeName(s.col.type) === 'bpchar')) {
      const many = g.hits.length > 1;
      const names = g.hits.map((h) => `"${h.site.col.column}"`).join(', ');
      ctx.report({
        message: `${columnsSubject(g)} character(n): values are padded with spaces to the full length, the application reads the padding back, and it is no faster than text.`,
        help: g.alembic ? `Use sa.Text() for ${names}.` : `Declare ${names} as text (with a CHECK on ${many ? 'their lengths' : 'its length'} if needed).`,
        span: g.span,
        data: columnsData(g),
      });
    }
  },
});
