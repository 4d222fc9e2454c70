import type { UniquenessAssumption } from '../facts/queries';
import { findColumn, hasUniqueOver } from '../facts/schema';
import { djangoField, djangoHelp, isDjango } from '../facts/dialect-help';
import { defineRule } from '../rule';
import { uniqueHelp } from '../sources/typescript/help';

// Code that relies on a set of columns identifying one row (look up, then insert if absent; or expect
// exactly one match) while the schema lets duplicates in. The check and the insert are two statements, so
// concurrent requests both pass the check; only a unique constraint makes the database refuse the second.

export default defineRule({
  id: 'missing-unique-constraint',
  category: 'integrity',
  severity: 'error',
  summary: 'Code checks for an existing row (or expects exactly one) by columns that have no unique constraint, so concurrent requests create duplicates.',
  docs: {
    what: 'Finds lookups by equality on a model\'s columns that are followed, in the same function, by an insert of the same values when nothing was found (check-then-insert), and lookups ending in `.one()`, `.scalar_one()`, `.one_or_none()` or `.scalar_one_or_none()`; then reports them when no unique index, unique constraint or primary key (from models or migrations) covers those columns.',
    why: 'The SELECT and the INSERT are separate statements: two requests arriving together (a double-clicked sign-up, a retried webhook) both see "no row" and both insert, under any isolation level short of SERIALIZABLE. The duplicates then break the code that assumed uniqueness: `.scalar_one_or_none()` raises MultipleResultsFound and the endpoint fails with a 500 for that user from then on, and logins or lookups pick an arbitrary row.',
    instead: 'Let the database enforce it: `unique=True` on the model column plus a migration with `op.create_unique_constraint("uq_<table>_<cols>", "<table>", [...])` (deduplicate existing rows first), then catch `IntegrityError` on insert and answer 409; or insert with `INSERT … ON CONFLICT (…) DO NOTHING` (`sqlalchemy.dialects.postgresql.insert(...).on_conflict_do_nothing()`). In Django, `unique=True` or `models.UniqueConstraint(fields=[...])` in Meta.constraints; `get_or_create()` then recovers from the race by itself.',
  },
  examples: {
    bad: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass User(Base):\n    __tablename__ = "users"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    username: Mapped[str] = mapped_column(String(50))\n',
      'app/auth.py':
        'from sqlalchemy import select\n\nfrom app.models import User\n\n\nasync def signup(session, username: str):\n    existing = await session.scalar(select(User).where(User.username == username))\n    if existing is not None:\n        raise ValueError("taken")\n    session.add(User(username=username))\n    await session.commit()\n',
    },
    good: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass User(Base):\n    __tablename__ = "users"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    username: Mapped[str] = mapped_column(String(50), unique=True)\n',
      'app/auth.py':
        'from sqlalchemy import select\n\nfrom app.models import User\n\n\nasync def signup(session, username: str):\n    existing = await session.scalar(select(User).where(User.username == username))\n    if existing is not None:\n        raise ValueError("taken")\n    session.add(User(username=username))\n    await session.commit()\n',
    },
  },
  check(ctx) {
    const alembic = ctx.facts.migrations.some((m) => m.tool === 'alembic');
    // UniquenessAssumption has no orm: get_or_create is Django's; otherwise judge by the project's migrations.
    const django = (u: UniquenessAssumption) => u.kind === 'get-or-create' || isDjango(ctx.facts, u.code.includes('.objects.') ? 'django' : undefined);
    // One finding per table + column set; a check-then-insert explains the race better than an expects-one.
    const byKey = new Map<string, UniquenessAssumption>();
    for (const u of ctx.facts.uniquenessAssumptions) {
      const table = u.table ? ctx.facts.schema.tables.get(u.table) : undefined;
      if (!table || !u.columns.length) continue;
      const cols = u.columns.map((c) => findColumn(table, c)?.name);
      if (cols.some((c) => !c)) continue;
      const names = cols as string[];
      if (hasUniqueOver(table, names)) continue;
      const key = `${table.name}(${[...names].sort().join(',')})`;
      const prev = byKey.get(key);
      if (!prev || (prev.kind !== 'check-then-insert' && u.kind === 'check-then-insert')) byKey.set(key, { ...u, columns: names });
    }
    for (const [key, u] of byKey) {
      const table = ctx.facts.schema.tables.get(u.table!)!;
      const cols = u.columns;
      const colText = cols.length === 1 ? `"${table.name}"."${cols[0]}"` : `"${table.name}" (${cols.join(', ')})`;
      const what = cols.join(' and ').replace(/_/g, ' ');
      const fn = u.functionName?.split('.').pop();
      const callers = fn ? `${fn.replace(/_/g, ' ')} requests` : 'requests';
      const dj = django(u);
      const message =
        u.kind === 'get-or-create'
          ? `${fn ? `${fn}() calls` : 'The code calls'} get_or_create() on "${table.name}" by ${what}, but ${colText} has no unique constraint: two concurrent ${callers} with the same ${what} both find no row and both create one, and from then on get_or_create() and get() raise MultipleObjectsReturned.`
          : u.kind === 'check-then-insert'
          ? `${fn ? `${fn}() checks` : 'The code checks'} that no "${table.name}" row has this ${what}, then inserts one, but ${colText} has no unique constraint: two concurrent ${callers} with the same ${what} both pass the check and insert duplicates.`
          : `This lookup expects at most one "${table.name}" row per ${what}, but ${colText} has no unique constraint: once concurrent writes create duplicates, the call raises ${dj ? 'MultipleObjectsReturned' : 'MultipleResultsFound'} and the request fails.`;
      const name = `uq_${table.name}_${cols.join('_')}`;
      const column = cols.length === 1 ? findColumn(table, cols[0]) : undefined;
      const model = table.model && column ? `add unique=True to ${table.model}.${column.attribute ?? column.name}` : undefined;
      const ddl = alembic
        ? `op.create_unique_constraint("${name}", "${table.name}", [${cols.map((c) => `"${c}"`).join(', ')}])`
        : `ALTER TABLE ${table.name} ADD CONSTRAINT ${name} UNIQUE (${cols.join(', ')});`;
      const help = dj
        ? djangoHelp.unique(table.model, cols.map((c) => djangoField(table, c)), u.kind === 'get-or-create')
        : (alembic ? undefined : uniqueHelp(table, cols)) ?? `Enforce it in the database: ${model ? `${model} and ` : ''}${alembic ? 'create it in a new migration with ' : 'run '}${ddl} (remove existing duplicates first), then catch IntegrityError on insert (or use INSERT … ON CONFLICT (${cols.join(', ')}) DO NOTHING).`;
      ctx.report({
        message,
        help,
        span: u.span,
        key,
        related: [
          ...(u.insertSpan ? [{ span: u.insertSpan, message: 'the insert that can run twice' }] : []),
          ...(column?.span ? [{ span: column.span, message: `${colText} is declared here without unique=True` }] : []),
        ],
        data: { table: table.name, columns: cols, kind: u.kind, suggestedSql: `ALTER TABLE ${table.name} ADD CONSTRAINT ${name} UNIQUE (${cols.join(', ')});` },
      });
    }
  },
});
