import * as assert from 'assert';
import { analyzeFiles, emptySchema, findColumn, type Schema, type Table } from '../../src/engine';
import { applyStatement } from '../../src/engine/sources/sql/apply';
import { deparseExpr, typeNameToString } from '../../src/engine/sources/sql/deparse';
import { parseStatements } from '../../src/engine/sources/sql/statements';
import { ready$ } from '../helpers';

// DDL replay: a realistic Flyway history (create, alter, rename, drop) must leave the schema PostgreSQL would have.

const span = { file: 'x.sql', start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

function replay(...sql: string[]): Schema {
  const schema = emptySchema();
  for (const text of sql) {
    const parsed = parseStatements(text);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    for (const st of parsed.statements) applyStatement(schema, st.ast, span);
  }
  return schema;
}

const table = (s: Schema, name: string): Table => {
  const t = s.tables.get(name);
  assert.ok(t, `no table ${name}; have ${[...s.tables.keys()].join(', ')}`);
  return t;
};
const col = (t: Table, name: string) => {
  const c = findColumn(t, name);
  assert.ok(c, `no column ${t.name}.${name}`);
  return c;
};

const HISTORY: Record<string, string> = {
  'db/migration/V1__init.sql': `
CREATE TABLE public.companies (
  id bigserial PRIMARY KEY,
  name varchar(200) NOT NULL,
  slug text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "Users" (
  id serial,
  email varchar(255) NOT NULL,
  is_admin bool DEFAULT false,
  company_id int8 REFERENCES companies(id) ON DELETE CASCADE,
  score numeric(10,2) DEFAULT 0,
  tags text[],
  CONSTRAINT users_pk PRIMARY KEY (id),
  CONSTRAINT users_email_len CHECK (length(email) > 3)
);`,
  'db/migration/V2__jobs.sql': `
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  company_id bigint NOT NULL,
  title text NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'draft',
  deleted_at timestamp,
  UNIQUE (company_id, title)
);
ALTER TABLE jobs ADD CONSTRAINT jobs_company_fk FOREIGN KEY (company_id) REFERENCES companies (id) NOT VALID;
ALTER TABLE jobs VALIDATE CONSTRAINT jobs_company_fk;
CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_open_idx ON jobs (company_id, status) INCLUDE (title) WHERE deleted_at IS NULL;
CREATE INDEX jobs_title_trgm ON jobs USING gin (lower(title) gin_trgm_ops);
CREATE INDEX ON jobs (status);`,
  'db/migration/V3__alter.sql': `
ALTER TABLE "Users" ADD COLUMN last_login timestamptz, ADD COLUMN plan text NOT NULL DEFAULT 'free'::text;
ALTER TABLE "Users" ALTER COLUMN score TYPE numeric(12,2), ALTER COLUMN is_admin SET NOT NULL, ALTER COLUMN plan DROP DEFAULT;
ALTER TABLE "Users" ALTER COLUMN email DROP NOT NULL;
ALTER TABLE jobs ALTER COLUMN status SET DEFAULT 'open';
ALTER TABLE jobs DROP COLUMN deleted_at;
ALTER TABLE jobs RENAME COLUMN title TO headline;
ALTER TABLE companies RENAME TO organisations;
ALTER INDEX jobs_title_trgm RENAME TO jobs_headline_trgm;
CREATE UNIQUE INDEX users_email_key ON "Users" (email);
ALTER TABLE "Users" ADD CONSTRAINT users_email_unique UNIQUE USING INDEX users_email_key;
ALTER TABLE "Users" DROP CONSTRAINT users_email_len;`,
  'db/migration/V4__drop.sql': `
CREATE TABLE scratch (id int);
DROP TABLE scratch;
DROP INDEX CONCURRENTLY IF EXISTS jobs_status_idx;
CREATE VIEW open_jobs AS SELECT * FROM jobs;
CREATE TABLE job_archive (LIKE jobs INCLUDING ALL);`,
};

describe('sql apply: DDL replay', () => {
  before(ready$);

  const schemaOf = () => analyzeFiles(Object.entries(HISTORY).map(([path, text]) => ({ path, text }))).facts.migrationSchema;

  it('creates tables with PostgreSQL type names, defaults, keys and schema qualifiers', () => {
    const s = schemaOf();
    assert.deepStrictEqual([...s.tables.keys()].sort(), ['Users', 'job_archive', 'jobs', 'organisations']);
    const org = table(s, 'organisations');
    assert.strictEqual(org.schema, 'public');
    assert.strictEqual(org.origin, 'migration');
    assert.deepStrictEqual(org.primaryKey, ['id']);
    assert.deepStrictEqual({ ...col(org, 'id'), span: undefined }, {
      name: 'id', type: 'bigint', nullable: false, primaryKey: true, unique: false, default: "nextval('companies_id_seq'::regclass)", span: undefined,
    });
    assert.strictEqual(col(org, 'name').type, 'character varying(200)');
    assert.strictEqual(col(org, 'slug').unique, true);
    assert.strictEqual(col(org, 'created_at').type, 'timestamp with time zone');
    assert.strictEqual(col(org, 'created_at').default, 'now()');
    assert.ok(org.indexes.some((ix) => ix.name === 'companies_slug_key' && ix.unique && ix.constraint === 'unique'));
    assert.ok(org.indexes.some((ix) => ix.name === 'companies_pkey' && ix.constraint === 'primary'));

    const users = table(s, 'Users');
    assert.strictEqual(col(users, 'id').type, 'integer');
    assert.strictEqual(col(users, 'id').nullable, false);
    assert.strictEqual(col(users, 'is_admin').type, 'boolean');
    assert.strictEqual(col(users, 'is_admin').default, 'false');
    assert.strictEqual(col(users, 'tags').type, 'text[]');
    assert.deepStrictEqual(users.primaryKey, ['id']);
    assert.ok(users.indexes.some((ix) => ix.name === 'users_pk' && ix.constraint === 'primary'));
  });

  it('records foreign keys (column and table level, NOT VALID) and follows table renames', () => {
    const s = schemaOf();
    const users = table(s, 'Users');
    assert.deepStrictEqual(
      users.foreignKeys.map((f) => ({ name: f.name, columns: f.columns, refTable: f.refTable, refColumns: f.refColumns, onDelete: f.onDelete })),
      [{ name: 'Users_company_id_fkey', columns: ['company_id'], refTable: 'organisations', refColumns: ['id'], onDelete: 'CASCADE' }],
    );
    const jobs = table(s, 'jobs');
    assert.deepStrictEqual(jobs.foreignKeys.map((f) => [f.name, f.refTable, f.onDelete]), [['jobs_company_fk', 'organisations', undefined]]);
  });

  it('replays indexes: opclass, method, partial predicate, INCLUDE, default names, drops and renames', () => {
    const jobs = table(schemaOf(), 'jobs');
    const names = jobs.indexes.map((ix) => ix.name).sort();
    // jobs_open_idx's predicate used deleted_at: PostgreSQL drops the index with the column.
    assert.deepStrictEqual(names, ['jobs_company_id_title_key', 'jobs_headline_trgm', 'jobs_pkey']);
    const trgm = jobs.indexes.find((ix) => ix.name === 'jobs_headline_trgm')!;
    assert.strictEqual(trgm.method, 'gin');
    assert.deepStrictEqual(trgm.keys, [{ expression: 'lower(headline)', opclass: 'gin_trgm_ops' }]);
    const uq = jobs.indexes.find((ix) => ix.name === 'jobs_company_id_title_key')!;
    assert.deepStrictEqual(uq.keys.map((k) => k.column), ['company_id', 'headline']);
  });

  it('applies ALTER COLUMN, ADD/DROP COLUMN, RENAME COLUMN, USING INDEX and DROP CONSTRAINT', () => {
    const s = schemaOf();
    const users = table(s, 'Users');
    assert.strictEqual(col(users, 'score').type, 'numeric(12,2)');
    assert.strictEqual(col(users, 'is_admin').nullable, false);
    assert.strictEqual(col(users, 'email').nullable, true);
    assert.strictEqual(col(users, 'last_login').type, 'timestamp with time zone');
    assert.strictEqual(col(users, 'plan').nullable, false);
    assert.strictEqual(col(users, 'plan').default, undefined);
    assert.strictEqual(col(users, 'email').unique, true);
    assert.ok(users.indexes.some((ix) => ix.name === 'users_email_unique' && ix.constraint === 'unique'));
    assert.deepStrictEqual(users.checks, []);
    const jobs = table(s, 'jobs');
    assert.strictEqual(col(jobs, 'status').default, "'open'");
    assert.strictEqual(col(jobs, 'id').default, 'gen_random_uuid()');
    assert.strictEqual(findColumn(jobs, 'deleted_at'), undefined);
    assert.strictEqual(findColumn(jobs, 'title'), undefined);
    assert.strictEqual(col(jobs, 'headline').type, 'text');
  });

  it('ignores views, copies LIKE … INCLUDING ALL, and drops tables', () => {
    const s = schemaOf();
    assert.ok(!s.tables.has('scratch'));
    assert.ok(!s.tables.has('open_jobs'));
    const archive = table(s, 'job_archive');
    assert.deepStrictEqual(archive.columns.map((c) => c.name), ['id', 'company_id', 'headline', 'status']);
    assert.deepStrictEqual(archive.primaryKey, ['id']);
  });

  it('keeps the merge order: tablesBefore of each migration', () => {
    const facts = analyzeFiles(Object.entries(HISTORY).map(([path, text]) => ({ path, text }))).facts;
    assert.deepStrictEqual(facts.migrations.map((m) => m.id), ['V1', 'V2', 'V3', 'V4']);
    assert.deepStrictEqual([...facts.migrations[1].tablesBefore!].sort(), ['Users', 'companies']);
  });

  it('keeps partial predicates and INCLUDE columns', () => {
    const s = replay('CREATE TABLE j (id int, company_id int, status text, title text, deleted_at timestamptz);', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS j_open ON j (company_id, status) INCLUDE (title) WHERE deleted_at IS NULL AND status <> \'x\';', 'ALTER TABLE j RENAME COLUMN title TO headline;');
    const open = table(s, 'j').indexes[0];
    assert.deepStrictEqual(open.keys, [{ column: 'company_id' }, { column: 'status' }]);
    assert.deepStrictEqual(open.include, ['headline']);
    assert.strictEqual(open.where, "deleted_at IS NULL AND status <> 'x'");
    assert.strictEqual(open.unique, false);
    assert.strictEqual(open.method, 'btree');
  });

  it('drops indexes and foreign keys with a dropped column, and FKs into a dropped table', () => {
    const s = replay(
      'CREATE TABLE a (id int PRIMARY KEY, b_id int, c int); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);',
      'CREATE INDEX a_b_idx ON a (b_id, c); ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b (id);',
      'ALTER TABLE a DROP COLUMN b_id; DROP TABLE a CASCADE;',
    );
    assert.deepStrictEqual(table(s, 'b').foreignKeys, []);
    const s2 = replay('CREATE TABLE a (id int PRIMARY KEY, b_id int, c int); CREATE INDEX a_b_idx ON a (b_id, c); ALTER TABLE a DROP COLUMN b_id;');
    assert.deepStrictEqual(table(s2, 'a').indexes.map((i) => i.name), ['a_pkey']);
    // a FK with no referenced columns targets the primary key
    assert.deepStrictEqual(table(replay('CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int REFERENCES a);'), 'b').foreignKeys[0].refColumns, ['id']);
  });

  it('ignores statements on tables it has not seen, and IF NOT EXISTS duplicates', () => {
    const s = replay('CREATE INDEX x ON missing (a); ALTER TABLE missing ADD COLUMN b int;', 'CREATE TABLE t (a int); CREATE TABLE IF NOT EXISTS t (b int);');
    assert.deepStrictEqual([...s.tables.keys()], ['t']);
    assert.deepStrictEqual(table(s, 't').columns.map((c) => c.name), ['a']);
  });

  it('copies partition columns from the parent and table-level PRIMARY KEY marks columns', () => {
    const s = replay('CREATE TABLE ev (id bigint, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at); CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\');');
    const p = table(s, 'ev_2024');
    assert.deepStrictEqual(p.columns.map((c) => [c.name, c.nullable]), [['id', false], ['at', false]]);
    assert.deepStrictEqual(p.primaryKey, ['id', 'at']);
  });
});

describe('sql deparse', () => {
  before(ready$);
  const expr = (sql: string) => {
    const r = parseStatements(`SELECT ${sql}`);
    assert.ok(r.ok);
    return deparseExpr(r.statements[0].ast.SelectStmt.targetList[0].ResTarget.val);
  };
  const type = (t: string) => {
    const r = parseStatements(`CREATE TABLE x (c ${t})`);
    assert.ok(r.ok);
    return typeNameToString(r.statements[0].ast.CreateStmt.tableElts[0].ColumnDef.typeName);
  };

  it('names types as PostgreSQL does', () => {
    assert.deepStrictEqual(
      ['int', 'int2', 'bigint', 'real', 'float', 'double precision', 'varchar', 'varchar(20)', 'char(2)', 'decimal(5,1)', 'timestamp', 'timestamp(3) with time zone', 'time', 'boolean', 'jsonb', 'uuid', 'int[]', 'my_enum', 'public.citext'].map(type),
      ['integer', 'smallint', 'bigint', 'real', 'double precision', 'double precision', 'character varying', 'character varying(20)', 'character(2)', 'numeric(5,1)', 'timestamp without time zone', 'timestamp(3) with time zone', 'time without time zone', 'boolean', 'jsonb', 'uuid', 'integer[]', 'my_enum', 'citext'],
    );
  });

  it('deparses constants, calls, casts and predicates', () => {
    assert.strictEqual(expr("'a''b'"), "'a''b'");
    assert.strictEqual(expr('0'), '0');
    assert.strictEqual(expr('-1.5'), '-1.5');
    assert.strictEqual(expr('true'), 'true');
    assert.strictEqual(expr('NULL'), 'NULL');
    assert.strictEqual(expr('CURRENT_TIMESTAMP'), 'CURRENT_TIMESTAMP');
    assert.strictEqual(expr("timezone('utc', now())"), "timezone('utc', now())");
    assert.strictEqual(expr("'{}'::jsonb"), "'{}'::jsonb");
    assert.strictEqual(expr('a = 1 AND (b IS NOT NULL OR c IN (1, 2))'), 'a = 1 AND (b IS NOT NULL OR c IN (1, 2))');
    assert.strictEqual(expr("lower(email) LIKE 'a%'"), "lower(email) LIKE 'a%'");
    assert.strictEqual(expr('NOT deleted'), 'NOT deleted');
    assert.strictEqual(expr('coalesce(a, 0) > 1'), 'COALESCE(a, 0) > 1');
    assert.strictEqual(expr('"Mixed"."Col"'), '"Mixed"."Col"');
  });
});
