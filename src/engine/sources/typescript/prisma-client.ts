import type * as TS from 'typescript';
import { type ColumnRef, type FileFacts, type Predicate, type PredicateOp, type QuerySite, querySite } from '../../facts';
import { classifySql, type Built, rawSite } from './rawsql';
import { clip, declarationOf, enclosingFunction, functionNameOf, memberPath, prop, propName, strip, type TsContext } from './context';
import { innermostLoop } from './loops';
import { columnWrite } from './writes';

// Prisma Client calls: `prisma.<model>.<method>({ where, orderBy, include, select, take, data })` on any
// receiver that is a Prisma client (`prisma`, `this.prisma`, a `$transaction` callback's `tx`, `db`), and
// the raw escape hatches: `$queryRaw\`…\`` / `$executeRaw` (tagged: bound parameters) versus
// `$queryRawUnsafe` / `$executeRawUnsafe` (text built by the caller).

const METHODS: Record<string, QuerySite['operation']> = {
  findMany: 'select',
  findFirst: 'select',
  findFirstOrThrow: 'select',
  findUnique: 'get',
  findUniqueOrThrow: 'get',
  count: 'count',
  aggregate: 'select',
  groupBy: 'select',
  create: 'insert',
  createMany: 'insert',
  createManyAndReturn: 'insert',
  update: 'update',
  updateMany: 'update',
  updateManyAndReturn: 'update',
  upsert: 'insert',
  delete: 'delete',
  deleteMany: 'delete',
};
const LIMITED = new Set(['findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'count', 'aggregate', 'create', 'update', 'upsert', 'delete']);
const RAW = new Set(['$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe', '$queryRawTyped']);
/** Receivers that are a Prisma client or transaction client. */
const CLIENT = /^(prisma|tx|trx|db|client|prismaClient|prismaService|database|transaction)$/i;
const NOT_MODELS = new Set(['query', 'select', 'insert', 'update', 'delete', 'schema', 'raw', 'fn', 'transaction']);

const OPS: Record<string, PredicateOp> = {
  equals: 'eq',
  in: 'in',
  lt: 'range',
  lte: 'range',
  gt: 'range',
  gte: 'range',
  not: 'other',
  notIn: 'other',
  search: 'fulltext',
  has: 'other',
  hasSome: 'other',
  hasEvery: 'other',
  isEmpty: 'other',
  path: 'other',
  array_contains: 'other',
  string_contains: 'other',
};
const RELATION_FILTERS = new Set(['some', 'every', 'none', 'is', 'isNot']);

export function usesPrisma(ctx: TsContext): boolean {
  for (const i of ctx.imports) if (/@prisma\/client|\.prisma\/client|\/generated\/prisma|prisma$/.test(i)) return true;
  return /\bprisma\b|\$transaction|\$queryRaw/.test(ctx.text);
}

export function extractPrismaClient(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  const sites: { site: QuerySite; call: TS.CallExpression; method: string; where?: TS.ObjectLiteralExpression; data?: TS.ObjectLiteralExpression }[] = [];
  for (const call of ctx.calls) {
    const path = memberPath(ctx, call.expression);
    if (!path || path.length < 2) continue;
    const method = path[path.length - 1];
    if (RAW.has(method)) {
      rawCall(ctx, facts, call, method);
      continue;
    }
    const op = METHODS[method];
    if (!op || path.length < 3) continue;
    const accessor = path[path.length - 2];
    const client = path[path.length - 3];
    if (NOT_MODELS.has(accessor) || !/^[a-z]/.test(accessor) || !(CLIENT.test(client) || /prisma/i.test(client))) continue;
    const model = accessor[0].toUpperCase() + accessor.slice(1);
    const arg = objectArg(ctx, call.arguments[0]);
    const site = querySite({
      id: `${ctx.path}:${call.getStart(ctx.sf)}`,
      span: ctx.span(call),
      orm: 'prisma',
      operation: op,
      executes: true,
      models: [model],
      limited: LIMITED.has(method),
      code: clip(ctx.src(call)),
    });
    const loop = innermostLoop(ctx, call);
    if (loop) site.loop = loop.ref;
    const fn = functionNameOf(ctx, call);
    if (fn) site.functionName = fn;
    const where = objectArg(ctx, prop(ctx, arg, 'where'));
    if (where) whereClause(ctx, where, model, site.predicates);
    orderBy(ctx, prop(ctx, arg, 'orderBy'), model, site.orderBy);
    for (const key of ['include', 'select'] as const) {
      const o = objectArg(ctx, prop(ctx, arg, key));
      for (const p of o?.properties ?? []) {
        const name = propName(ctx, p);
        if (!name || name === '_count') continue;
        const v = ts.isPropertyAssignment(p) ? strip(ctx, p.initializer) : undefined;
        if (key === 'include' || (v && ts.isObjectLiteralExpression(v))) site.eagerLoads.push(name);
      }
    }
    if (prop(ctx, arg, 'take') || prop(ctx, arg, 'cursor')) site.limited = true;
    facts.queries.push(site);
    const data = objectArg(ctx, prop(ctx, arg, method === 'upsert' ? 'create' : 'data'));
    if (data && (op === 'insert' || op === 'update')) {
      for (const p of data.properties) {
        const name = propName(ctx, p);
        if (!name) continue;
        const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
        if (!value || (ts.isObjectLiteralExpression(strip(ctx, value)!) && !/^[a-z]/.test(name))) continue;
        if (ts.isObjectLiteralExpression(strip(ctx, value)!)) continue; // nested writes (connect/create) are relations
        facts.columnWrites.push(columnWrite(ctx, p, model, name, value));
      }
    }
    sites.push({ site, call, method, where, data });
  }
  checkThenInsert(ctx, facts, sites);
}

function objectArg(ctx: TsContext, n: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const { ts } = ctx;
  const e = strip(ctx, n);
  if (!e) return undefined;
  if (ts.isObjectLiteralExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const d = declarationOf(ctx, e.text, e);
    const init = strip(ctx, d?.decl?.initializer);
    if (init && ts.isObjectLiteralExpression(init)) return init;
  }
  return undefined;
}

/** Prisma `where` → predicates on the model's fields; relation filters and unknown shapes are skipped. */
function whereClause(ctx: TsContext, where: TS.ObjectLiteralExpression, model: string, out: Predicate[], depth = 0): void {
  const { ts } = ctx;
  if (depth > 4) return;
  for (const p of where.properties) {
    const name = propName(ctx, p);
    if (!name) continue;
    const span = ctx.span(p.name ?? p);
    if (ts.isShorthandPropertyAssignment(p)) {
      out.push({ model, column: name, op: 'eq', span });
      continue;
    }
    if (!ts.isPropertyAssignment(p)) continue;
    const v = strip(ctx, p.initializer)!;
    if (name === 'AND' || name === 'OR' || name === 'NOT') {
      // OR branches can each use a different index; only AND-ed conditions are read.
      if (name !== 'AND') continue;
      const items = ts.isArrayLiteralExpression(v) ? v.elements : [v];
      for (const it of items) {
        const o = objectArg(ctx, it as TS.Expression);
        if (o) whereClause(ctx, o, model, out, depth + 1);
      }
      continue;
    }
    if (!ts.isObjectLiteralExpression(v)) {
      out.push({ model, column: name, op: 'eq', span });
      continue;
    }
    const keys = v.properties.map((x) => propName(ctx, x)).filter((k): k is string => !!k);
    if (keys.some((k) => RELATION_FILTERS.has(k))) continue;
    const insensitive = keys.includes('mode') && /insensitive/.test(ctx.src(prop(ctx, v, 'mode')!));
    const ops = keys.filter((k) => k !== 'mode');
    if (ops.length && ops.every((k) => k in OPS || k === 'contains' || k === 'startsWith' || k === 'endsWith')) {
      for (const k of ops) {
        let op: PredicateOp = OPS[k] ?? 'other';
        if (k === 'contains' || k === 'endsWith') op = insensitive ? 'ilike-contains' : 'like-contains';
        if (k === 'startsWith') op = insensitive ? 'ilike-prefix' : 'like-prefix';
        if (k === 'equals' && insensitive) op = 'other';
        out.push({ model, column: name, op, span });
      }
      continue;
    }
    // A compound unique input: `email_tenantId: { email, tenantId }`.
    if (name.includes('_') && keys.length > 1 && keys.every((k) => name.split('_').includes(k))) {
      for (const k of keys) out.push({ model, column: k, op: 'eq', span });
    }
  }
}

function orderBy(ctx: TsContext, n: TS.Expression | undefined, model: string, out: ColumnRef[]): void {
  const { ts } = ctx;
  const e = strip(ctx, n);
  if (!e) return;
  const items = ts.isArrayLiteralExpression(e) ? e.elements : [e];
  for (const it of items) {
    const o = strip(ctx, it as TS.Expression);
    if (!o || !ts.isObjectLiteralExpression(o)) continue;
    for (const p of o.properties) {
      const name = propName(ctx, p);
      if (!name || !ts.isPropertyAssignment(p)) continue;
      const v = strip(ctx, p.initializer)!;
      if (ts.isStringLiteral(v) || (ts.isObjectLiteralExpression(v) && prop(ctx, v, 'sort'))) out.push({ model, column: name, span: ctx.span(p.name) });
    }
  }
}

function rawCall(ctx: TsContext, facts: FileFacts, call: TS.CallExpression, method: string): void {
  const arg = call.arguments[0];
  if (!arg) return;
  let built: Built;
  if (method.endsWith('Unsafe')) built = classifySql(ctx, arg);
  else {
    built = classifySql(ctx, arg);
    // `$queryRaw(Prisma.sql\`…\`)` binds; `$queryRaw(someSqlObject)` is a Prisma.Sql built elsewhere.
    if (built.construction === 'variable' || built.construction === 'unknown') built = { ...built, construction: 'tagged', parameterized: true };
  }
  rawSite(ctx, facts, call, 'prisma', built, call.arguments.length > 1);
}

/** Tagged `prisma.$queryRaw\`…\`` (with or without type arguments): always bound. */
export function extractPrismaTagged(ctx: TsContext, facts: FileFacts): void {
  for (const t of ctx.tagged) {
    const path = memberPath(ctx, t.tag);
    const m = path?.[path.length - 1];
    if (!m || !RAW.has(m) || m.endsWith('Unsafe')) continue;
    rawSite(ctx, facts, t, 'prisma', classifySql(ctx, t), true);
  }
}

/**
 * `findFirst({ where: { email } })` followed, in the same function, by `create({ data: { email, … } })` on
 * the same model: a check-then-insert that only a unique constraint makes safe.
 */
function checkThenInsert(ctx: TsContext, facts: FileFacts, sites: { site: QuerySite; call: TS.CallExpression; method: string; data?: TS.ObjectLiteralExpression }[]): void {
  const { ts } = ctx;
  for (const check of sites) {
    if (!/^(findFirst|findFirstOrThrow|count)$/.test(check.method)) continue;
    const preds = check.site.predicates;
    if (!preds.length || preds.some((p) => p.op !== 'eq')) continue;
    const fn = enclosingFunction(ctx, check.call);
    const insert = sites.find((s) => s.method === 'create' && s.site.models[0] === check.site.models[0] && s.call.pos > check.call.pos && enclosingFunction(ctx, s.call) === fn && s.data);
    if (!insert) continue;
    const written = new Set(insert.data!.properties.map((p) => propName(ctx, p)).filter(Boolean));
    if (insert.data!.properties.some((p) => ts.isSpreadAssignment(p))) for (const p of preds) written.add(p.column);
    const cols = [...new Set(preds.map((p) => p.column))];
    if (!cols.every((c) => written.has(c))) continue;
    facts.uniquenessAssumptions.push({
      span: check.site.span,
      kind: 'check-then-insert',
      model: check.site.models[0],
      columns: cols,
      insertSpan: insert.site.span,
      code: check.site.code,
      functionName: check.site.functionName,
    });
  }
}
