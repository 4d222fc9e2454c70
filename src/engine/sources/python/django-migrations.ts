import type { Node } from 'web-tree-sitter';
import type { FileFacts } from '../../facts';
import type { DjangoModelOp } from '../../facts/django-alter-field';
import type { Migration, MigrationStatement } from '../../facts/migrations';
import type { Span } from '../../types';
import { parseStatements } from '../sql/statements';
import { callArgs, calleeName, isFalse, shortName, stringValue } from './ast';
import type { PyContext } from './context';
import { addColumnDefault, appLabelOf, defaultTable, fieldState, generatedName, isFieldCall, q, readField, type DjangoField } from './django-fields';
import { readCheckConstraint, readIndex, readUniqueConstraint, type DjangoIndex } from './django-indexes';
import { togetherSets } from './django-models';

// Django migration files (`<app>/migrations/NNNN_name.py`, `class Migration(migrations.Migration)`) →
// Migration facts (tool 'django', id `app.NNNN_name`, parents from `dependencies`), every operation as the
// SQL Django's PostgreSQL schema editor runs for it (`sqlmigrate`), parsed by libpg-query, so the migration
// rules read Django exactly as they read Alembic and .sql files. A migration runs in one transaction unless
// `atomic = False`. Django reverses most operations by itself; RunPython without `reverse_code` and RunSQL
// without `reverse_sql` make the migration irreversible, which is what `downgrade.empty` records.
//
// One file is read at a time, so the state earlier migrations built (another file's CreateModel) is not
// known here: tables of other files' models get Django's default name (`<app>_<model>`). AlterField, whose
// SQL depends on the previous definition of the field, leaves a placeholder statement; every model-state
// change is recorded in `Migration.djangoOps`, and the project merge replays them along the migration graph
// to replace the placeholder with the SQL Django runs (facts/django-alter-field.ts).

interface ModelState {
  table: string;
  fields: Map<string, DjangoField>;
  pkType: string;
}

interface State {
  app: string;
  models: Map<string, ModelState>;
  inTransaction: boolean;
  irreversible?: Span;
  /** Model-state changes, in order, for the merge's AlterField resolution; shared by nested operations. */
  ops: DjangoModelOp[];
  /** Inside SeparateDatabaseAndState's state_operations: the state changes, but no SQL runs. */
  stateOnly?: boolean;
}

const EXTENSIONS: Record<string, string> = {
  TrigramExtension: 'pg_trgm',
  BtreeGinExtension: 'btree_gin',
  BtreeGistExtension: 'btree_gist',
  HStoreExtension: 'hstore',
  UnaccentExtension: 'unaccent',
  CITextExtension: 'citext',
  CryptoExtension: 'pgcrypto',
  BloomExtension: 'bloom',
};

/** Operations that change only Django's model state (no SQL on PostgreSQL). */
const STATE_ONLY = new Set(['AlterModelOptions', 'AlterModelManagers', 'AlterModelTableComment']);

class NotTranslated extends Error {}

export function extractDjangoMigrations(ctx: PyContext, facts: FileFacts): void {
  if (!/\/migrations\/[^/]+\.py$/.test(ctx.path) || !/\bclass\s+Migration\s*\(/.test(ctx.text)) return;
  const cls = ctx.root.namedChildren.find((n) => n?.type === 'class_definition' && n.childForFieldName('name')?.text === 'Migration');
  const body = cls?.childForFieldName('body');
  if (!cls || !body) return;
  const parts = ctx.path.split('/');
  const stem = parts[parts.length - 1].replace(/\.py$/, '');
  if (stem === '__init__') return;
  const app = appLabelOf(ctx.path) ?? 'app';
  const attrs = new Map<string, Node>();
  for (const s of body.namedChildren) {
    const a = s?.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    const right = a?.childForFieldName('right');
    if (left?.type === 'identifier' && right) attrs.set(left.text, right);
  }

  const parents: string[] = [];
  for (const d of itemsOf(attrs.get('dependencies'))) {
    if (d.type !== 'tuple' && d.type !== 'list') continue; // swappable_dependency(settings.AUTH_USER_MODEL): outside the project
    const [a, n] = d.namedChildren.filter((c): c is Node => !!c).map((c) => stringValue(c));
    if (a && n && !n.startsWith('__')) parents.push(`${a}.${n}`);
  }
  const state: State = { app, models: new Map(), inTransaction: !isFalse(attrs.get('atomic')), ops: [] };
  const upgrade: MigrationStatement[] = [];
  for (const op of itemsOf(attrs.get('operations'))) readOperation(ctx, op, state, upgrade);

  const nameNode = cls.childForFieldName('name') ?? cls;
  const span = ctx.span(nameNode);
  const migration: Migration = {
    file: ctx.path,
    tool: 'django',
    id: `${app}.${stem}`,
    parents,
    order: stem,
    upgrade,
    span,
    // Django reverses the schema operations itself; a RunPython/RunSQL without a reverse makes the whole
    // migration irreversible (`migrate <app> <earlier>` raises IrreversibleError).
    downgrade: state.irreversible ? { span: state.irreversible, statements: [], empty: true } : { span, statements: [], empty: false },
  };
  if (state.ops.length) migration.djangoOps = state.ops;
  facts.migrations.push(migration);
}

function itemsOf(n: Node | undefined): Node[] {
  if (!n) return [];
  if (n.type === 'list' || n.type === 'tuple') return n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  return [];
}

function readOperation(ctx: PyContext, op: Node, state: State, out: MigrationStatement[]): void {
  if (op.type !== 'call') return;
  const callee = calleeName(op);
  const name = shortName(callee);
  const args = callArgs(op);
  const kw = args.keywords;
  const span = ctx.span(op);
  const kwargs: Record<string, string> = {};
  for (const [k, v] of kw) kwargs[k] = v.text;
  const base = { span, inTransaction: state.inTransaction, op: callee || name, kwargs };
  const emit = (sql: string, parts?: { start: number; end: number; node: Node }[]) => pushParsed(ctx, sql, base, out, parts);
  const arg = (pos: number, key: string): Node | undefined => args.positional[pos] ?? kw.get(key);
  const str = (pos: number, key: string): string => {
    const v = stringValue(arg(pos, key));
    if (v === undefined) throw new NotTranslated(`${name}: ${key} is not a literal`);
    return v;
  };
  const key = (model: string) => `${state.app}.${model}`.toLowerCase();
  try {
    switch (name) {
      case 'CreateModel':
        return createModel(ctx, state, str(0, 'name'), arg(1, 'fields'), kw.get('options'), emit);
      case 'DeleteModel':
        state.ops.push({ op: 'delete', model: key(str(0, 'name')) });
        return emit(`DROP TABLE ${q(tableOf(state, str(0, 'name')))} CASCADE`);
      case 'RenameModel': {
        const from = tableOf(state, str(0, 'old_name'));
        const to = defaultTable(state.app, str(1, 'new_name'));
        state.ops.push({ op: 'rename-model', model: key(str(0, 'old_name')), to: key(str(1, 'new_name')) });
        return emit(`ALTER TABLE ${q(from)} RENAME TO ${q(to)}`);
      }
      case 'AlterModelTable': {
        const table = stringValue(arg(1, 'table'));
        state.ops.push({ op: 'table', model: key(str(0, 'name')), table: table?.toLowerCase() });
        if (!table) return;
        return emit(`ALTER TABLE ${q(tableOf(state, str(0, 'name')))} RENAME TO ${q(table.toLowerCase())}`);
      }
      case 'AddField': {
        const model = str(0, 'model_name');
        const fieldName = str(1, 'name');
        const fieldNode = arg(2, 'field');
        if (!isFieldCall(fieldNode)) throw new NotTranslated('AddField: field is not a literal field');
        const f = readField(fieldNode, fieldName);
        state.ops.push({ op: 'add', model: key(model), field: fieldState(f) });
        return addField(state, model, f, isFalse(kw.get('preserve_default')), emit);
      }
      case 'RemoveField': {
        const model = str(0, 'model_name');
        const field = str(1, 'name');
        const known = state.models.get(model.toLowerCase())?.fields.get(field);
        state.ops.push({ op: 'remove', model: key(model), field });
        if (known?.relation?.kind === 'm2m') return emit(`DROP TABLE ${q(`${tableOf(state, model)}_${field}`.toLowerCase())} CASCADE`);
        return emit(`ALTER TABLE ${q(tableOf(state, model))} DROP COLUMN ${q(columnOf(state, model, field))} CASCADE`);
      }
      case 'RenameField': {
        const model = str(0, 'model_name');
        state.ops.push({ op: 'rename-field', model: key(model), from: str(1, 'old_name'), to: str(2, 'new_name') });
        return emit(`ALTER TABLE ${q(tableOf(state, model))} RENAME COLUMN ${q(columnOf(state, model, str(1, 'old_name')))} TO ${q(str(2, 'new_name').toLowerCase())}`);
      }
      case 'AlterField': {
        // The SQL depends on how the field was defined before (usually in another migration file): a
        // placeholder here, replaced by the project merge (resolveDjangoAlterFields).
        const model = str(0, 'model_name');
        const fieldNode = arg(2, 'field');
        if (!isFieldCall(fieldNode)) throw new NotTranslated('AlterField: field is not a literal field');
        const f = readField(fieldNode, str(1, 'name'));
        state.models.get(model.toLowerCase())?.fields.set(f.name, f);
        state.ops.push({ op: 'alter', model: key(model), field: fieldState(f), at: state.stateOnly ? -1 : out.length });
        if (!state.stateOnly) out.push({ ...base, sql: '', parseError: 'AlterField: the SQL depends on the previous definition of the field, resolved from earlier migrations when the project is merged' });
        return;
      }
      case 'AddIndex':
      case 'AddIndexConcurrently': {
        const model = str(0, 'model_name');
        const ix = indexArg(state, model, arg(1, 'index'));
        return emit(createIndexSql(tableOf(state, model), ix, name === 'AddIndexConcurrently'));
      }
      case 'RemoveIndex':
      case 'RemoveIndexConcurrently':
        return emit(`DROP INDEX ${name === 'RemoveIndexConcurrently' ? 'CONCURRENTLY ' : ''}IF EXISTS ${q(str(1, 'name'))}`);
      case 'RenameIndex': {
        const oldName = stringValue(kw.get('old_name'));
        if (!oldName) return;
        return emit(`ALTER INDEX ${q(oldName)} RENAME TO ${q(str(1, 'new_name'))}`);
      }
      case 'AddConstraint':
      case 'AddConstraintNotValid': {
        const model = str(0, 'model_name');
        const table = tableOf(state, model);
        const c = arg(1, 'constraint');
        if (c?.type !== 'call') throw new NotTranslated(`${name}: constraint is not a literal`);
        const cols = (f: string) => columnOf(state, model, f);
        const notValid = name === 'AddConstraintNotValid' ? ' NOT VALID' : '';
        const u = readUniqueConstraint(c, cols);
        if (u) {
          const cname = u.name ?? generatedName(table, u.keys.map((k) => k.column ?? 'expr'), '_uniq');
          if (!u.where && u.keys.every((k) => k.column) && !u.include.length) return emit(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(cname)} UNIQUE (${u.keySql.join(', ')})`);
          if (u.whereUnknown) throw new NotTranslated(`${name}: condition is not a literal Q()`);
          return emit(createIndexSql(table, { ...u, name: cname }, false));
        }
        const ck = readCheckConstraint(c, cols);
        if (ck) {
          if (!ck.sql) throw new NotTranslated(`${name}: check condition is not a literal Q()`);
          return emit(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(ck.name ?? generatedName(table, [], '_check'))} CHECK (${ck.sql})${notValid}`);
        }
        throw new NotTranslated(`${name}: ${shortName(calleeName(c))} is not translated`);
      }
      case 'ValidateConstraint':
        return emit(`ALTER TABLE ${q(tableOf(state, str(0, 'model_name')))} VALIDATE CONSTRAINT ${q(str(1, 'name'))}`);
      case 'RemoveConstraint':
        return emit(`ALTER TABLE ${q(tableOf(state, str(0, 'model_name')))} DROP CONSTRAINT ${q(str(1, 'name'))}`);
      case 'AlterUniqueTogether':
      case 'AlterIndexTogether': {
        const model = str(0, 'name');
        const table = tableOf(state, model);
        const sets = arg(1, name === 'AlterUniqueTogether' ? 'unique_together' : 'index_together');
        for (const set of sets ? togetherSets(sets) : []) {
          const cols = set.map((f) => columnOf(state, model, f));
          if (name === 'AlterUniqueTogether') emit(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(generatedName(table, cols, '_uniq'))} UNIQUE (${cols.map(q).join(', ')})`);
          else emit(`CREATE INDEX ${q(generatedName(table, cols, '_idx'))} ON ${q(table)} (${cols.map(q).join(', ')})`);
        }
        return;
      }
      case 'RunSQL': {
        const sql = arg(0, 'sql');
        const reverse = arg(1, 'reverse_sql');
        if (!reverse || reverse.type === 'none') state.irreversible ??= span;
        for (const text of sqlTexts(sql)) {
          if (text === undefined) {
            out.push({ ...base, sql: '', parseError: 'RunSQL: the SQL is not a literal' });
            continue;
          }
          emit(text);
        }
        return;
      }
      case 'RunPython': {
        const reverse = arg(1, 'reverse_code');
        if (!reverse || reverse.type === 'none') state.irreversible ??= span;
        return;
      }
      case 'SeparateDatabaseAndState': {
        for (const inner of itemsOf(arg(0, 'database_operations'))) readOperation(ctx, inner, state, out);
        // The state operations change the model state (what later AlterFields diff against) but run no SQL.
        const stateOnly: State = { ...state, stateOnly: true };
        for (const inner of itemsOf(arg(1, 'state_operations'))) readOperation(ctx, inner, stateOnly, []);
        return;
      }
      case 'CreateExtension':
        return emit(`CREATE EXTENSION IF NOT EXISTS ${q(str(0, 'name'))}`);
      default:
        if (EXTENSIONS[name]) return emit(`CREATE EXTENSION IF NOT EXISTS ${q(EXTENSIONS[name])}`);
        if (STATE_ONLY.has(name)) return;
    }
  } catch (e) {
    if (!(e instanceof NotTranslated)) throw e;
    out.push({ ...base, sql: '', parseError: e.message });
  }
}

/** RunSQL's `sql`: a string, a list of strings, or a list of (sql, params) tuples; undefined entries are not literal. */
function sqlTexts(n: Node | undefined): (string | undefined)[] {
  if (!n) return [];
  const s = stringValue(n);
  if (s !== undefined) return [s];
  if (n.type === 'list' || n.type === 'tuple') {
    return n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => (c.type === 'tuple' ? stringValue(c.namedChildren[0]) : stringValue(c)));
  }
  return [undefined];
}

function tableOf(state: State, model: string): string {
  return state.models.get(model.toLowerCase())?.table ?? defaultTable(state.app, model);
}

/** The column of a field: `author` → `author_id` when this file knows `author` is a ForeignKey. */
function columnOf(state: State, model: string, field: string): string {
  const f = state.models.get(model.toLowerCase())?.fields.get(field);
  return (f?.column || field).toLowerCase();
}

function indexArg(state: State, model: string, node: Node | undefined): DjangoIndex {
  if (node?.type !== 'call') throw new NotTranslated('index is not a literal');
  const ix = readIndex(node, (f) => columnOf(state, model, f));
  if (!ix) throw new NotTranslated('index fields are not literal');
  if (ix.whereUnknown) throw new NotTranslated('index condition is not a literal Q()');
  return ix;
}

function createIndexSql(table: string, ix: DjangoIndex, concurrently: boolean): string {
  const name = ix.name ?? generatedName(table, ix.keys.map((k) => k.column ?? 'expr'), '');
  return (
    `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${q(name)} ON ${q(table)}` +
    `${ix.method !== 'btree' ? ` USING ${ix.method}` : ''} (${ix.keySql.join(', ')})` +
    `${ix.include.length ? ` INCLUDE (${ix.include.map(q).join(', ')})` : ''}${ix.where ? ` WHERE ${ix.where}` : ''}`
  );
}

/** Target table of a relation in a migration (`to="library.author"`, `to=settings.AUTH_USER_MODEL`). */
function relationTarget(state: State, target: string): { table: string; pkType: string } {
  // auth.User's key is integer, but a project that sets AUTH_USER_MODEL usually has its own (bigint) user model.
  if (/AUTH_USER_MODEL$/.test(target)) return { table: 'auth_user', pkType: 'bigint' };
  const [label, model] = target.includes('.') ? [target.slice(0, target.lastIndexOf('.')), target.slice(target.lastIndexOf('.') + 1)] : [state.app, target];
  const local = label === state.app ? state.models.get(model.toLowerCase()) : undefined;
  return { table: local?.table ?? defaultTable(label, model), pkType: local?.pkType ?? 'bigint' };
}

/** A column definition as Django writes it: `"title" varchar(200) NOT NULL`, FK with REFERENCES … DEFERRABLE INITIALLY DEFERRED. */
function columnSql(state: State, f: DjangoField, oneOffDefault?: string): string | undefined {
  let type = f.type;
  let refs = '';
  if (f.relation) {
    const t = relationTarget(state, f.relation.target);
    type = t.pkType;
    if (f.relation.dbConstraint) refs = ` REFERENCES ${q(t.table)} (${q(f.relation.toField ?? 'id')}) DEFERRABLE INITIALLY DEFERRED`;
  }
  if (!type) return undefined;
  const parts = [q(f.column.toLowerCase()), type];
  if (oneOffDefault !== undefined) parts.push(`DEFAULT ${oneOffDefault}`);
  else if (f.dbDefault) parts.push(`DEFAULT ${f.dbDefault}`);
  parts.push(f.nullable ? 'NULL' : 'NOT NULL');
  if (f.primaryKey) parts.push('PRIMARY KEY');
  if (f.identity) parts.push('GENERATED BY DEFAULT AS IDENTITY');
  if (f.unique && !f.primaryKey) parts.push('UNIQUE');
  if (f.check) parts.push(`CHECK (${f.check})`);
  return parts.join(' ') + refs;
}

function createModel(ctx: PyContext, state: State, name: string, fieldsNode: Node | undefined, options: Node | undefined, emit: (sql: string, parts?: { start: number; end: number; node: Node }[]) => void): void {
  const opts = new Map<string, Node>();
  for (const p of options?.type === 'dictionary' ? options.namedChildren : []) {
    const k = p?.type === 'pair' ? stringValue(p.childForFieldName('key')) : undefined;
    const v = p?.childForFieldName('value');
    if (k && v) opts.set(k, v);
  }
  const table = (stringValue(opts.get('db_table')) ?? defaultTable(state.app, name)).toLowerCase();
  const fields: { f: DjangoField; node: Node }[] = [];
  for (const t of itemsOf(fieldsNode)) {
    const [n, call] = t.namedChildren.filter((c): c is Node => !!c);
    const fname = stringValue(n);
    if (!fname || !isFieldCall(call)) throw new NotTranslated('CreateModel: a field is not a literal ("name", models.Field(...)) tuple');
    fields.push({ f: readField(call, fname), node: t });
  }
  const pk = fields.find((x) => x.f.primaryKey);
  const model: ModelState = { table, fields: new Map(fields.map((x) => [x.f.name, x.f])), pkType: pk ? pk.f.type || 'bigint' : 'bigint' };
  state.models.set(name.toLowerCase(), model);
  state.ops.push({ op: 'create', model: `${state.app}.${name}`.toLowerCase(), table, fields: fields.map((x) => fieldState(x.f)) });

  let sql = `CREATE TABLE ${q(table)} (`;
  const parts: { start: number; end: number; node: Node }[] = [];
  let first = true;
  const after: string[] = [];
  for (const { f, node } of fields) {
    if (f.relation?.kind === 'm2m') {
      after.push(...throughSql(state, table, name, f));
      continue;
    }
    const col = columnSql(state, f);
    if (!col) throw new NotTranslated(`CreateModel: the type of "${f.name}" (${f.kind}) is not known`);
    if (!first) sql += ', ';
    first = false;
    parts.push({ start: sql.length, end: sql.length + col.length, node });
    sql += col;
    if (f.dbIndex && !f.unique && !f.primaryKey) after.push(`CREATE INDEX ${q(generatedName(table, [f.column.toLowerCase()], ''))} ON ${q(table)} (${q(f.column.toLowerCase())})`);
  }
  sql += ')';
  emit(sql, parts);
  for (const s of after) emit(s);
  const cols = (f: string) => columnOf(state, name, f);
  for (const ix of itemsOf(opts.get('indexes'))) {
    const r = ix.type === 'call' ? readIndex(ix, cols) : undefined;
    if (r && !r.whereUnknown) emit(createIndexSql(table, r, false));
  }
  for (const c of itemsOf(opts.get('constraints'))) {
    const u = readUniqueConstraint(c, cols);
    if (u && !u.whereUnknown) {
      const cname = u.name ?? generatedName(table, u.keys.map((k) => k.column ?? 'expr'), '_uniq');
      if (!u.where && u.keys.every((k) => k.column) && !u.include.length) emit(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(cname)} UNIQUE (${u.keySql.join(', ')})`);
      else emit(createIndexSql(table, { ...u, name: cname }, false));
      continue;
    }
    const ck = readCheckConstraint(c, cols);
    if (ck?.sql) emit(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(ck.name ?? generatedName(table, [], '_check'))} CHECK (${ck.sql})`);
  }
  for (const [key, unique] of [['unique_together', true], ['index_together', false]] as const) {
    const node = opts.get(key);
    for (const set of node ? togetherSets(node) : []) {
      const c = set.map(cols);
      emit(unique ? `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(generatedName(table, c, '_uniq'))} UNIQUE (${c.map(q).join(', ')})` : `CREATE INDEX ${q(generatedName(table, c, '_idx'))} ON ${q(table)} (${c.map(q).join(', ')})`);
    }
  }
  void ctx;
}

function throughSql(state: State, table: string, model: string, f: DjangoField): string[] {
  if (!f.relation || f.relation.through) return [];
  const t = relationTarget(state, f.relation.target);
  const through = (f.relation.dbTable ?? `${table}_${f.name}`).toLowerCase();
  const targetModel = f.relation.target.split('.').pop()!.toLowerCase();
  const self = targetModel === model.toLowerCase();
  const from = `${self ? 'from_' : ''}${model.toLowerCase()}_id`;
  const to = `${self ? 'to_' : ''}${targetModel}_id`;
  return [
    `CREATE TABLE ${q(through)} ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, ${q(from)} bigint NOT NULL REFERENCES ${q(table)} ("id") DEFERRABLE INITIALLY DEFERRED, ${q(to)} ${t.pkType} NOT NULL REFERENCES ${q(t.table)} ("id") DEFERRABLE INITIALLY DEFERRED)`,
    `ALTER TABLE ${q(through)} ADD CONSTRAINT ${q(generatedName(through, [from, to], '_uniq'))} UNIQUE (${q(from)}, ${q(to)})`,
    `CREATE INDEX ${q(generatedName(through, [from], ''))} ON ${q(through)} (${q(from)})`,
    `CREATE INDEX ${q(generatedName(through, [to], ''))} ON ${q(through)} (${q(to)})`,
  ];
}

function addField(state: State, model: string, f: DjangoField, _oneOff: boolean, emit: (sql: string) => void): void {
  const table = tableOf(state, model);
  const known = state.models.get(model.toLowerCase());
  if (known) known.fields.set(f.name, f);
  if (f.relation?.kind === 'm2m') {
    for (const s of throughSql(state, table, model, f)) emit(s);
    return;
  }
  // Django sends the default (evaluated once, callables too) with ADD COLUMN so existing rows get it, then
  // drops it again: the column ends up with no database default unless db_default is set.
  const oneOff = f.dbDefault ? undefined : addColumnDefault(f);
  const col = columnSql(state, f, oneOff);
  if (!col) throw new NotTranslated(`AddField: the type of "${f.name}" (${f.kind}) is not known`);
  emit(`ALTER TABLE ${q(table)} ADD COLUMN ${col}`);
  if (oneOff !== undefined) emit(`ALTER TABLE ${q(table)} ALTER COLUMN ${q(f.column.toLowerCase())} DROP DEFAULT`);
  if (f.dbIndex && !f.unique && !f.primaryKey) emit(`CREATE INDEX ${q(generatedName(table, [f.column.toLowerCase()], ''))} ON ${q(table)} (${q(f.column.toLowerCase())})`);
}

function pushParsed(ctx: PyContext, sql: string, base: Omit<MigrationStatement, 'sql'>, out: MigrationStatement[], parts?: { start: number; end: number; node: Node }[]): void {
  const parsed = parseStatements(sql);
  if (!parsed.ok) {
    out.push({ ...base, sql, parseError: parsed.error });
    return;
  }
  for (const st of parsed.statements) {
    const ms: MigrationStatement = { ...base, sql: st.sql, ast: st.ast };
    if (parts?.length && parsed.statements.length === 1) ms.sourceMap = parts.map((p) => ({ start: p.start, end: p.end, span: ctx.span(p.node) }));
    out.push(ms);
  }
}
