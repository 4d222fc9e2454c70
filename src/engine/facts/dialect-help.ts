import type { ProjectFacts } from './index';
import type { Table } from './schema';

// Which dialect a project (or one fact) speaks, and help lines written in it, for rules whose default
// help is SQLAlchemy/Alembic. Each Django helper is only called once the rule knows it is talking to a
// Django project; other front ends (TypeScript ORMs) keep their own helpers next to their extractors.

export type Dialect = 'django' | 'alembic' | 'other';

/**
 * The project's dialect: 'django' when it has Django migrations, 'alembic' when it has Alembic revisions
 * (Django wins when both are present); without migrations, 'django' when its code queries through the Django
 * ORM or configures Django DATABASES; else 'other' (plain SQL, another tool or ORM).
 */
export function dialectOf(facts: Pick<ProjectFacts, 'migrations' | 'queries' | 'clients'>): Dialect {
  if (facts.migrations.some((m) => m.tool === 'django')) return 'django';
  if (facts.migrations.some((m) => m.tool === 'alembic')) return 'alembic';
  if (facts.queries.some((q) => q.orm === 'django') || facts.clients.some((c) => c.kind === 'django')) return 'django';
  return 'other';
}

/** ORMs whose facts must never get Django help, even in a project with Django migrations. */
const OTHER_ORMS = /^(sqlalchemy.*|asyncpg|prisma|typeorm|knex|sequelize|drizzle|pg)$/;

/**
 * A fact is Django when its query is (`orm === 'django'`), or when it is ORM-neutral (raw SQL through a
 * cursor, no query at all) in a project with Django migrations.
 */
export function isDjango(facts: Pick<ProjectFacts, 'migrations' | 'queries' | 'clients'>, orm?: string): boolean {
  if (orm === 'django') return true;
  if (orm && OTHER_ORMS.test(orm)) return false;
  return dialectOf(facts) === 'django';
}

/** A model field's name (the attribute: `author` for the `author_id` column), as Django lookups and Meta options take it. */
export function djangoField(table: Table, column: string): string {
  return table.columns.find((c) => c.name === column)?.attribute ?? column;
}

const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');

export const djangoHelp = {
  downgrade: 'Pass reverse_code= to RunPython (migrations.RunPython.noop if nothing needs undoing) and reverse_sql= to RunSQL (migrations.RunSQL.noop).',

  mergeHeads: (app: string) => `Run python manage.py makemigrations --merge ${app} and commit the merge migration.`,

  danglingParent: (app: string, missing: string[]) => `Point dependencies at an existing migration of "${app}" (or restore ${missing.join(', ')}).`,

  /** n-plus-one: select_related for a single related object, prefetch_related for a collection. */
  eagerLoad: (rel: string, uselist: boolean | undefined) =>
    uselist === false ? `Eager-load it on the queryset: .select_related("${rel}")` : `Eager-load it on the queryset: .prefetch_related("${rel}")`,

  fkIndex: (model: string | undefined, attr: string) =>
    model
      ? `Remove db_index=False from ${model}.${attr} (Django then indexes the column) and build the index with AddIndexConcurrently in a migration with atomic = False.`
      : `Build the index with AddIndexConcurrently in a migration with atomic = False.`,

  filterIndex: (model: string | undefined, fields: string[]) =>
    `Add models.Index(fields=[${list(fields)}], name="…") to ${model ? `${model}.` : ''}Meta.indexes and create it with AddIndexConcurrently (atomic = False).`,

  trigramIndex: (model: string | undefined, field: string) =>
    `GinIndex(fields=["${field}"], opclasses=["gin_trgm_ops"], name="…") in ${model ? `${model}.` : ''}Meta.indexes; migration: TrigramExtension(), then AddIndexConcurrently (atomic = False).`,

  /** missing-unique-constraint: unique=True for one field, a UniqueConstraint for several. */
  unique: (model: string | undefined, fields: string[], getOrCreate: boolean) => {
    const where =
      fields.length === 1 && model
        ? `unique=True on ${model}.${fields[0]}`
        : `models.UniqueConstraint(fields=[${list(fields)}], name="…") in ${model ? `${model}.` : ''}Meta.constraints`;
    const then = getOrCreate
      ? 'get_or_create() then survives the race (it catches the IntegrityError of the losing INSERT and re-reads the row)'
      : 'then catch IntegrityError around create()';
    return `Enforce it in the database: ${where}, in a new migration (remove existing duplicates first); ${then}.`;
  },

  bind: 'Pass the values as parameters: `Model.objects.raw("… WHERE status = %s", [status])`, `cursor.execute(sql, [status])`, `RawSQL(sql, (status,))`; map identifiers (sort columns) through a constant dict such as `SORTS[sort]`.',

  timeout: 'Add "OPTIONS": {"options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=60000"} to the DATABASES entry.',
};
