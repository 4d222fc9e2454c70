import * as assert from 'assert';
import { analyzeFiles, type QuerySite } from '../../src/engine';
import { ready$ } from '../helpers';

// Facts from the TS/JS front end: Prisma query sites (predicate ops, eager loads, limits, loops), raw SQL
// construction, Knex chains, TypeORM repositories, clients and functions.

const facts = (files: Record<string, string>) => analyzeFiles(Object.entries(files).map(([path, text]) => ({ path, text }))).facts;
const preds = (q: QuerySite) => q.predicates.map((p) => `${p.model ?? p.table}.${p.column}:${p.op}`);

describe('typescript facts', () => {
  before(ready$);

  it('reads Prisma where/orderBy/include/take and loops', () => {
    const f = facts({
      'src/a.ts': `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export async function list(q: string, ids: number[], from: Date) {
  const rows = await this.prisma.post.findMany({
    where: { status: 'open', id: { in: ids }, createdAt: { gte: from }, title: { contains: q, mode: 'insensitive' }, slug: { startsWith: q }, AND: [{ authorId: 1 }], OR: [{ x: 1 }] },
    orderBy: [{ createdAt: 'desc' }], include: { author: true }, take: 10 });
  for await (const r of rows) await prisma.user.findUnique({ where: { id: r.authorId } });
  await Promise.all(rows.map(async (r) => tx.comment.count({ where: { postId: r.id } })));
}`,
    });
    const [list, get, count] = f.queries;
    assert.deepStrictEqual(preds(list), ['Post.status:eq', 'Post.id:in', 'Post.createdAt:range', 'Post.title:ilike-contains', 'Post.slug:like-prefix', 'Post.authorId:eq']);
    assert.deepStrictEqual(list.orderBy.map((o) => o.column), ['createdAt']);
    assert.deepStrictEqual(list.eagerLoads, ['author']);
    assert.strictEqual(list.limited, true);
    assert.strictEqual(list.functionName, 'src.a.list');
    assert.strictEqual(get.loop?.kind, 'async-for');
    assert.strictEqual(count.loop?.kind, 'map');
    assert.strictEqual(count.loop?.iterable, 'rows');
  });

  it('classifies raw SQL construction', () => {
    const f = facts({
      'src/r.ts': `import { Pool } from 'pg';
const pool = new Pool();
export async function r(name: string) {
  await pool.query(\`SELECT 1 FROM t WHERE a = '\${name}'\`);
  await pool.query('SELECT 1 FROM t WHERE a = ' + name);
  await pool.query('SELECT 1 FROM t WHERE a = $1', [name]);
  await prisma.$queryRaw<{ a: number }[]>\`SELECT 1 FROM t WHERE a = \${name}\`;
  let sql = 'SELECT 1 FROM t';
  sql += \` WHERE a = '\${name}'\`;
  await pool.query(sql);
}`,
    });
    const got = f.queries.map((q) => `${q.orm}:${q.sql?.construction}:${q.sql?.parameterized}:${q.sql?.interpolations.map((i) => i.safe).join()}`).sort();
    assert.deepStrictEqual(got, ['pg:concat:false:false', 'pg:fstring:false:false', 'pg:fstring:false:false', 'pg:literal:true:', 'prisma:tagged:true:true']);
    assert.ok(f.queries.some((q) => q.orm === 'prisma' && q.sql?.construction === 'tagged'));
    assert.ok(f.queries.some((q) => q.orm === 'pg' && q.code.includes('query(sql)') && q.sql?.construction === 'fstring'));
  });

  it('reads Knex chains, TypeORM repositories, functions and calls in loops', () => {
    const f = facts({
      'src/k.ts': `import knex from 'knex';
const db = knex({ client: 'pg', connection: { statement_timeout: 3000 } });
export async function search(q: string) { return db('jobs').where({ status: 'open' }).whereILike('title', \`%\${q}%\`).orderBy('created_at').limit(5); }
export async function each(ids: number[]) { for (const id of ids) { await search(String(id)); } }`,
      'src/t.ts': `import { Repository, ILike } from 'typeorm';
export class S { constructor(private readonly users: Repository<User>) {}
  find(q: string) { return this.users.find({ where: { name: ILike(\`%\${q}%\`), team: 1 }, relations: ['team'], order: { name: 'ASC' } }); } }`,
    });
    const k = f.queries.find((q) => q.orm === 'knex')!;
    assert.deepStrictEqual(preds(k), ['jobs.status:eq', 'jobs.title:ilike-contains']);
    assert.strictEqual(k.limited, true);
    const t = f.queries.find((q) => q.orm === 'typeorm')!;
    assert.deepStrictEqual(preds(t), ['User.name:ilike-contains', 'User.team:eq']);
    assert.deepStrictEqual(t.eagerLoads, ['team']);
    assert.strictEqual(f.clients.find((c) => c.kind === 'knex')?.timeouts.statement_timeout, '3000');
    assert.ok(f.functions.find((x) => x.name === 'search')?.queries);
    assert.strictEqual(f.indirectLoopQueries[0]?.call.callee, 'search');
  });

  it('does not load TypeScript for a Python-only project and reports syntax errors', () => {
    const f = facts({ 'src/bad.ts': 'const x = prisma.user.findMany({ where: { a: 1 } ' });
    assert.ok(f.problems.some((p) => /TypeScript syntax error/.test(p.message)));
  });
});
