import type * as TS from 'typescript';
import type { FileFacts, Predicate, PredicateOp, QuerySite } from '../../facts';
import { newTable, type Table } from '../../facts/schema';
import { clip, functionNameOf, imports, memberPath, prop, propName, stringLit, strip, type TsContext } from './context';
import { innermostLoop } from './loops';
import { classifySql } from './rawsql';

// Drizzle schemas: `export const posts = pgTable('posts', { authorId: integer('author_id').references(() =>
// users.id) }, (t) => [index('…').on(t.authorId)])`. `references()` creates the FK constraint only; the
// index has to be declared with `index().on(...)`. The model name is the exported variable.

const TYPES: Record<string, string> = {
  serial: 'serial', bigserial: 'bigserial', integer: 'integer', bigint: 'bigint', smallint: 'smallint', text: 'text', varchar: 'character varying',
  boolean: 'boolean', timestamp: 'timestamp without time zone', date: 'date', uuid: 'uuid', json: 'json', jsonb: 'jsonb', numeric: 'numeric', real: 'real',
  doublePrecision: 'double precision', char: 'character',
};

export function extractDrizzle(ctx: TsContext, facts: FileFacts): void {
  if (!imports(ctx, /^drizzle-orm/)) return;
  const { ts } = ctx;
  const tables: { v: string; t: Table; cols: Map<string, string> }[] = [];
  for (const call of ctx.calls) {
    if (!ts.isIdentifier(call.expression) || call.expression.text !== 'pgTable') continue;
    const name = stringLit(ctx, call.arguments[0]);
    const colsObj = strip(ctx, call.arguments[1]);
    const decl = call.parent;
    if (!name || !colsObj || !ts.isObjectLiteralExpression(colsObj)) continue;
    const t = newTable(name, 'model', ctx.span(call.arguments[0]));
    const v = decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? decl.name.text : name;
    t.model = v;
    const cols = new Map<string, string>();
    for (const p of colsObj.properties) {
      if (!ts.isPropertyAssignment(p) || !p.name || !ts.isIdentifier(p.name)) continue;
      const key = p.name.text;
      const chain: TS.CallExpression[] = [];
      let cur: TS.Expression = p.initializer;
      while (ts.isCallExpression(cur)) {
        chain.unshift(cur);
        cur = ts.isPropertyAccessExpression(cur.expression) ? cur.expression.expression : cur.expression;
      }
      const head = chain[0];
      if (!head || !ts.isIdentifier(head.expression)) continue;
      const col = stringLit(ctx, head.arguments[0]) ?? key;
      cols.set(key, col);
      const mods = chain.slice(1).map((c) => ({ m: (c.expression as TS.PropertyAccessExpression).name.text, c }));
      const pk = mods.some((x) => x.m === 'primaryKey');
      const unique = mods.some((x) => x.m === 'unique');
      t.columns.push({ name: col, type: TYPES[head.expression.text] ?? head.expression.text.toLowerCase(), nullable: !pk && !mods.some((x) => x.m === 'notNull'), primaryKey: pk, unique, attribute: key, span: ctx.span(p) });
      if (pk) t.primaryKey.push(col);
      if (unique) t.indexes.push({ table: name, keys: [{ column: col }], unique: true, method: 'btree', constraint: 'unique', span: ctx.span(p), origin: 'model' });
      const ref = mods.find((x) => x.m === 'references');
      const target = ref?.c.arguments[0];
      if (target && (ts.isArrowFunction(target) || ts.isFunctionExpression(target))) {
        const path = ts.isArrowFunction(target) && !ts.isBlock(target.body) ? memberPath(ctx, target.body) : undefined;
        if (path && path.length === 2) t.foreignKeys.push({ table: name, columns: [col], refTable: path[0], refColumns: [path[1]], span: ctx.span(p), origin: 'model', refModel: path[0] });
      }
    }
    // Extra config: (t) => [index('x').on(t.a), uniqueIndex(...).on(...)] or an object of them.
    const extra = call.arguments[2];
    if (extra) {
      const visit = (n: TS.Node) => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'on') {
          const head = ctx.src(n.expression.expression);
          const unique = /^uniqueIndex|^unique\(/.test(head);
          const keys = n.arguments.map((a) => memberPath(ctx, a as TS.Expression)).map((pth) => (pth ? cols.get(pth[pth.length - 1]) ?? pth[pth.length - 1] : undefined));
          const method = /\.using\(\s*['"](\w+)/.exec(head)?.[1];
          if (keys.every(Boolean)) t.indexes.push({ table: name, keys: keys.map((column) => ({ column })), unique, method: method ?? 'btree', span: ctx.span(n), origin: 'model' });
          return;
        }
        ts.forEachChild(n, visit);
      };
      visit(extra);
    }
    tables.push({ v, t, cols });
  }
  // References name the Drizzle variable (`users.id`): map them to table names declared in this file.
  for (const { t } of tables) for (const fk of t.foreignKeys) {
    const target = tables.find((x) => x.v === fk.refTable);
    if (target) {
      fk.refTable = target.t.name;
      fk.refColumns = fk.refColumns.map((c) => target.cols.get(c) ?? c);
    }
  }
  facts.tables.push(...tables.map((x) => x.t));
  queries(ctx, facts);
}

// ----- query sites -----

const ROOTS: Record<string, QuerySite['operation']> = { select: 'select', selectDistinct: 'select', selectDistinctOn: 'select', update: 'update', delete: 'delete', insert: 'insert' };
const DB = /^(db|tx|trx|database|drizzle|conn|client|this\.db|this\.database|this\.drizzle)$/;
const COND: Record<string, PredicateOp> = {
  eq: 'eq', inArray: 'in', gt: 'range', gte: 'range', lt: 'range', lte: 'range', between: 'range', isNull: 'null', isNotNull: 'null', ne: 'other', notInArray: 'other',
  arrayContains: 'other', arrayOverlaps: 'other', notBetween: 'other',
};
const NOT_RUN = new Set(['as', 'toSQL', 'getSQL', 'prepare', '$dynamic']);

/**
 * `db.select().from(users).where(and(eq(users.email, x), ilike(users.name, \`%${q}%\`))).orderBy(desc(users.createdAt))`,
 * `db.update(users).set(...).where(...)`, `db.delete(users).where(...)`, and the relational API
 * `db.query.users.findMany({ where: eq(users.email, x), with: { posts: true }, orderBy: ..., limit })`. Column
 * references are `table.property` on the schema variable (the model); `or(...)` alternatives are not read.
 */
function queries(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  for (const call of ctx.calls) {
    if (!ts.isPropertyAccessExpression(call.expression)) continue;
    const path = memberPath(ctx, call.expression);
    if (!path || path.length < 2) continue;
    const method = path[path.length - 1];
    const recv = path.slice(0, -1).join('.');
    if (ROOTS[method] && DB.test(recv)) builderSite(ctx, facts, call, ROOTS[method]);
    else if ((method === 'findMany' || method === 'findFirst') && path.length >= 3 && path[path.length - 3] === 'query' && DB.test(path.slice(0, -3).join('.'))) relationalSite(ctx, facts, call, path[path.length - 2], method);
  }
}

function newSite(ctx: TsContext, call: TS.Node, top: TS.Node, op: QuerySite['operation'], model: string): QuerySite {
  return {
    id: `${ctx.path}:${call.getStart(ctx.sf)}`, span: ctx.span(top), orm: 'drizzle', operation: op, executes: true, models: [model], tables: [],
    predicates: [], orderBy: [], eagerLoads: [], joins: [], limited: false, code: clip(ctx.src(top)),
  };
}

function finish(ctx: TsContext, facts: FileFacts, site: QuerySite, top: TS.Node): void {
  const loop = innermostLoop(ctx, top);
  if (loop) site.loop = loop.ref;
  const fn = functionNameOf(ctx, top);
  if (fn) site.functionName = fn;
  facts.queries.push(site);
}

function builderSite(ctx: TsContext, facts: FileFacts, call: TS.CallExpression, op: QuerySite['operation']): void {
  const { ts } = ctx;
  const links: TS.CallExpression[] = [];
  let top: TS.Expression = call;
  while (top.parent && ts.isPropertyAccessExpression(top.parent) && top.parent.parent && ts.isCallExpression(top.parent.parent) && top.parent.parent.expression === top.parent) {
    top = top.parent.parent;
    links.push(top as TS.CallExpression);
  }
  const name = (c: TS.CallExpression) => (c.expression as TS.PropertyAccessExpression).name.text;
  const tableArg = op === 'select' ? links.find((l) => name(l) === 'from')?.arguments[0] : call.arguments[0];
  const t = strip(ctx, tableArg);
  if (!t || !ts.isIdentifier(t)) return;
  const model = t.text;
  const site = newSite(ctx, call, top, op, model);
  if (links.some((l) => NOT_RUN.has(name(l)))) site.executes = false;
  for (const l of links) {
    const m = name(l);
    if (m === 'where') condition(ctx, l.arguments[0], undefined, model, site.predicates);
    else if (m === 'orderBy') for (const a of l.arguments) orderRef(ctx, a, undefined, site);
    else if (m === 'limit') site.limited = true;
    else if (/^(left|right|inner|full)Join$/.test(m)) {
      const j = strip(ctx, l.arguments[0]);
      if (j && ts.isIdentifier(j)) site.joins.push(j.text);
    }
  }
  finish(ctx, facts, site, top);
}

function relationalSite(ctx: TsContext, facts: FileFacts, call: TS.CallExpression, model: string, method: string): void {
  const { ts } = ctx;
  const site = newSite(ctx, call, call, 'select', model);
  site.limited = method === 'findFirst';
  const a = strip(ctx, call.arguments[0]);
  const opts = a && ts.isObjectLiteralExpression(a) ? a : undefined;
  if (opts) {
    if (prop(ctx, opts, 'limit')) site.limited = true;
    const where = strip(ctx, prop(ctx, opts, 'where'));
    if (where && (ts.isArrowFunction(where) || ts.isFunctionExpression(where))) {
      const p0 = where.parameters[0]?.name;
      const body = ts.isBlock(where.body) ? undefined : where.body;
      if (body) condition(ctx, body, p0 && ts.isIdentifier(p0) ? p0.text : undefined, model, site.predicates);
    } else condition(ctx, where, undefined, model, site.predicates);
    const order = strip(ctx, prop(ctx, opts, 'orderBy'));
    if (order) {
      const items = ts.isArrayLiteralExpression(order) ? [...order.elements] : [order];
      for (const it of items) orderRef(ctx, it, undefined, site);
    }
    const w = strip(ctx, prop(ctx, opts, 'with'));
    if (w && ts.isObjectLiteralExpression(w)) for (const p of w.properties) {
      const k = propName(ctx, p);
      if (k) site.eagerLoads.push(k);
    }
  }
  finish(ctx, facts, site, call);
}

/** `users.email` (or `u.email` where `u` is the where-callback's parameter) → [model, property]. */
function colRef(ctx: TsContext, n: TS.Expression | undefined, param: string | undefined, model: string): [string, string] | undefined {
  const p = n && memberPath(ctx, strip(ctx, n)!);
  if (!p || p.length !== 2) return undefined;
  return [p[0] === param ? model : p[0], p[1]];
}

function condition(ctx: TsContext, n: TS.Expression | undefined, param: string | undefined, model: string, out: Predicate[]): void {
  const { ts } = ctx;
  const e = strip(ctx, n);
  if (!e || !ts.isCallExpression(e)) return;
  const callee = memberPath(ctx, e.expression);
  const fn = callee?.[callee.length - 1];
  if (!fn) return;
  if (fn === 'and') {
    for (const a of e.arguments) condition(ctx, a, param, model, out);
    return;
  }
  const ref = colRef(ctx, e.arguments[0], param, model);
  if (!ref) return;
  let op: PredicateOp | undefined = COND[fn];
  if (/^(i?like|notIlike|notLike)$/.test(fn)) {
    if (fn.startsWith('not')) op = 'other';
    else {
      const v = e.arguments[1];
      const built = v ? classifySql(ctx, v) : undefined;
      // A pattern that starts with a value (`${q}%`) is a prefix search; one that is only a value is unknown.
      const text = built?.text;
      const leading = text !== undefined && text.startsWith('%');
      if (text === undefined || /^\$\d+$/.test(text)) op = 'other';
      else op = fn === 'ilike' ? (leading ? 'ilike-contains' : 'ilike-prefix') : leading ? 'like-contains' : 'like-prefix';
    }
  }
  if (op) out.push({ model: ref[0], column: ref[1], op, span: ctx.span(e) });
}

function orderRef(ctx: TsContext, n: TS.Expression, param: string | undefined, site: QuerySite): void {
  const { ts } = ctx;
  let e = strip(ctx, n);
  if (e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && /^(asc|desc)$/.test(e.expression.text)) e = strip(ctx, e.arguments[0]);
  const ref = e && colRef(ctx, e, param, site.models[0]);
  if (ref) site.orderBy.push({ model: ref[0], column: ref[1], span: ctx.span(n) });
}
