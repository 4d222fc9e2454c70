import type { Span } from '../types';
import type { ProjectFacts } from './index';
import type { Migration } from './migrations';
import { findColumn, type Column, type Table } from './schema';

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

// ----- migrations generated from a model -----

/** A column of a generated migration, found on the model that generates it (schema.prisma, Django models.py). */
export interface ModelField {
  kind: 'prisma' | 'django';
  table: Table;
  column: Column;
  /** The field name as the model spells it (`createdAt`, `author`). */
  field: string;
  /** The model's name (`Booking`); the table name when the model has none. */
  model: string;
  span: Span;
}

/**
 * Where a column that a generated migration declares is really declared: the field of the Prisma model or
 * Django model that `prisma migrate dev` / `makemigrations` generated it from. Type hygiene is fixed there:
 * editing the generated migration only makes it drift from the model. Undefined when the migration is not
 * generated (SQL, Alembic), or the field is not found, or the model no longer declares `stillType` (it was
 * changed since, so the finding stays on the migration with the ordinary help).
 */
export function modelFieldOf(facts: Pick<ProjectFacts, 'modelSchema'>, m: Pick<Migration, 'tool'>, table: string, column: string, stillType: RegExp): ModelField | undefined {
  const kind = m.tool === 'prisma' ? 'prisma' : m.tool === 'django' ? 'django' : undefined;
  if (!kind) return undefined;
  const t = facts.modelSchema.tables.get(table);
  const file = t?.span?.file ?? '';
  if (!t || (kind === 'prisma' ? !file.endsWith('.prisma') : !file.endsWith('.py'))) return undefined;
  const c = findColumn(t, column);
  if (!c?.span || !stillType.test(c.type)) return undefined;
  return { kind, table: t, column: c, field: c.attribute ?? c.name, model: t.model ?? t.name, span: c.span };
}

/** `model Booking` fields `startsAt`, `endsAt`, as help names them. */
const fieldList = (fields: ModelField[]) => fields.map((f) => `\`${f.field}\``).join(', ');
const onModel = (fields: ModelField[]) => {
  const models = [...new Set(fields.map((f) => f.model))];
  if (models.length > 1) return `fields ${fields.map((f) => `\`${f.model}.${f.field}\``).join(', ')} in ${fields[0].span.file}`;
  return `${fields.length > 1 ? 'fields' : 'field'} ${fieldList(fields)} of model ${fields[0].model} in ${fields[0].span.file}`;
};

export const prismaHelp = {
  /** prefer-bigint-over-int: Int → BigInt; autoincrement() then generates BIGSERIAL. */
  bigint: (fields: ModelField[]) =>
    `Declare ${onModel(fields)} as \`BigInt\` (\`id BigInt @id @default(autoincrement())\`; relation scalars take the type of the key they reference) and let prisma migrate dev generate the migration, rather than editing the generated migration.sql. Prisma Client then returns these values as JavaScript bigint, which JSON.stringify does not serialize: convert them in responses.`,

  /** prefer-timestamp-tz: DateTime defaults to timestamp(3); the native type attribute makes it timestamptz. */
  timestamptz: (fields: ModelField[]) =>
    `Add \`@db.Timestamptz(3)\` to ${onModel(fields)} (\`DateTime @db.Timestamptz(3)\`) and let prisma migrate dev generate the migration, rather than editing the generated migration.sql.`,

  /** prefer-text-field: a Prisma String is text unless @db.VarChar(n) says otherwise; the schema cannot declare a CHECK. */
  text: (fields: ModelField[]) =>
    `Drop \`@db.VarChar(n)\` from ${onModel(fields)} (a Prisma String is text) and check the length in the application; Prisma's schema cannot declare a CHECK, so if the database must enforce the limit, add the CHECK by hand to a migration created with prisma migrate dev --create-only.`,
};

/**
 * Django fields that are varchar(n) by design: their max_length has a default and goes with a validator or
 * storage convention (URLField 200, SlugField 50, EmailField 254, FileField 100), so "use TextField" would
 * drop the validation the field exists for. Only a plain CharField is a length chosen by the project.
 */
export const DJANGO_FIXED_LENGTH_FIELDS = /\b(SlugField|URLField|EmailField|FileField|ImageField|FilePathField|CommaSeparatedIntegerField)\s*\(/;

/** prefer-text-field in Django terms: TextField, with the limit as a CheckConstraint on Length. */
export function djangoTextFieldHelp(model: string | undefined, checks: { field: string; n: string | number }[]): string {
  const constraints = checks.map((c) => `models.CheckConstraint(check=Q(${c.field}__length__lte=${c.n}), name="…")`).join(', ');
  return `Use models.TextField() for ${checks.map((c) => `"${c.field}"`).join(', ')}${model ? ` on ${model}` : ''} and, if the limit${checks.length > 1 ? 's matter' : ' matters'}, add ${constraints} to Meta.constraints (register the lookup once with TextField.register_lookup(Length), from django.db.models.functions; Django 5.1+ names the argument condition=). makemigrations then generates the change.`;
}

/**
 * A generated migration's finding, moved to the model when its columns are found there: the model is where
 * the type is changed, and the migration line stays as a related location. `fields` is aligned with the
 * columns given; `found` holds the ones the model still declares with the offending type (the help names
 * those). Undefined when none is found.
 */
export function atModel(
  fields: (ModelField | undefined)[],
  migration: { span: Span; id: string },
): { fields: (ModelField | undefined)[]; found: ModelField[]; span: Span; related: { span: Span; message: string }[] } | undefined {
  const found = fields.filter((f): f is ModelField => !!f);
  if (!found.length) return undefined;
  const tool = found[0].kind === 'prisma' ? 'prisma migrate dev' : 'makemigrations';
  return { fields, found, span: found[0].span, related: [{ span: migration.span, message: `generated by ${tool} into migration ${migration.id}: change the model, not this file` }] };
}

export const djangoTypeHelp = {
  /** prefer-bigint-over-int: AutoField / IntegerField keys. */
  bigint: (fields: ModelField[]) =>
    `Make ${onModel(fields)} 64-bit: models.BigAutoField for a primary key (DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField" in settings, or default_auto_field on the AppConfig, for every model), models.BigIntegerField for other key columns; a ForeignKey follows the type of the key it references. makemigrations then generates the change.`,
};
