import { atModel, DJANGO_FIXED_LENGTH_FIELDS, djangoTextFieldHelp, modelFieldOf, prismaHelp } from '../facts/dialect-help';
import { columnsData, columnSites, columnsSubject, columnSource, offendingColumnsByStatement, rawTypeName, type ColumnSite } from '../facts/migration-helpers-b';
import { defineRule, type RuleContext } from '../rule';

const VARCHAR = /^character varying\(/;

/**
 * The Django field class a column was declared with: on the model when found there, else in the migration
 * (the `("name", models.X(...))` tuple of a CreateModel, or the whole AddField/AlterField operation).
 */
function djangoFieldSource(ctx: RuleContext, s: ColumnSite): string | undefined {
  const f = modelFieldOf(ctx.facts, s.m, s.col.table, s.col.column, VARCHAR);
  if (f) return ctx.text(f.span.file)?.slice(f.span.start, f.span.end);
  return columnSource(ctx, s.st, s.span) ?? (s.st.op ? ctx.text(s.st.span.file)?.slice(s.st.span.start, s.st.span.end) : undefined);
}

export default defineRule({
  id: 'prefer-text-field',
  category: 'schema',
  severity: 'info',
  summary: 'varchar(n) puts a business rule in the type: changing n later takes an ACCESS EXCLUSIVE lock (and rewrites when shrinking).',
  docs: {
    what: 'Finds migrations that declare `varchar(n)` / `character varying(n)` columns (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE); in Alembic, `sa.String(n)`. One finding per statement, naming all such columns. Django fields that are varchar(n) by design (SlugField, URLField, EmailField, FileField…: their max_length goes with a validator) are left alone; only a plain CharField is reported. An ALTER COLUMN TYPE that resizes a column created as varchar(n) is not reported again. For migrations generated from a model (Prisma, Django) the finding is on the model field, with the migration line as a related location.',
    why: 'In PostgreSQL, text and varchar are stored identically; the length is only a constraint. When the limit must change, ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock on the table (blocking every read and write), and shrinking it scans or rewrites the whole table. A CHECK constraint can be replaced with NOT VALID + VALIDATE without blocking.',
    instead: 'Use `text` with `CHECK (char_length(col) <= n)` when the limit matters; in Alembic, `sa.Text()` plus `sa.CheckConstraint(...)`; in Django, `TextField` plus a `CheckConstraint` on `Length`; in Prisma, a plain `String` (text) without `@db.VarChar(n)`. Plain `varchar` without a length is fine.',
  },
  examples: {
    bad: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100));\n' },
    good: { 'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text CHECK (char_length(name) <= 100));\n' },
  },
  check(ctx) {
    const isLimited = (s: ColumnSite) => rawTypeName(s.col.type) === 'varchar' && !!s.col.type.typmods?.length;
    // Columns introduced as varchar(n): a later ALTER … TYPE varchar(m) on one is a resize of a limit already
    // reported where the column was created (or left alone there on purpose), not a new decision.
    const introduced = new Set(columnSites(ctx).filter((s) => s.col.how !== 'alter-type' && isLimited(s)).map((s) => `${s.col.table}.${s.col.column}`));
    const groups = offendingColumnsByStatement(ctx, (s) => {
      if (!isLimited(s)) return undefined;
      if (s.col.how === 'alter-type' && introduced.has(`${s.col.table}.${s.col.column}`)) return undefined;
      // SlugField, URLField, EmailField… are varchar(n) by design, with a validator to match: not a limit to drop.
      if (s.m.tool === 'django' && DJANGO_FIXED_LENGTH_FIELDS.test(djangoFieldSource(ctx, s) ?? '')) return undefined;
      return { n: s.col.type.typmods[0]?.A_Const?.ival?.ival ?? 'n' };
    });
    for (const g of groups) {
      const many = g.hits.length > 1;
      const types = g.hits.map((h) => `varchar(${h.info.n})`);
      const checks = g.hits.map((h) => `char_length(${h.site.col.column}) <= ${h.info.n}`);
      // Prisma and Django generate their migrations: the limit is changed on the model, so the finding goes there.
      const moved = atModel(g.hits.map((h) => modelFieldOf(ctx.facts, g.m, g.table, h.site.col.column, VARCHAR)), { span: g.span, id: g.m.id });
      const django = g.m.tool === 'django';
      ctx.report({
        message: `${columnsSubject(g)} ${many ? `${types.join(', ')}: changing those limits` : `${types[0]}: changing that limit`} later takes an ACCESS EXCLUSIVE lock on "${g.table}" (every read and write waits), and shrinking ${many ? 'one' : 'it'} rewrites the table.`,
        help: moved?.found[0].kind === 'prisma'
          ? prismaHelp.text(moved.found)
          : django
            ? djangoTextFieldHelp(moved?.found[0].model, g.hits.map((h, i) => ({ field: moved?.fields[i]?.field ?? h.site.col.column, n: h.info.n })))
            : g.alembic
          ? `Use sa.Text() with ${checks.map((c) => `sa.CheckConstraint("${c}")`).join(', ')} if the limit${many ? 's matter' : ' matters'}.`
          : `Use text with ${checks.map((c) => `CHECK (${c})`).join(', ')} if the limit${many ? 's matter' : ' matters'}.`,
        span: moved?.span ?? g.span,
        related: moved?.related,
        data: columnsData(g),
      });
    }
  },
});
