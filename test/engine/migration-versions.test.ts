import * as assert from 'assert';
import { analyzeFiles, defaultSettings, type SourceFile } from '../../src/engine';
import { ready$ } from '../helpers';

// PostgreSQL-version variants of the migration rules (the `postgresVersion` setting; fixtures run on the default, 15).

const run = (files: Record<string, string>, pg: number, rule: string) =>
  analyzeFiles(
    Object.entries(files).map(([path, text]): SourceFile => ({ path, text })),
    { ...defaultSettings(), postgresVersion: pg },
  ).findings.filter((f) => f.rule === rule);

const V1 = { 'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text, created timestamp);\nCREATE INDEX users_email_idx ON users (email);\n' };

describe('migration rules by PostgreSQL version', () => {
  before(ready$);

  it('require-concurrent-reindex: silent before 12 (no CONCURRENTLY there), fires from 12', () => {
    const files = { ...V1, 'migrations/V2__re.sql': 'REINDEX INDEX users_email_idx;\n' };
    assert.strictEqual(run(files, 11, 'require-concurrent-reindex').length, 0);
    assert.strictEqual(run(files, 12, 'require-concurrent-reindex').length, 1);
  });

  it('adding-field-with-default: any default rewrites before 11; only volatile ones from 11', () => {
    const files = {
      ...V1,
      'migrations/V2__cols.sql': "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';\nALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();\nALTER TABLE users ADD COLUMN n text DEFAULT NULL;\nALTER TABLE users ADD COLUMN r float8 DEFAULT random();\n",
    };
    const pg10 = run(files, 10, 'adding-field-with-default');
    assert.deepStrictEqual(pg10.map((f) => f.span?.line), [1, 2, 4]);
    assert.match(pg10[0].message, /before PostgreSQL 11 \(postgresVersion is 10\)/);
    assert.deepStrictEqual(run(files, 11, 'adding-field-with-default').map((f) => f.span?.line), [4]);
  });

  it('adding-not-nullable-field: a validated CHECK helps only from 12; the help changes with the version', () => {
    const files = {
      ...V1,
      'migrations/V2__check.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n',
      'migrations/V3__set.sql': 'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n',
    };
    assert.strictEqual(run(files, 12, 'adding-not-nullable-field').length, 0);
    const pg11 = run(files, 11, 'adding-not-nullable-field');
    assert.strictEqual(pg11.length, 1);
    assert.match(pg11[0].help, /Before PostgreSQL 12/);
    const bare = { ...V1, 'migrations/V2__set.sql': 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n' };
    assert.match(run(bare, 15, 'adding-not-nullable-field')[0].help, /CHECK \(email IS NOT NULL\) NOT VALID/);
  });

  it('changing-column-type: timestamp → timestamptz names the UTC condition from 12, a plain rewrite before', () => {
    const files = { ...V1, 'migrations/V2__tz.sql': 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz;\n' };
    assert.match(run(files, 12, 'changing-column-type')[0].message, /TimeZone is UTC/);
    assert.match(run(files, 11, 'changing-column-type')[0].message, /before PostgreSQL 12/);
  });

  it('help follows the dialect: an Alembic op gets Alembic help', () => {
    const files = {
      'alembic/versions/a1.py':
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("e", sa.Text()))\n\n\ndef downgrade():\n    pass\n',
      'alembic/versions/b2.py':
        'from alembic import op\n\nrevision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.alter_column("t", "e", nullable=False)\n\n\ndef downgrade():\n    pass\n',
    };
    const [f] = run(files, 15, 'adding-not-nullable-field');
    assert.match(f.help, /op\.create_check_constraint\("t_e_not_null", "t", "e IS NOT NULL", postgresql_not_valid=True\)/);
  });
});
