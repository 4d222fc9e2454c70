import type * as TS from 'typescript';
import type { FileFacts } from '../../facts';
import { imports, memberPath, prop, strip, type TsContext } from './context';
import { classifySql, judge, looksLikeSql, rawSite } from './rawsql';

// Raw SQL sinks that take text plus separate values: node-postgres `pool.query(text, values)` /
// `client.query({ text, values })`, postgres.js-style `sql.unsafe(text)`, TypeORM `dataSource.query(text,
// params)` / `queryRunner.query`, Sequelize `sequelize.query(text, { replacements, bind })`, Knex
// `knex.raw(text, bindings)`, Drizzle `sql.raw(text)` (raw text spliced into a query: never bound).

const QUERY_RECEIVER = /(pool|client|db|pg|conn|connection|tx|trx|queryRunner|dataSource|datasource|manager|entityManager|sequelize|database|runner|knex|postgres)$/i;
const RAW_RECEIVER = /^(knex|db|trx|tx|k|database|this\.knex|this\.db)$/i;

function ormOf(ctx: TsContext, recv: string): string {
  if (/queryRunner|dataSource|manager|entityManager/i.test(recv) || imports(ctx, /^typeorm$/)) return 'typeorm';
  if (/sequelize/i.test(recv) || imports(ctx, /^sequelize(-typescript)?$/)) return 'sequelize';
  if (/knex/i.test(recv) || imports(ctx, /^knex$/)) return 'knex';
  return 'pg';
}

export function extractRawSinks(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  for (const call of ctx.calls) {
    if (!ts.isPropertyAccessExpression(call.expression)) continue;
    const method = call.expression.name.text;
    const recvPath = memberPath(ctx, call.expression.expression)?.join('.');
    const arg0 = call.arguments[0];
    if (!arg0 || !recvPath) continue;
    if (method === 'query' && QUERY_RECEIVER.test(recvPath)) {
      let sqlArg: TS.Expression = arg0;
      let values = call.arguments.length > 1;
      const obj = strip(ctx, arg0);
      if (obj && ts.isObjectLiteralExpression(obj)) {
        const text = prop(ctx, obj, 'text') ?? prop(ctx, obj, 'sql');
        if (!text) continue;
        sqlArg = text;
        values ||= !!prop(ctx, obj, 'values');
      }
      const built = classifySql(ctx, sqlArg);
      if (built.construction === 'unknown') continue;
      if (built.text !== undefined && !looksLikeSql(built.text)) continue;
      if (built.construction === 'variable' && !/pool|client|pg|queryRunner|dataSource|sequelize|manager/i.test(recvPath)) continue;
      const orm = ormOf(ctx, recvPath);
      if (orm === 'sequelize' && call.arguments[1]) {
        const opts = strip(ctx, call.arguments[1]);
        values = !!(opts && ts.isObjectLiteralExpression(opts) && (prop(ctx, opts, 'replacements') || prop(ctx, opts, 'bind')));
      }
      rawSite(ctx, facts, call, orm, built, values);
    } else if (method === 'raw' && RAW_RECEIVER.test(recvPath)) {
      const built = classifySql(ctx, arg0);
      if (built.construction === 'unknown' || (built.text !== undefined && !looksLikeSql(built.text) && built.construction === 'literal')) continue;
      rawSite(ctx, facts, call, 'knex', built, call.arguments.length > 1, false);
    } else if ((method === 'raw' && recvPath === 'sql') || (method === 'raw' && recvPath === 'Prisma') || (method === 'unsafe' && /^(sql|postgres|db)$/.test(recvPath))) {
      // Raw text spliced into a query: a parameter passed straight in is pasted SQL.
      let built = classifySql(ctx, arg0);
      if (built.construction === 'literal' || built.construction === 'tagged') {
        rawSite(ctx, facts, call, recvPath === 'Prisma' ? 'prisma' : method === 'unsafe' ? 'pg' : 'drizzle', built, method === 'unsafe' && call.arguments.length > 1, false);
        continue;
      }
      if (built.construction === 'variable' || built.construction === 'unknown') {
        const e = strip(ctx, arg0) ?? arg0;
        built = { construction: 'concat', text: '$1', interpolations: [judge(ctx, e)], parameterized: false, node: e };
      }
      rawSite(ctx, facts, call, recvPath === 'Prisma' ? 'prisma' : method === 'unsafe' ? 'pg' : 'drizzle', built, method === 'unsafe' && call.arguments.length > 1, false);
    }
  }
}

