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
  it('reads TypeORM QueryBuilder chains', () => {
    const f = facts({
      'src/q.ts': `import { Repository } from 'typeorm';
export class S { constructor(private readonly users: Repository<User>) {}
  async list(email: string, q: string, name: string) {
    const qb = this.users.createQueryBuilder('u').where('u.email = :email AND u.age >= :age', { email, age: 18 });
    qb.andWhere('u.name ILIKE :q', { q: \`%\${q}%\` }).orderBy('u.createdAt', 'DESC').leftJoinAndSelect('u.posts', 'p').leftJoin('u.team', 't');
    const rows = await qb.getMany();
    return this.users.createQueryBuilder('u').where(\`u.name = '\${name}'\`).getOne();
  } }`,
    });
    const [list, one] = f.queries.filter((q) => q.orm === 'typeorm');
    assert.deepStrictEqual(preds(list), ['User.email:eq', 'User.age:range', 'User.name:ilike-contains']);
    assert.deepStrictEqual(list.orderBy.map((o) => o.column), ['createdAt']);
    assert.deepStrictEqual(list.eagerLoads, ['posts']);
    assert.deepStrictEqual(list.joins, ['team']);
    assert.strictEqual(list.executes, true);
    assert.strictEqual(list.limited, false);
    assert.strictEqual(one.limited, true);
    assert.strictEqual(one.sql?.construction, 'fstring');
    assert.strictEqual(one.sql?.interpolations[0].safe, false);
  });

  it('reads Drizzle query sites', () => {
    const f = facts({
      'src/d.ts': `import { and, eq, ilike, or, desc } from 'drizzle-orm';
import { users } from './schema';
export async function s(x: string, q: string, ids: number[]) {
  await db.select().from(users).where(and(eq(users.email, x), ilike(users.name, \`%\${q}%\`))).orderBy(desc(users.createdAt)).limit(5);
  await db.select().from(users).where(or(eq(users.email, x), eq(users.id, 1)));
  for (const id of ids) await db.query.users.findMany({ where: (u, { eq }) => eq(u.teamId, id), with: { posts: true } });
  await db.delete(users).where(eq(users.id, 1));
}`,
    });
    const [a, b, c, d] = f.queries.filter((q) => q.orm === 'drizzle');
    assert.deepStrictEqual(preds(a), ['users.email:eq', 'users.name:ilike-contains']);
    assert.deepStrictEqual(a.orderBy.map((o) => o.column), ['createdAt']);
    assert.strictEqual(a.limited, true);
    assert.deepStrictEqual(preds(b), []);
    assert.deepStrictEqual(preds(c), ['users.teamId:eq']);
    assert.deepStrictEqual(c.eagerLoads, ['posts']);
    assert.strictEqual(c.loop?.kind, 'for');
    assert.strictEqual(d.operation, 'delete');
  });

  it('reads Sequelize models and associations', () => {
    const f = facts({
      'models/index.js': `const { Sequelize, DataTypes, Model } = require('sequelize');
const sequelize = new Sequelize('postgres://x/y');
const User = sequelize.define('User', { email: { type: DataTypes.STRING(100), unique: true }, teamId: { type: DataTypes.INTEGER, field: 'team_id', references: { model: 'teams', key: 'id' } } }, { indexes: [{ fields: ['team_id', 'email'] }, { fields: [{ name: 'email', operator: 'gin_trgm_ops' }], using: 'GIN' }] });
class Post extends Model {}
Post.init({ id: { type: DataTypes.BIGINT, primaryKey: true }, authorId: { type: DataTypes.INTEGER, references: { model: User } } }, { sequelize, tableName: 'posts', underscored: true });
User.hasMany(Post, { as: 'posts' });
Post.belongsTo(User);`,
    });
    const users = f.schema.tables.get('Users')!;
    assert.deepStrictEqual(users.columns.map((c) => `${c.name}:${c.type}`), ['id:integer', 'email:character varying(100)', 'team_id:integer']);
    assert.deepStrictEqual(users.foreignKeys.map((k) => `${k.columns}->${k.refTable}.${k.refColumns}`), ['team_id->teams.id']);
    assert.deepStrictEqual(users.indexes.map((i) => `${i.keys.map((k) => k.column + (k.opclass ? ` ${k.opclass}` : '')).join(',')}:${i.method}:${i.unique}`), ['email:btree:true', 'team_id,email:btree:false', 'email gin_trgm_ops:gin:false']);
    assert.deepStrictEqual(users.relationships.map((r) => `${r.name}->${r.target}:${r.uselist}`), ['posts->Post:true']);
    const posts = f.schema.tables.get('posts')!;
    assert.deepStrictEqual(posts.primaryKey, ['id']);
    assert.deepStrictEqual(posts.foreignKeys.map((k) => `${k.columns}->${k.refTable}`), ['author_id->Users']);
    assert.deepStrictEqual(posts.relationships.map((r) => r.name), ['User']);
  });
});
