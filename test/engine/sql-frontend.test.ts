import * as assert from 'assert';
import { analyzeFiles } from '../../src/engine';
import { classifySqlPath, prepare } from '../../src/engine/sources/sql';
import { ready$ } from '../helpers';

// The .sql front end: which files are migrations (and of which tool), their order, transaction flags,
// parse errors as problems, and non-migration files as tables + EXPLAIN sites + queries.

const run = (files: Record<string, string>) => analyzeFiles(Object.entries(files).map(([path, text]) => ({ path, text })));

describe('sql front end', () => {
  before(ready$);

  it('recognises migration tools by path', () => {
    const k = (p: string) => {
      const c = classifySqlPath(p);
      return c && [c.tool, c.id, c.order, !!c.down];
    };
    assert.deepStrictEqual(k('src/main/resources/db/migration/V1_2__add_jobs.sql'), ['flyway', 'V1.2', '1.2', false]);
    assert.deepStrictEqual(k('db/migration/R__views.sql'), ['flyway', 'R__views', 'zzzz.views', false]);
    assert.deepStrictEqual(k('migrations/000002_add_jobs.up.sql'), ['golang-migrate', '000002', '000002', false]);
    assert.deepStrictEqual(k('migrations/000002_add_jobs.down.sql'), ['golang-migrate', '000002', '000002', true]);
    assert.strictEqual(classifySqlPath('migrations/000002_add_jobs.up.sql')?.downFile, 'migrations/000002_add_jobs.down.sql');
    assert.deepStrictEqual(k('prisma/migrations/20240101120000_init/migration.sql'), ['prisma', '20240101120000_init', '20240101120000', false]);
    assert.deepStrictEqual(k('drizzle/0003_shiny_thing.sql'), ['drizzle', '0003_shiny_thing', '0003', false]);
    assert.deepStrictEqual(k('db/migrations/20151129054053_create_users.sql'), ['sql', '20151129054053_create_users', '20151129054053_create_users', false]);
    assert.strictEqual(classifySqlPath('db/schema.sql'), undefined);
    assert.strictEqual(classifySqlPath('queries/jobs.sql'), undefined);
    assert.strictEqual(classifySqlPath('db/seeds/users.sql'), undefined);
    assert.strictEqual(classifySqlPath('deploy/k8s/init.sql', 'CREATE TABLE t (id int);'), undefined);
    assert.strictEqual(classifySqlPath('sqitch/deploy/users.sql', '-- Deploy app:users to pg\nBEGIN;')?.tool, 'sql');
  });

  it('orders Flyway versions numerically with repeatables last', () => {
    const facts = run({
      'db/migration/R__views.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;',
      'db/migration/V10__ten.sql': 'CREATE TABLE ten (id int);',
      'db/migration/V2__two.sql': 'CREATE TABLE two (id int);',
      'db/migration/V1_1__one_one.sql': 'CREATE TABLE one_one (id int);',
      'db/migration/V1__one.sql': 'CREATE TABLE one (id int);',
    }).facts;
    assert.deepStrictEqual(facts.migrations.map((m) => m.id), ['V1', 'V1.1', 'V2', 'V10', 'R__views']);
    assert.ok(facts.migrations.every((m) => m.tool === 'flyway'));
    assert.deepStrictEqual([...facts.migrations[3].tablesBefore!].sort(), ['one', 'one_one', 'two']);
  });

  it('gives each statement its span and the tool\'s transaction behaviour', () => {
    const text = '-- create users\nCREATE TABLE users (id int);\n\nCREATE INDEX users_id ON users (id);\n';
    const facts = run({
      'db/migration/V1__init.sql': text,
      'db/migration/V2__idx.sql': 'CREATE INDEX CONCURRENTLY users_id2 ON users (id);\n',
      'migrations/000001_init.up.sql': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n',
      'migrations/000002_idx.up.sql': 'CREATE INDEX CONCURRENTLY a_id ON a (id);\n',
      'migrations/000002_idx.down.sql': 'DROP INDEX CONCURRENTLY a_id;\n',
      'sqitch/deploy/users.sql': '-- Deploy app:users to pg\nBEGIN;\nCREATE TABLE s (id int);\nCOMMIT;\nVACUUM s;\n',
      'db/migrations/20240101_x.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY s_id ON s (id);\n-- migrate:down\nDROP INDEX s_id;\n',
    }).facts;
    const byFile = new Map(facts.migrations.map((m) => [m.file, m]));
    const v1 = byFile.get('db/migration/V1__init.sql')!;
    assert.deepStrictEqual(v1.upgrade.map((s) => [s.sql, s.span.line, s.span.column, s.span.endLine, s.inTransaction]), [
      ['CREATE TABLE users (id int)', 2, 1, 2, true],
      ['CREATE INDEX users_id ON users (id)', 4, 1, 4, true],
    ]);
    assert.strictEqual(text.slice(v1.upgrade[1].span.start, v1.upgrade[1].span.end), 'CREATE INDEX users_id ON users (id)');
    assert.strictEqual(Object.keys(v1.upgrade[1].ast!)[0], 'IndexStmt');
    assert.strictEqual(v1.downgrade, undefined);
    // Flyway runs a file with CONCURRENTLY outside a transaction.
    assert.deepStrictEqual(byFile.get('db/migration/V2__idx.sql')!.upgrade.map((s) => s.inTransaction), [false]);
    // golang-migrate: a multi-statement file is one implicit transaction; a single statement is not.
    assert.deepStrictEqual(byFile.get('migrations/000001_init.up.sql')!.upgrade.map((s) => s.inTransaction), [true, true]);
    assert.deepStrictEqual(byFile.get('migrations/000002_idx.up.sql')!.upgrade.map((s) => s.inTransaction), [false]);
    assert.strictEqual(byFile.get('migrations/000002_idx.up.sql')!.downFile, 'migrations/000002_idx.down.sql');
    assert.ok(!byFile.has('migrations/000002_idx.down.sql'), 'down files are not migrations');
    assert.ok(facts.files.has('migrations/000002_idx.down.sql'));
    // explicit BEGIN … COMMIT
    const sq = byFile.get('sqitch/deploy/users.sql')!;
    assert.strictEqual(sq.tool, 'sql');
    assert.deepStrictEqual(sq.upgrade.map((s) => [Object.keys(s.ast!)[0], s.inTransaction]), [
      ['TransactionStmt', true],
      ['CreateStmt', true],
      ['TransactionStmt', true],
      ['VacuumStmt', true],
    ]);
    // dbmate: up/down sections and transaction:false
    const dbmate = byFile.get('db/migrations/20240101_x.sql')!;
    assert.deepStrictEqual(dbmate.upgrade.map((s) => [s.sql, s.inTransaction]), [['CREATE INDEX CONCURRENTLY s_id ON s (id)', false]]);
    assert.deepStrictEqual(dbmate.downgrade!.statements.map((s) => s.sql), ['DROP INDEX s_id']);
    assert.strictEqual(dbmate.downgrade!.empty, false);
  });

  it('orders golang-migrate, Prisma and Drizzle migrations by their version', () => {
    const facts = run({
      'prisma/migrations/20240301000000_b/migration.sql': 'ALTER TABLE "User" ADD COLUMN "name" TEXT;',
      'prisma/migrations/20240101000000_a/migration.sql': 'CREATE TABLE "User" ("id" SERIAL NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    }).facts;
    assert.deepStrictEqual(facts.migrations.map((m) => [m.tool, m.id]), [['prisma', '20240101000000_a'], ['prisma', '20240301000000_b']]);
    const user = facts.migrationSchema.tables.get('User')!;
    assert.deepStrictEqual(user.columns.map((c) => [c.name, c.type, c.nullable]), [['id', 'integer', false], ['name', 'text', true]]);
    assert.deepStrictEqual(user.primaryKey, ['id']);
    const drizzle = run({ 'drizzle/0001_b.sql': 'ALTER TABLE t ADD COLUMN b int;', 'drizzle/0000_a.sql': 'CREATE TABLE t (a int);--> statement-breakpoint\nCREATE INDEX t_a ON t (a);' }).facts;
    assert.deepStrictEqual(drizzle.migrations.map((m) => m.id), ['0000_a', '0001_b']);
    assert.deepStrictEqual(drizzle.migrationSchema.tables.get('t')!.columns.map((c) => c.name), ['a', 'b']);
  });

  it('turns a syntax error into one problem at the error line; other files go on', () => {
    const result = run({
      'db/migration/V1__ok.sql': 'CREATE TABLE ok (id int);',
      'db/migration/V2__bad.sql': 'CREATE TABLE fine (id int);\n\nALTER TABLE fine ADD COLUMN x int NOT NUL;\n',
    });
    const problems = result.facts.problems.filter((p) => p.file === 'db/migration/V2__bad.sql');
    assert.strictEqual(problems.length, 1);
    assert.strictEqual(problems[0].line, 3);
    assert.match(problems[0].message, /syntax error at line 3/);
    assert.strictEqual(problems[0].span?.file, 'db/migration/V2__bad.sql');
    const bad = result.facts.migrations.find((m) => m.id === 'V2')!;
    assert.deepStrictEqual(bad.upgrade, []);
    assert.ok(result.facts.migrationSchema.tables.has('ok'));
    assert.ok(result.findings.some((f) => f.rule === 'parse-error' && f.span?.line === 3));
  });

  it('tolerates psql meta-commands and Flyway placeholders without moving offsets', () => {
    const text = '\\connect app\nSET search_path = ${schema};\nCREATE TABLE ${schema}.t (id int, v text DEFAULT \'${default}\');\n';
    assert.strictEqual(prepare(text).length, text.length);
    const facts = run({ 'db/migration/V1__p.sql': text }).facts;
    assert.deepStrictEqual(facts.problems, []);
    const m = facts.migrations[0];
    assert.strictEqual(m.upgrade.length, 2);
    assert.strictEqual(m.upgrade[1].span.line, 3);
    assert.ok(facts.migrationSchema.tables.has('t'));
  });

  it('reads schema dumps as tables (origin catalog), not migrations', () => {
    const facts = run({
      'db/schema.sql': 'SET statement_timeout = 0;\nCREATE TABLE public.users (id bigint NOT NULL, email text);\nALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\nCREATE INDEX users_email_idx ON public.users USING btree (email);\n',
    }).facts;
    assert.deepStrictEqual(facts.migrations, []);
    const users = facts.schema.tables.get('users')!;
    assert.strictEqual(users.origin, 'catalog');
    assert.deepStrictEqual(users.primaryKey, ['id']);
    assert.deepStrictEqual(users.indexes.map((i) => i.name), ['users_pkey', 'users_email_idx']);
  });

  it('records DML in query files as EXPLAIN sites and query sites with predicates', () => {
    const text = '-- name: ListOpenJobs :many\nSELECT * FROM jobs WHERE company_id = $1 AND status = \'open\' ORDER BY created_at DESC LIMIT 20;\n\n-- name: Rename\nUPDATE jobs SET title = :title WHERE id = :id;\nINSERT INTO jobs (title) VALUES ($1);\n';
    const facts = run({ 'queries/jobs.sql': text, 'db/seeds/jobs.sql': "UPDATE jobs SET title = 'x' WHERE slug = 'y';" }).facts;
    assert.deepStrictEqual(facts.sqlSites.map((s) => [s.span.file, s.span.line, s.origin]), [
      ['db/seeds/jobs.sql', 1, 'sql-file'],
      ['queries/jobs.sql', 2, 'sql-file'],
      ['queries/jobs.sql', 5, 'sql-file'],
      ['queries/jobs.sql', 6, 'sql-file'],
    ]);
    assert.strictEqual(facts.sqlSites[2].sql, 'UPDATE jobs SET title = :title WHERE id = :id');
    const q = facts.queries.filter((x) => x.span.file === 'queries/jobs.sql');
    assert.deepStrictEqual(q.map((x) => [x.operation, x.tables, x.limited]), [['select', ['jobs'], true], ['update', ['jobs'], false]]);
    assert.deepStrictEqual(q[0].predicates.map((p) => [p.table, p.column, p.op, p.span.line, text.slice(p.span.start, p.span.end)]), [
      ['jobs', 'company_id', 'eq', 2, 'company_id'],
      ['jobs', 'status', 'eq', 2, 'status'],
    ]);
    assert.deepStrictEqual(q[0].orderBy.map((o) => o.column), ['created_at']);
    assert.deepStrictEqual(q[1].predicates.map((p) => [p.column, p.op]), [['id', 'eq']]);
  });

  it('gives monitoring evidence for CREATE EXTENSION pg_stat_statements in a migration', () => {
    const facts = run({ 'db/migration/V1__ext.sql': 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n' }).facts;
    assert.deepStrictEqual(facts.evidence.map((e) => [e.kind, e.what, e.span.line]), [['monitoring', 'CREATE EXTENSION pg_stat_statements in db/migration/V1__ext.sql', 1]]);
  });
});
