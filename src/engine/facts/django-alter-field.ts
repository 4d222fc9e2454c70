import { generatedName, q, type DjangoFieldState } from '../sources/python/django-fields';
import { parseStatements } from '../sources/sql/statements';
import type { Migration, MigrationStatement } from './migrations';

// Django's AlterField runs SQL that depends on how the field was defined before: its schema editor diffs the
// old field against the new one (`BaseDatabaseSchemaEditor._alter_field`). The old definition usually lives
// in another migration file, and per-file extraction (cached, one file at a time) cannot see it. So the
// extractor records every model-state change of a migration in order (`Migration.djangoOps`) and leaves a
// placeholder statement for each AlterField; the project merge calls `resolveDjangoAlterFields`, which
// replays those changes along the migration graph and replaces each placeholder with the SQL Django's
// PostgreSQL backend runs. Migrations are copied, never changed in place: the per-file facts stay cacheable.
//
// Not translated (no SQL emitted for them): foreign key constraint changes, primary key changes, many-to-many
// fields, and the extra `<index>_like` pattern-ops index Django adds for indexed char/text columns (the
// extractor does not emit those for CreateModel/AddField either). Generated index and constraint names use the
// same stand-in hash as the extractor (`generatedName`), not Django's md5 digest, so they match each other but
// not always the names in a real database.

/** A change to Django's model state, in operation order. `model` is `app_label.model_name`, lower case. */
export type DjangoModelOp =
  | { op: 'create'; model: string; table: string; fields: DjangoFieldState[] }
  | { op: 'delete'; model: string }
  | { op: 'rename-model'; model: string; to: string }
  | { op: 'table'; model: string; table?: string }
  | { op: 'add'; model: string; field: DjangoFieldState }
  | { op: 'remove'; model: string; field: string }
  | { op: 'rename-field'; model: string; from: string; to: string }
  /** `at`: the placeholder's index in `upgrade`; -1 for a state-only change (SeparateDatabaseAndState). */
  | { op: 'alter'; model: string; field: DjangoFieldState; at: number };

/** A field in the replayed state, with the names of the index and constraints that exist for it. */
interface FieldNow extends DjangoFieldState {
  uniqueName?: string;
  indexName?: string;
  checkName?: string;
}

interface ModelNow {
  table: string;
  fields: Map<string, FieldNow>;
}

/** Returns `migrations` with every resolvable AlterField placeholder replaced by the SQL it runs. */
export function resolveDjangoAlterFields(migrations: Migration[]): Migration[] {
  if (!migrations.some((m) => m.djangoOps?.some((o) => o.op === 'alter'))) return migrations;
  const models = new Map<string, ModelNow>();
  return migrations.map((m) => {
    if (!m.djangoOps?.length) return m;
    const replaced = new Map<number, MigrationStatement[]>();
    for (const op of m.djangoOps) {
      const resolved = apply(models, op, m.upgrade);
      if (resolved && op.op === 'alter' && op.at >= 0) replaced.set(op.at, resolved);
    }
    if (!replaced.size) return m;
    return { ...m, upgrade: m.upgrade.flatMap((st, i) => replaced.get(i) ?? [st]) };
  });
}

const defaultTable = (model: string) => model.replace('.', '_');
const isIndexed = (f: DjangoFieldState) => f.dbIndex && !f.unique && !f.primaryKey;
const isUnique = (f: DjangoFieldState) => f.unique && !f.primaryKey;

/** Applies one state change; for an AlterField, returns the statements replacing its placeholder. */
function apply(models: Map<string, ModelNow>, op: DjangoModelOp, upgrade: MigrationStatement[]): MigrationStatement[] | undefined {
  const model = models.get(op.model);
  switch (op.op) {
    case 'create':
      models.set(op.model, { table: op.table, fields: new Map(op.fields.map((f) => [f.name, created(op.table, f)])) });
      return undefined;
    case 'delete':
      models.delete(op.model);
      return undefined;
    case 'rename-model':
      if (!model) return undefined;
      models.delete(op.model);
      // A model with an explicit db_table keeps its table; otherwise Django renames it to the new default name.
      models.set(op.to, { ...model, table: model.table === defaultTable(op.model) ? defaultTable(op.to) : model.table });
      return undefined;
    case 'table':
      if (model) model.table = op.table ?? defaultTable(op.model);
      return undefined;
    case 'add':
      model?.fields.set(op.field.name, created(model.table, op.field));
      return undefined;
    case 'remove':
      model?.fields.delete(op.field);
      return undefined;
    case 'rename-field': {
      const f = model?.fields.get(op.from);
      if (!model || !f) return undefined;
      model.fields.delete(op.from);
      const column = f.column === op.from ? op.to : f.column === `${op.from}_id` ? `${op.to}_id` : f.column;
      model.fields.set(op.to, { ...f, name: op.to, column });
      return undefined;
    }
    case 'alter': {
      const placeholder = upgrade[op.at];
      const old = model?.fields.get(op.field.name);
      if (!model || !old) {
        if (model) model.fields.set(op.field.name, created(model.table, op.field));
        const where = `"${op.model.split('.')[1]}.${op.field.name}"`;
        return placeholder && [{ ...placeholder, parseError: `AlterField: no earlier migration in the project defines ${where}, so its previous definition (and the SQL) is unknown` }];
      }
      const { sql, now } = alterFieldSql(model.table, old, op.field, (f) => columnType(models, op.model, f));
      model.fields.set(op.field.name, now);
      return placeholder && sql.flatMap((s) => parsed(s, placeholder));
    }
  }
}

/** A field as CreateModel/AddField created it: inline UNIQUE and CHECK get PostgreSQL's names, the index Django's. */
function created(table: string, f: DjangoFieldState): FieldNow {
  const col = f.column.toLowerCase();
  const now: FieldNow = { ...f };
  if (isUnique(f)) now.uniqueName = pgConstraintName(table, col, 'key');
  if (isIndexed(f)) now.indexName = generatedName(table, [col], '');
  if (f.check) now.checkName = pgConstraintName(table, col, 'check');
  return now;
}

/**
 * The statements Django's PostgreSQL schema editor runs to turn `old` into `nu`, in its order: drop the unique
 * constraint and index that go away, rename the column, change its type (`USING "c"::type`), the default and
 * NULL steps (with a default and NULL → NOT NULL: SET DEFAULT, UPDATE … WHERE c IS NULL, SET NOT NULL), add the
 * unique constraint, index and check that are new, and drop the temporary default. A `default=` change alone
 * runs nothing: Django keeps Python defaults out of the database (only `db_default`, Django 5.0+, is one).
 */
export function alterFieldSql(table: string, old: FieldNow, nu: DjangoFieldState, typeOf: (f: DjangoFieldState) => string): { sql: string[]; now: FieldNow } {
  const now: FieldNow = { ...nu };
  if (old.relation?.kind === 'm2m' || nu.relation?.kind === 'm2m' || !nu.column) return { sql: [], now };
  const out: string[] = [];
  const t = q(table);
  const oldCol = old.column.toLowerCase();
  const col = nu.column.toLowerCase();
  const c = q(col);

  if (isUnique(old) && !isUnique(nu) && old.uniqueName) out.push(`ALTER TABLE ${t} DROP CONSTRAINT ${q(old.uniqueName)}`);
  if (isIndexed(old) && !isIndexed(nu) && old.indexName) out.push(`DROP INDEX IF EXISTS ${q(old.indexName)}`);
  if (old.check !== nu.check && old.checkName) out.push(`ALTER TABLE ${t} DROP CONSTRAINT ${q(old.checkName)}`);
  if (oldCol !== col) out.push(`ALTER TABLE ${t} RENAME COLUMN ${q(oldCol)} TO ${c}`);

  const oldType = typeOf(old);
  const newType = typeOf(nu);
  if (oldType && newType && oldType !== newType) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${newType} USING ${c}::${newType}`);
  if (nu.identity && !old.identity) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} ADD GENERATED BY DEFAULT AS IDENTITY`);
  if (old.identity && !nu.identity) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} DROP IDENTITY IF EXISTS`);

  const toNotNull = old.nullable && !nu.nullable && !nu.primaryKey;
  const fill = nu.dbDefault ?? nu.oneOffDefault;
  // Django's "four-way default alteration": existing NULLs get the default before NOT NULL is set.
  const tempDefault = toNotNull && !nu.dbDefault && nu.oneOffDefault !== undefined && nu.oneOffDefault !== old.oneOffDefault;
  if (tempDefault) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${nu.oneOffDefault}`);
  if ((old.dbDefault ?? '') !== (nu.dbDefault ?? '')) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} ${nu.dbDefault ? `SET DEFAULT ${nu.dbDefault}` : 'DROP DEFAULT'}`);
  if (toNotNull && fill !== undefined) out.push(`UPDATE ${t} SET ${c} = ${fill} WHERE ${c} IS NULL`);
  if (toNotNull) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`);
  if (!old.nullable && nu.nullable && !nu.primaryKey) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} DROP NOT NULL`);

  if (isUnique(nu)) {
    now.uniqueName = isUnique(old) ? old.uniqueName : generatedName(table, [col], '_uniq');
    if (!isUnique(old)) out.push(`ALTER TABLE ${t} ADD CONSTRAINT ${q(now.uniqueName!)} UNIQUE (${c})`);
  }
  if (isIndexed(nu)) {
    now.indexName = isIndexed(old) ? old.indexName : generatedName(table, [col], '');
    if (!isIndexed(old)) out.push(`CREATE INDEX ${q(now.indexName!)} ON ${t} (${c})`);
  }
  if (nu.check) {
    now.checkName = old.check === nu.check ? old.checkName : generatedName(table, [col], '_check');
    if (old.check !== nu.check) out.push(`ALTER TABLE ${t} ADD CONSTRAINT ${q(now.checkName!)} CHECK (${nu.check})`);
  }
  if (tempDefault) out.push(`ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT`);
  return { sql: out, now };
}

/** The column type of a field; for a relation, the type of the target's key (bigint when the target is unknown). */
function columnType(models: Map<string, ModelNow>, model: string, f: DjangoFieldState): string {
  if (!f.relation) return f.type.toLowerCase();
  const target = f.relation.target;
  if (/AUTH_USER_MODEL$/.test(target)) return 'bigint';
  const app = model.split('.')[0];
  const key = target === 'self' ? model : (target.includes('.') ? target : `${app}.${target}`).toLowerCase();
  const fields = [...(models.get(key)?.fields.values() ?? [])];
  const to = f.relation.toField ? fields.find((x) => x.name === f.relation!.toField) : fields.find((x) => x.primaryKey);
  return (to && !to.relation && to.type) || 'bigint';
}

/** PostgreSQL's name for an inline constraint (`<table>_<column>_key`), shortened the way PostgreSQL does to 63 bytes. */
function pgConstraintName(table: string, column: string, label: string): string {
  let a = table.length;
  let b = column.length;
  while (a + b > 63 - label.length - 2) {
    if (a > b) a--;
    else b--;
  }
  return `${table.slice(0, a)}_${column.slice(0, b)}_${label}`;
}

function parsed(sql: string, placeholder: MigrationStatement): MigrationStatement[] {
  const { parseError: _unresolved, ...base } = placeholder;
  const r = parseStatements(sql);
  if (!r.ok) return [{ ...base, sql, parseError: r.error }];
  return r.statements.map((s) => ({ ...base, sql: s.sql, ast: s.ast }));
}
