import type * as TS from 'typescript';
import type { FileFacts, QuerySite } from '../../facts';
import { clip, functionNameOf, imports, memberPath, prop, propName, stringLit, strip, type TsContext } from './context';
import { innermostLoop } from './loops';
import { classifySql } from './rawsql';
import { ident, isMigrationPath, pushMigration, type Step } from './migrations';

// Sequelize: model queries (`Model.findAll/findOne/findByPk/count({ where, include, order, limit })`) and
// migrations (`queryInterface.addIndex`, `addColumn`, `sequelize.query`). sequelize-cli runs a migration
// without a transaction unless the migration opens one itself, which `CREATE INDEX CONCURRENTLY` needs.

const FIND: Record<string, QuerySite['operation']> = { findAll: 'select', findOne: 'select', findByPk: 'get', count: 'count', findAndCountAll: 'select', findOrCreate: 'select', destroy: 'delete', update: 'update' };

export function extractSequelize(ctx: TsContext, facts: FileFacts): void {
  if (!imports(ctx, /^sequelize(-typescript)?$/) && !/queryInterface|sequelize/i.test(ctx.text)) return;
  if (isMigrationPath(ctx.path) && /queryInterface/.test(ctx.text)) return migration(ctx, facts);
  const { ts } = ctx;
  for (const call of ctx.calls) {
    const path = memberPath(ctx, call.expression);
    if (!path || path.length !== 2 || !/^[A-Z]/.test(path[0])) continue;
    const op = FIND[path[1]];
    if (!op || /^(Promise|Object|Array|JSON|Math|Date|Prisma)$/.test(path[0])) continue;
    const model = path[0];
    const o = strip(ctx, call.arguments[path[1] === 'update' ? 1 : 0]);
    const opts = o && ts.isObjectLiteralExpression(o) ? o : undefined;
    if (!opts && path[1] !== 'findByPk') continue;
    const site: QuerySite = {
      id: `${ctx.path}:${call.getStart(ctx.sf)}`, span: ctx.span(call), orm: 'sequelize', operation: op, executes: true, models: [model], tables: [],
      predicates: [], orderBy: [], eagerLoads: [], joins: [], limited: path[1] !== 'findAll' || !!prop(ctx, opts, 'limit'), code: clip(ctx.src(call)),
    };
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
