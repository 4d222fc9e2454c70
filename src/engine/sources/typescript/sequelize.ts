import type * as TS from 'typescript';
import { type FileFacts, type QuerySite, querySite } from '../../facts';
import { newTable, type Table } from '../../facts/schema';
import { clip, functionNameOf, imports, memberPath, prop, propName, stringLit, strip, type TsContext } from './context';
import { innermostLoop } from './loops';
import { classifySql } from './rawsql';
import { ident, isMigrationPath, pushMigration, type Step } from './migrations';

// Sequelize: model queries (`Model.findAll/findOne/findByPk/count({ where, include, order, limit })`) and
// migrations (`queryInterface.addIndex`, `addColumn`, `sequelize.query`). sequelize-cli runs a migration
// without a transaction unless the migration opens one itself, which `CREATE INDEX CONCURRENTLY` needs.

const FIND: Record<string, QuerySite['operation']> = { findAll: 'select', findOne: 'select', findByPk: 'get', count: 'count', findAndCountAll: 'select', findOrCreate: 'select', destroy: 'delete', update: 'update' };

export function extractSequelize(ctx: TsContext, facts: FileFacts): void {
  if (!imports(ctx, /^sequelize(-typescript)?$/) && !/queryInterface|sequelize|\b(findAll|findByPk|findAndCountAll)\b/i.test(ctx.text)) return;
  if (isMigrationPath(ctx.path) && /queryInterface/.test(ctx.text)) return migration(ctx, facts);
  const { ts } = ctx;
  models(ctx, facts);
  for (const call of ctx.calls) {
    let path = memberPath(ctx, call.expression);
    // sequelize-cli's `db.User.findAll(...)` / `models.User.findAll(...)`.
    if (path?.length === 3 && /^(db|models|this\.models)$/.test(path[0])) path = path.slice(1);
    if (!path || path.length !== 2 || !/^[A-Z]/.test(path[0])) continue;
    const op = FIND[path[1]];
    if (!op || /^(Promise|Object|Array|JSON|Math|Date|Prisma)$/.test(path[0])) continue;
    const model = path[0];
    const o = strip(ctx, call.arguments[path[1] === 'update' ? 1 : 0]);
    const opts = o && ts.isObjectLiteralExpression(o) ? o : undefined;
    if (!opts && path[1] !== 'findByPk') continue;
    const site = querySite({
      id: `${ctx.path}:${call.getStart(ctx.sf)}`, span: ctx.span(call), orm: 'sequelize', operation: op, executes: true, models: [model], tables: [],
      predicates: [], orderBy: [], eagerLoads: [], joins: [], limited: path[1] !== 'findAll' || !!prop(ctx, opts, 'limit'), code: clip(ctx.src(call)),
    });
    const where = strip(ctx, prop(ctx, opts, 'where'));
    if (where && ts.isObjectLiteralExpression(where)) for (const p of where.properties) {
      const k = propName(ctx, p);
      if (!k) continue;
      const v = ts.isPropertyAssignment(p) ? strip(ctx, p.initializer) : undefined;
      if (v && ts.isObjectLiteralExpression(v)) {
        const t = ctx.src(v);
        const op = /Op\.iLike/.test(t) ? (/['"`]%/.test(t) ? 'ilike-contains' : 'ilike-prefix') : /Op\.(like|substring)/.test(t) ? (/['"`]%|substring/.test(t) ? 'like-contains' : 'like-prefix') : /Op\.in\b/.test(t) ? 'in' : /Op\.(gt|gte|lt|lte|between)\b/.test(t) ? 'range' : /Op\.eq\b/.test(t) ? 'eq' : 'other';
        site.predicates.push({ model, column: k, op, span: ctx.span(p.name!) });
      } else site.predicates.push({ model, column: k, op: 'eq', span: ctx.span(p.name ?? p) });
    }
    const include = strip(ctx, prop(ctx, opts, 'include'));
    if (include) site.eagerLoads.push(...ctx.src(include).split(/[\s,[\]{}]+/).filter((w) => /^[A-Za-z]\w*$/.test(w) && w !== 'model' && w !== 'as'));
    const loop = innermostLoop(ctx, call);
    if (loop) site.loop = loop.ref;
    const fn = functionNameOf(ctx, call);
    if (fn) site.functionName = fn;
    facts.queries.push(site);
  }
}

function migration(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  const steps: Step[] = [];
  let upBody: TS.Node | undefined;
  for (const f of ctx.functions) {
    const p = f.parent;
    if ((ts.isMethodDeclaration(f) && f.name && ctx.src(f.name) === 'up') || (p && ts.isPropertyAssignment(p) && propName(ctx, p) === 'up')) upBody = f;
  }
  if (!upBody) return;
  let tx = false;
  const visit = (n: TS.Node) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const m = n.expression.name.text;
      const recv = ctx.src(n.expression.expression);
      if (m === 'transaction' && /sequelize/.test(recv)) tx = true;
      if (m === 'query' && /sequelize/.test(recv) && n.arguments[0]) {
        const built = classifySql(ctx, n.arguments[0]);
        if (built.text) steps.push({ sql: built.text, node: n, op: 'sequelize.query' });
        return;
      }
      if (m === 'addIndex' && /queryInterface/.test(recv)) {
        const table = stringLit(ctx, n.arguments[0]);
        const colsNode = strip(ctx, n.arguments[1]);
        const optsNode = strip(ctx, n.arguments[colsNode && ts.isArrayLiteralExpression(colsNode) ? 2 : 1]);
        const opts = optsNode && ts.isObjectLiteralExpression(optsNode) ? optsNode : undefined;
        const arr = colsNode && ts.isArrayLiteralExpression(colsNode) ? colsNode : strip(ctx, prop(ctx, opts, 'fields'));
        const cols = arr && ts.isArrayLiteralExpression(arr) ? arr.elements.map((e) => stringLit(ctx, e)).filter((x): x is string => !!x) : [];
        if (table && cols.length) {
          const conc = /concurrently\s*:\s*true/.test(ctx.src(n));
          const unique = /unique\s*:\s*true/.test(ctx.src(n));
          const name = stringLit(ctx, prop(ctx, opts, 'name')) ?? `${table}_${cols.join('_')}`;
          steps.push({ sql: `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${conc ? 'CONCURRENTLY ' : ''}${ident(name)} ON ${ident(table)} (${cols.map(ident).join(', ')})`, node: n, op: 'queryInterface.addIndex' });
        }
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(upBody);
  pushMigration(ctx, facts, 'sequelize', steps, tx);
}

// ----- models -----

const TYPES: Record<string, string> = {
  STRING: 'character varying(255)', CHAR: 'character(255)', TEXT: 'text', CITEXT: 'citext', INTEGER: 'integer', BIGINT: 'bigint', SMALLINT: 'smallint',
  FLOAT: 'double precision', DOUBLE: 'double precision', REAL: 'real', DECIMAL: 'numeric', BOOLEAN: 'boolean', DATE: 'timestamp with time zone',
  DATEONLY: 'date', TIME: 'time without time zone', UUID: 'uuid', JSON: 'json', JSONB: 'jsonb', BLOB: 'bytea', ENUM: 'text', ARRAY: 'text[]', INET: 'inet',
};

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
/** Sequelize's default table name: the model name pluralised (User → Users). */
const plural = (s: string) => (/[^aeiou]y$/.test(s) ? `${s.slice(0, -1)}ies` : /(s|x|z|ch|sh)$/.test(s) ? `${s}es` : `${s}s`);

/**
 * `sequelize.define('User', { email: { type: DataTypes.STRING, unique: true } }, { tableName, indexes })` and
 * `class User extends Model {}; User.init({...}, { sequelize, tableName, indexes })`: columns (`field`,
 * `primaryKey`, `unique`, `allowNull`), `references: { model, key }` as FKs (Sequelize creates the constraint,
 * never an index), `indexes: [{ fields, unique, using }]`, and `hasMany`/`belongsTo`/`hasOne`/
 * `belongsToMany` as relationships of models declared in the same file.
 */
function models(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  const byModel = new Map<string, Table>();
  for (const call of ctx.calls) {
    if (!ts.isPropertyAccessExpression(call.expression)) continue;
    const m = call.expression.name.text;
    const recv = memberPath(ctx, call.expression.expression);
    if (!recv) continue;
    let model: string | undefined;
    let attrs: TS.Expression | undefined;
    let opts: TS.Expression | undefined;
    if (m === 'define' && /sequelize|^db$/i.test(recv.join('.')) && stringLit(ctx, call.arguments[0])) {
      const decl = call.parent && ts.isAwaitExpression(call.parent) ? call.parent.parent : call.parent;
      model = decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? decl.name.text : stringLit(ctx, call.arguments[0]);
      [, attrs, opts] = call.arguments;
    } else if (m === 'init' && recv.length === 1 && /^[A-Z]/.test(recv[0]) && call.arguments.length >= 2) {
      const o = strip(ctx, call.arguments[1]);
      if (!o || !ts.isObjectLiteralExpression(o) || !prop(ctx, o, 'sequelize')) continue;
      model = recv[0];
      [attrs, opts] = call.arguments;
    }
    const a = strip(ctx, attrs);
    if (!model || !a || !ts.isObjectLiteralExpression(a)) continue;
    const o = strip(ctx, opts);
    const options = o && ts.isObjectLiteralExpression(o) ? o : undefined;
    const modelName = stringLit(ctx, call.arguments[0]) ?? model;
    const underscored = /underscored\s*:\s*true/.test(options ? ctx.src(options) : '');
    const frozen = /freezeTableName\s*:\s*true/.test(options ? ctx.src(options) : '');
    const name = stringLit(ctx, prop(ctx, options, 'tableName')) ?? (frozen ? modelName : plural(modelName));
    const t = newTable(name, 'model', ctx.span(call));
    t.model = model;
    for (const p of a.properties) {
      const key = propName(ctx, p);
      if (!key || !ts.isPropertyAssignment(p)) continue;
      const v = strip(ctx, p.initializer)!;
      const def = ts.isObjectLiteralExpression(v) ? v : undefined;
      const typeNode = def ? prop(ctx, def, 'type') : v;
      const typeText = typeNode ? ctx.src(typeNode).replace(/\s+/g, '') : '';
      const tm = /(?:DataTypes|Sequelize|DataType)\.([A-Z]+)(?:\((\d+)\))?/.exec(typeText);
      if (!tm && !def) continue;
      const col = stringLit(ctx, prop(ctx, def, 'field')) ?? (underscored ? snake(key) : key);
      const flag = (k: string) => !!def && new RegExp(`\\b${k}\\s*:\\s*true`).test(ctx.src(def));
      let type = tm ? TYPES[tm[1]] ?? tm[1].toLowerCase() : 'unknown';
      if (tm?.[2] && /^(STRING|CHAR)$/.test(tm[1])) type = type.replace('255', tm[2]);
      const pk = flag('primaryKey');
      const unique = flag('unique') || (!!def && /\bunique\s*:\s*['"`]/.test(ctx.src(def)));
      t.columns.push({ name: col, type, nullable: !pk && !(def && /allowNull\s*:\s*false/.test(ctx.src(def))), primaryKey: pk, unique, attribute: key, span: ctx.span(p) });
      if (pk) t.primaryKey.push(col);
      if (unique && !pk) t.indexes.push({ table: name, keys: [{ column: col }], unique: true, method: 'btree', constraint: 'unique', span: ctx.span(p), origin: 'model' });
      const refs = strip(ctx, prop(ctx, def, 'references'));
      if (refs && ts.isObjectLiteralExpression(refs)) {
        const rm = strip(ctx, prop(ctx, refs, 'model'));
        const refTable = stringLit(ctx, rm) ?? (rm && ts.isIdentifier(rm) ? rm.text : undefined);
        const refKey = stringLit(ctx, prop(ctx, refs, 'key')) ?? 'id';
        if (refTable) t.foreignKeys.push({ table: name, columns: [col], refTable, refColumns: [refKey], span: ctx.span(p), origin: 'model', ...(rm && ts.isIdentifier(rm) ? { refModel: rm.text } : {}) });
      }
    }
    if (!t.primaryKey.length) {
      t.columns.unshift({ name: 'id', type: 'integer', nullable: false, primaryKey: true, unique: false, attribute: 'id' });
      t.primaryKey.push('id');
    }
    const colOf = (k: string) => t.columns.find((c) => c.attribute === k)?.name ?? k;
    const ixs = strip(ctx, prop(ctx, options, 'indexes'));
    if (ixs && ts.isArrayLiteralExpression(ixs)) for (const ix of ixs.elements) {
      const io = strip(ctx, ix as TS.Expression);
      if (!io || !ts.isObjectLiteralExpression(io)) continue;
      const fields = strip(ctx, prop(ctx, io, 'fields'));
      if (!fields || !ts.isArrayLiteralExpression(fields)) continue;
      const keys = fields.elements.map((f) => {
        const fe = strip(ctx, f as TS.Expression);
        const s = stringLit(ctx, fe);
        if (s) return { column: colOf(s) };
        if (fe && ts.isObjectLiteralExpression(fe)) {
          const n = stringLit(ctx, prop(ctx, fe, 'name') ?? prop(ctx, fe, 'attribute'));
          const opclass = stringLit(ctx, prop(ctx, fe, 'operator'));
          return n ? { column: colOf(n), ...(opclass ? { opclass } : {}) } : undefined;
        }
        return undefined;
      });
      if (!keys.length || keys.some((k) => !k)) continue;
      const using = stringLit(ctx, prop(ctx, io, 'using'))?.toLowerCase();
      t.indexes.push({ table: name, keys: keys as { column: string }[], unique: /unique\s*:\s*true/.test(ctx.src(io)), method: using ?? 'btree', span: ctx.span(io), origin: 'model' });
    }
    byModel.set(model, t);
    facts.tables.push(t);
  }
  // FKs naming a model class: its table when declared in this file.
  for (const t of byModel.values()) for (const fk of t.foreignKeys) {
    const target = fk.refModel && byModel.get(fk.refModel);
    if (target) fk.refTable = target.name;
  }
  // Associations: `User.hasMany(Post, { as: 'posts', foreignKey: 'authorId' })`.
  for (const call of ctx.calls) {
    if (!ts.isPropertyAccessExpression(call.expression)) continue;
    const kind = call.expression.name.text;
    if (!/^(hasMany|hasOne|belongsTo|belongsToMany)$/.test(kind)) continue;
    const src = memberPath(ctx, call.expression.expression);
    const tgt = call.arguments[0] && memberPath(ctx, strip(ctx, call.arguments[0])!);
    const owner = src && byModel.get(src[src.length - 1]);
    if (!owner || !tgt) continue;
    const target = tgt[tgt.length - 1];
    const o = strip(ctx, call.arguments[1]);
    const as = o && ts.isObjectLiteralExpression(o) ? stringLit(ctx, prop(ctx, o, 'as')) : undefined;
    const many = kind === 'hasMany' || kind === 'belongsToMany';
    owner.relationships.push({ name: as ?? (many ? plural(target) : target), target, lazy: 'noload', uselist: many, span: ctx.span(call) });
  }
}
