import type * as TS from 'typescript';
import { type FileFacts, type Predicate, type PredicateOp, querySite } from '../../facts';
import { clip, functionNameOf, imports, memberPath, propName, stringLit, strip, type TsContext } from './context';
import { innermostLoop } from './loops';
import { classifySql } from './rawsql';
import { ident, isMigrationPath, pushMigration, type Step } from './migrations';

// Knex: query-builder chains rooted at `knex('table')` / `db('table')` / `trx('table')` (where, whereIn,
// whereILike, orderBy, first, limit), and migrations (`exports.up` / `export async function up(knex)`):
// `knex.raw`, `knex.schema.raw`, `createTable` / `alterTable` with `table.index`, `table.unique`,
// `.references()`, translated to SQL; `exports.config = { transaction: false }` opts out of the transaction.

const ROOT = /^(knex|db|trx|tx|k|database|this\.knex|this\.db|conn)$/;
const TERMINAL = new Set(['then', 'first', 'pluck', 'count', 'insert', 'update', 'del', 'delete', 'returning', 'select', 'where', 'orderBy', 'limit']);

export function extractKnex(ctx: TsContext, facts: FileFacts): void {
  const knexFile = imports(ctx, /^knex$/) || /\bknex\b/.test(ctx.text);
  if (!knexFile) return;
  if (isMigrationPath(ctx.path) && /\b(exports\.up|function up|up\s*[:=])/.test(ctx.text) && !/queryInterface|queryRunner/.test(ctx.text)) migration(ctx, facts);
  else builder(ctx, facts);
}

function builder(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  for (const call of ctx.calls) {
    // A root: knex('jobs') / db('jobs') / knex.from('jobs') — take the outermost call of its chain.
    const root = rootTable(ctx, call);
    if (!root) continue;
    let top: TS.Expression = call;
    const links: TS.CallExpression[] = [];
    while (top.parent && ts.isPropertyAccessExpression(top.parent) && top.parent.parent && ts.isCallExpression(top.parent.parent)) {
      top = top.parent.parent;
      links.push(top as TS.CallExpression);
    }
    const site = querySite({
      id: `${ctx.path}:${call.getStart(ctx.sf)}`,
      span: ctx.span(top),
      orm: 'knex',
      operation: 'select',
      executes: true,
      tables: [root],
      code: clip(ctx.src(top)),
    });
    for (const l of links) {
      const m = (l.expression as TS.PropertyAccessExpression).name.text;
      const a0 = l.arguments[0];
      const col = stringLit(ctx, strip(ctx, a0))?.replace(/^.*\./, '');
      const pred = (op: PredicateOp) => col && site.predicates.push({ table: root, column: col, op, span: ctx.span(a0) } as Predicate);
      if (m === 'where' || m === 'andWhere') {
        const o = strip(ctx, a0);
        if (o && ts.isObjectLiteralExpression(o)) {
          for (const p of o.properties) {
            const k = propName(ctx, p)?.replace(/^.*\./, '');
            if (k) site.predicates.push({ table: root, column: k, op: 'eq', span: ctx.span(p) });
          }
        } else if (l.arguments.length === 2) pred('eq');
        else if (l.arguments.length === 3) {
          const opText = stringLit(ctx, l.arguments[1])?.toLowerCase() ?? '';
          pred(opText === '=' ? 'eq' : /^[<>]=?$/.test(opText) ? 'range' : opText === 'ilike' ? likeOp(ctx, l.arguments[2], true) : opText === 'like' ? likeOp(ctx, l.arguments[2], false) : 'other');
        }
      } else if (m === 'whereIn') pred('in');
      else if (m === 'whereBetween') pred('range');
      else if (m === 'whereNull' || m === 'whereNotNull') pred('null');
      else if (m === 'whereILike') pred(likeOp(ctx, l.arguments[1], true));
      else if (m === 'whereLike') pred(likeOp(ctx, l.arguments[1], false));
      else if (m === 'orderBy' && col) site.orderBy.push({ table: root, column: col, span: ctx.span(a0) });
      else if (m === 'first' || m === 'limit') site.limited = true;
      else if (m === 'insert') site.operation = 'insert';
      else if (m === 'update') site.operation = 'update';
      else if (m === 'del' || m === 'delete') site.operation = 'delete';
      else if (m === 'count') site.operation = 'count';
      else if (/^(join|leftJoin|innerJoin)$/.test(m) && col) site.joins.push(col);
    }
    const loop = innermostLoop(ctx, top);
    if (loop) site.loop = loop.ref;
    const fn = functionNameOf(ctx, top);
    if (fn) site.functionName = fn;
    facts.queries.push(site);
  }
}

function likeOp(ctx: TsContext, v: TS.Expression | undefined, ci: boolean): PredicateOp {
  const built = v ? classifySql(ctx, v) : undefined;
  const text = built?.text ?? (v ? ctx.src(v) : '');
  const leading = /^[`'"]?%|^\$\d/.test(text) || /`%\$\{/.test(ctx.src(v ?? ctx.sf));
  return leading ? (ci ? 'ilike-contains' : 'like-contains') : ci ? 'ilike-prefix' : 'like-prefix';
}

function rootTable(ctx: TsContext, call: TS.CallExpression): string | undefined {
  const { ts } = ctx;
  const callee = memberPath(ctx, call.expression)?.join('.');
  if (!callee) return undefined;
  if (ROOT.test(callee) && call.arguments.length === 1) return stringLit(ctx, call.arguments[0])?.split(/\s+as\s+|\s+/i)[0];
  if (/^(knex|db|trx)\.(from|table|into)$/.test(callee)) return stringLit(ctx, call.arguments[0]);
  void ts;
  return undefined;
}

// ----- migrations -----

const TYPES: Record<string, string> = {
  increments: 'serial PRIMARY KEY',
  bigIncrements: 'bigserial PRIMARY KEY',
  integer: 'integer',
  bigInteger: 'bigint',
  text: 'text',
  string: 'varchar(255)',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  datetime: 'timestamptz',
  date: 'date',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  decimal: 'numeric',
  float: 'real',
  double: 'double precision',
  binary: 'bytea',
  enu: 'text',
  enum: 'text',
  specificType: 'text',
};

function migration(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  const steps: Step[] = [];
  const up = findUp(ctx);
  if (!up) return;
  const visit = (n: TS.Node) => {
    if (ts.isCallExpression(n)) {
      const path = memberPath(ctx, n.expression)?.join('.') ?? '';
      const m = /(^|\.)(createTable|createTableIfNotExists|alterTable|table)$/.exec(path);
      if (m && /schema/.test(path)) {
        const table = stringLit(ctx, n.arguments[0]);
        const cb = n.arguments[1];
        if (table && cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) tableBuilder(ctx, steps, n, table, cb, m[2].startsWith('create'));
        return;
      }
      if (/(^|\.)raw$/.test(path) && n.arguments[0]) {
        const built = classifySql(ctx, n.arguments[0]);
        if (built.text) steps.push({ sql: built.text, node: n, op: 'knex.raw' });
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(up);
  const noTx = /\bconfig\s*=\s*\{[^}]*transaction\s*:\s*false/.test(ctx.text);
  pushMigration(ctx, facts, 'knex', steps, !noTx);
}

function findUp(ctx: TsContext): TS.Node | undefined {
  const { ts } = ctx;
  for (const f of ctx.functions) {
    const p = f.parent;
    if (ts.isFunctionDeclaration(f) && f.name?.text === 'up') return f;
    if (p && ts.isBinaryExpression(p) && /(^|\.)up$/.test(ctx.src(p.left))) return f;
    if (p && ts.isPropertyAssignment(p) && propName(ctx, p) === 'up') return f;
    if (ts.isMethodDeclaration(f) && propName(ctx, f as unknown as TS.ObjectLiteralElementLike) === 'up') return f;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) && p.name.text === 'up') return f;
  }
  return undefined;
}

function tableBuilder(ctx: TsContext, steps: Step[], call: TS.CallExpression, table: string, cb: TS.ArrowFunction | TS.FunctionExpression, create: boolean): void {
  const { ts } = ctx;
  const param = cb.parameters[0]?.name;
  if (!param || !ts.isIdentifier(param)) return;
  const cols: string[] = [];
  const after: Step[] = [];
  const stmts = ts.isBlock(cb.body) ? cb.body.statements.map((s) => (ts.isExpressionStatement(s) ? s.expression : undefined)) : [cb.body as TS.Expression];
  for (const e of stmts) {
    if (!e) continue;
    // Unwind `t.integer('x').notNullable().references('id').inTable('users')`.
    const chain: TS.CallExpression[] = [];
    let cur: TS.Expression = e;
    while (ts.isCallExpression(cur)) {
      chain.unshift(cur);
      if (!ts.isPropertyAccessExpression(cur.expression)) break;
      cur = cur.expression.expression;
    }
    if (!ts.isIdentifier(cur) || cur.text !== param.text || !chain.length) continue;
    const head = chain[0];
    const kind = (head.expression as TS.PropertyAccessExpression).name.text;
    const arg = (c: TS.CallExpression, i = 0) => stringLit(ctx, c.arguments[i]);
    const list = (c: TS.CallExpression) => {
      const a = strip(ctx, c.arguments[0]);
      if (a && ts.isArrayLiteralExpression(a)) return a.elements.map((x) => stringLit(ctx, x)).filter((x): x is string => !!x);
      const s = arg(c);
      return s ? [s] : [];
    };
    if (kind === 'index' || kind === 'unique') {
      const c = list(head);
      const name = arg(head, 1) ?? `${table}_${c.join('_')}_${kind}`;
      after.push({ sql: `CREATE ${kind === 'unique' ? 'UNIQUE ' : ''}INDEX ${ident(name)} ON ${ident(table)} (${c.map(ident).join(', ')})`, node: e, op: `table.${kind}` });
      continue;
    }
    if (kind === 'foreign') {
      const c = list(head);
      const refs = chain.find((x) => (x.expression as TS.PropertyAccessExpression).name.text === 'references');
      const inTable = chain.find((x) => (x.expression as TS.PropertyAccessExpression).name.text === 'inTable');
      const r = refs && arg(refs);
      const [rt, rc] = r?.includes('.') ? r.split('.') : [inTable && arg(inTable), r];
      if (rt && rc) after.push({ sql: `ALTER TABLE ${ident(table)} ADD FOREIGN KEY (${c.map(ident).join(', ')}) REFERENCES ${ident(rt)} (${ident(rc)})`, node: e, op: 'table.foreign' });
      continue;
    }
    const type = TYPES[kind];
    const col = arg(head);
    if (!type || !col) continue;
    let def = `${ident(col)} ${type}`;
    const mods = chain.slice(1).map((c) => ({ m: (c.expression as TS.PropertyAccessExpression).name.text, c }));
    if (mods.some((x) => x.m === 'notNullable')) def += ' NOT NULL';
    if (mods.some((x) => x.m === 'primary')) def += ' PRIMARY KEY';
    if (mods.some((x) => x.m === 'unique')) def += ' UNIQUE';
    const refs = mods.find((x) => x.m === 'references');
    const inTable = mods.find((x) => x.m === 'inTable');
    const r = refs && arg(refs.c);
    const [rt, rc] = r?.includes('.') ? r.split('.') : [inTable && arg(inTable.c), r];
    if (mods.some((x) => x.m === 'index')) after.push({ sql: `CREATE INDEX ${ident(`${table}_${col}_index`)} ON ${ident(table)} (${ident(col)})`, node: e, op: 'column.index' });
    if (rt && rc) def += ` REFERENCES ${ident(rt)} (${ident(rc)})`;
    cols.push(def);
    if (!create) after.unshift({ sql: `ALTER TABLE ${ident(table)} ADD COLUMN ${def}`, node: e, op: 'table.addColumn' });
  }
  if (create) steps.push({ sql: `CREATE TABLE ${ident(table)} (${cols.join(', ')})`, node: call, op: 'schema.createTable' });
  steps.push(...after);
}
