import type * as TS from 'typescript';
import type { DbClientConfig, FileFacts } from '../../facts';
import { prismaUrlConfig } from '../prisma/index';
import { clip, imports, memberPath, prop, propName, stringLit, strip, type TsContext } from './context';

// Where a Node app creates its connections, with the session settings it gives them: node-postgres
// `new Pool/Client({ statement_timeout, query_timeout, idle_in_transaction_session_timeout, options })`,
// Knex `knex({ client: 'pg', connection, pool: { afterCreate } })`, `new PrismaClient({ datasourceUrl })`,
// TypeORM `new DataSource({ type: 'postgres', extra })`, Sequelize `new Sequelize(url, { dialectOptions })`.
// Settings hidden in a variable or a spread make the config unknown: the timeout rule then stays silent.
// For node-postgres it also records the name the Pool/Client is bound to and whether an 'error' listener is
// attached in this file: an idle client's error is emitted on that object, and unheard it kills the process.

type Timeouts = DbClientConfig['timeouts'];
const KEYS = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'] as const;

export function extractClients(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  for (const n of ctx.news) {
    const name = ctx.src(n.expression).replace(/\s+/g, '');
    const arg = n.arguments?.[0];
    if (/^(pg\.)?(Pool|Client)$/.test(name) && (imports(ctx, /^(pg|pg-pool)$/) || name.startsWith('pg.'))) {
      const kind = /Pool$/.test(name) ? 'pg.Pool' : 'pg.Client';
      facts.clients.push(pgConfig(ctx, n, kind, arg));
    } else if (name === 'PrismaClient' && arg) {
      const o = strip(ctx, arg);
      if (!o || !ts.isObjectLiteralExpression(o)) continue;
      const url = prop(ctx, o, 'datasourceUrl') ?? prop(ctx, objectIn(ctx, prop(ctx, objectIn(ctx, prop(ctx, o, 'datasources')), 'db')), 'url');
      if (url) facts.clients.push(prismaUrlConfig(ctx.src(url), ctx.span(n), clip(ctx.src(n))));
    } else if (name === 'DataSource' && imports(ctx, /^typeorm$/) && arg) {
      const o = objectIn(ctx, arg);
      if (!o || !/postgres/.test(ctx.src(prop(ctx, o, 'type') ?? o))) continue;
      const cfg = base(ctx, n, 'typeorm.DataSource');
      readSettings(ctx, o, cfg);
      const extra = objectIn(ctx, prop(ctx, o, 'extra'));
      if (extra) readSettings(ctx, extra, cfg);
      else if (prop(ctx, o, 'extra')) cfg.settingsKnown = false;
      facts.clients.push(cfg);
    } else if (name === 'Sequelize' && imports(ctx, /^sequelize(-typescript)?$/)) {
      const opts = objectIn(ctx, n.arguments?.[n.arguments.length - 1]);
      const dialect = opts && prop(ctx, opts, 'dialect');
      if (dialect && !/postgres/.test(ctx.src(dialect))) continue;
      const cfg = base(ctx, n, 'sequelize');
      if (opts) {
        readSettings(ctx, opts, cfg);
        const d = objectIn(ctx, prop(ctx, opts, 'dialectOptions'));
        if (d) readSettings(ctx, d, cfg);
        else if (prop(ctx, opts, 'dialectOptions')) cfg.settingsKnown = false;
      }
      facts.clients.push(cfg);
    }
  }
  for (const call of ctx.calls) {
    const callee = ctx.src(call.expression).replace(/\s+/g, '');
    if (!/^(knex|Knex|knex\.knex)$/.test(callee) || !imports(ctx, /^knex$/)) continue;
    const o = objectIn(ctx, call.arguments[0]);
    if (!o) continue;
    const client = stringLit(ctx, strip(ctx, prop(ctx, o, 'client')));
    if (!client || !/^(pg|postgres|postgresql|pg-native)$/.test(client)) continue;
    const cfg = base(ctx, call, 'knex');
    const conn = prop(ctx, o, 'connection');
    const connObj = objectIn(ctx, conn);
    if (connObj) readSettings(ctx, connObj, cfg);
    else if (conn) {
      const s = stringLit(ctx, strip(ctx, conn));
      if (s) urlSettings(s, cfg.timeouts);
    }
    const pool = objectIn(ctx, prop(ctx, o, 'pool'));
    const after = pool && prop(ctx, pool, 'afterCreate');
    if (after) {
      const body = ctx.src(after);
      for (const k of KEYS) if (new RegExp(`\\b${k}\\b`).test(body)) cfg.timeouts[k] = 'afterCreate';
      if (!/\bSET\b/i.test(body) && !Object.keys(cfg.timeouts).length) cfg.settingsKnown = false;
    }
    const max = pool && stringOrNumber(ctx, prop(ctx, pool, 'max'));
    if (max !== undefined) cfg.poolSize = max;
    facts.clients.push(cfg);
  }
}

function base(ctx: TsContext, n: TS.Node, kind: string): DbClientConfig {
  return { span: ctx.span(n), kind, timeouts: {}, settingsKnown: true, code: clip(ctx.src(n)), driver: 'pg' };
}

function objectIn(ctx: TsContext, n: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const e = strip(ctx, n);
  return e && ctx.ts.isObjectLiteralExpression(e) ? e : undefined;
}

function pgConfig(ctx: TsContext, n: TS.NewExpression, kind: string, arg: TS.Expression | undefined): DbClientConfig {
  const cfg = base(ctx, n, kind);
  errorListener(ctx, n, cfg);
  if (!arg) return cfg;
  const o = objectIn(ctx, arg);
  if (!o) {
    cfg.settingsKnown = false;
    return cfg;
  }
  readSettings(ctx, o, cfg);
  cfg.settingsSpan = ctx.span(o);
  const max = stringOrNumber(ctx, prop(ctx, o, 'max'));
  if (max !== undefined) cfg.poolSize = max;
  return cfg;
}

const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener']);

/** `x.on('error', …)` → x; undefined for any other call. */
function errorListenerTarget(ctx: TsContext, call: TS.CallExpression): TS.Expression | undefined {
  const e = call.expression;
  if (!ctx.ts.isPropertyAccessExpression(e) || !LISTEN.has(e.name.text)) return undefined;
  return stringLit(ctx, strip(ctx, call.arguments[0])) === 'error' ? e.expression : undefined;
}

/**
 * Sets `binding` (what `new Pool(…)` is assigned to: `pool`, `this.pool`, `db.pool`) and `errorListener`
 * (an 'error' listener chained on the construction or attached to that binding anywhere in this file).
 */
function errorListener(ctx: TsContext, n: TS.NewExpression, cfg: DbClientConfig): void {
  const { ts } = ctx;
  let top: TS.Expression = n;
  let heard = false;
  // `new Pool(…).on('connect', …).on('error', …)`: listeners chained on the construction.
  for (;;) {
    const p = top.parent;
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isNonNullExpression(p)) top = p;
    else if (ts.isPropertyAccessExpression(p) && LISTEN.has(p.name.text) && ts.isCallExpression(p.parent) && p.parent.expression === p) {
      heard ||= errorListenerTarget(ctx, p.parent) !== undefined;
      top = p.parent;
    } else break;
  }
  const p = top.parent;
  let binding: string | undefined;
  if (ts.isVariableDeclaration(p) && p.initializer === top && ts.isIdentifier(p.name)) binding = p.name.text;
  else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === top) binding = memberPath(ctx, p.left)?.join('.');
  else if (ts.isPropertyDeclaration(p) && p.initializer === top && ts.isIdentifier(p.name)) binding = `this.${p.name.text}`;
  if (binding) {
    cfg.binding = binding;
    for (const call of ctx.calls) {
      const target = errorListenerTarget(ctx, call);
      if (target && memberPath(ctx, target)?.join('.') === binding) heard = true;
    }
  }
  cfg.errorListener = heard;
}

/** statement_timeout / query_timeout / options / connectionString from an options object. */
function readSettings(ctx: TsContext, o: TS.ObjectLiteralExpression, cfg: DbClientConfig): void {
  const { ts } = ctx;
  if (o.properties.some((p) => ts.isSpreadAssignment(p))) cfg.settingsKnown = false;
  for (const p of o.properties) {
    const key = propName(ctx, p);
    if (!key || !ts.isPropertyAssignment(p)) continue;
    const v = strip(ctx, p.initializer)!;
    const text = ctx.src(v);
    if ((KEYS as readonly string[]).includes(key)) cfg.timeouts[key as keyof Timeouts] = text;
    else if (key === 'query_timeout' || key === 'statementTimeout') cfg.timeouts.statement_timeout ??= text;
    else if (key === 'options') {
      const s = stringLit(ctx, v);
      if (s) optionSettings(s, cfg.timeouts);
      else cfg.settingsKnown = false;
    } else if (key === 'connectionString' || key === 'url') {
      const s = stringLit(ctx, v);
      if (s) urlSettings(s, cfg.timeouts);
    }
  }
}

function optionSettings(options: string, out: Timeouts): void {
  for (const k of KEYS) {
    const m = new RegExp(`-c\\s*${k}\\s*=\\s*(\\S+)`).exec(options);
    if (m) out[k] = m[1];
  }
}

function urlSettings(url: string, out: Timeouts): void {
  const q = url.indexOf('?');
  if (q < 0) return;
  const params = new URLSearchParams(url.slice(q + 1));
  optionSettings(params.get('options') ?? '', out);
  for (const k of KEYS) if (params.get(k)) out[k] = params.get(k)!;
}

function stringOrNumber(ctx: TsContext, n: TS.Expression | undefined): number | undefined {
  const e = strip(ctx, n);
  if (e && ctx.ts.isNumericLiteral(e)) return Number(e.text);
  return undefined;
}
