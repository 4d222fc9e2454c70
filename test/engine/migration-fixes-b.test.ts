import * as assert from 'assert';
import { analyzeFiles, defaultSettings, type SourceFile } from '../../src/engine';
import { ready$ } from '../helpers';

// Quick fixes of the group-B migration rules prove themselves (as Squawk's do): apply the edits, analyse
// the fixed project again, and the rule is silent while the file still parses. Plus the PostgreSQL-version
// variants the fixture driver (default settings) cannot express.

function applyFix(files: SourceFile[], rule: string): SourceFile[] {
  const f = analyzeFiles(files).findings.find((x) => x.rule === rule && x.fix);
  assert.ok(f?.fix, `${rule} offers no fix`);
  return files.map((file) => {
    const edits = f.fix!.edits.filter((e) => e.file === file.path).sort((a, b) => b.start - a.start);
    let text = file.text;
    for (const e of edits) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    return { path: file.path, text };
  });
}

function assertFixed(files: SourceFile[], rule: string): string {
  const fixed = applyFix(files, rule);
  const result = analyzeFiles(fixed);
  assert.deepStrictEqual(result.findings.filter((x) => x.rule === rule).map((x) => x.message), []);
  assert.deepStrictEqual(result.findings.filter((x) => x.rule === 'parse-error').map((x) => x.message), []);
  return fixed.map((f) => f.text).join('\n');
}

const alembic = (rev: string, down: string | null, body: string) =>
  `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "${rev}"\ndown_revision = ${down ? `"${down}"` : 'None'}\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`;

const sqlProject: SourceFile[] = [
  { path: 'migrations/V1__init.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' },
  { path: 'migrations/V2__email.sql', text: '-- add the email index\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN name text;\n' },
];
const alembicProject: SourceFile[] = [
  { path: 'alembic/versions/a1_init.py', text: alembic('a1', null, '    op.create_table("users", sa.Column("id", sa.BigInteger(), primary_key=True))') },
  { path: 'alembic/versions/b2_name.py', text: alembic('b2', 'a1', '    """Add a name."""\n    op.add_column("users", sa.Column("name", sa.Text()))\n    op.drop_column("users", "legacy")') },
];

describe('group-B migration fixes', () => {
  before(ready$);

  // lock_timeout fails fast (5s); statement_timeout is a ceiling sized above the long operation (15min).
  const withIndex: SourceFile[] = [alembicProject[0], { path: alembicProject[1].path, text: alembicProject[1].text.replace('    op.drop_column("users", "legacy")', '    op.create_index("ix_users_name", "users", ["name"])') }];
  for (const [rule, setting, value, project] of [
    ['require-lock-timeout', 'lock_timeout', '5s', alembicProject],
    ['require-statement-timeout', 'statement_timeout', '15min', withIndex],
  ] as const) {
    it(`${rule}: SET at the top of a SQL migration`, () => {
      const text = assertFixed(sqlProject, rule);
      assert.match(text, new RegExp(`-- add the email index\\nSET ${setting} = '${value}';\\nCREATE INDEX`));
    });
    it(`${rule}: op.execute at the top of Alembic upgrade()`, () => {
      const text = assertFixed(project, rule);
      assert.match(text, new RegExp(`    op.execute\\("SET ${setting} = '${value}'"\\)\\n    op.add_column`));
    });
  }

  it('require-statement-timeout: silent on metadata-only changes, reported at the long statement', () => {
    const count = (files: SourceFile[], pg = 15) => analyzeFiles(files, { ...defaultSettings(), postgresVersion: pg }).findings.filter((f) => f.rule === 'require-statement-timeout');
    assert.strictEqual(count(alembicProject).length, 0, 'nullable ADD COLUMN + DROP COLUMN only');
    const dflt = [alembicProject[0], { path: 'alembic/versions/b2_flag.py', text: alembic('b2', 'a1', '    op.add_column("users", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))') }];
    assert.strictEqual(count(dflt).length, 0, 'constant default on PostgreSQL 11+');
    assert.strictEqual(count(dflt, 10).length, 1, 'any default rewrites before PostgreSQL 11');
    const [f] = count(withIndex);
    assert.strictEqual(f.span?.line, 11);
    assert.match(f.help ?? '', /15min.*aborts the index build itself.*lock_timeout.*CONCURRENTLY/);
  });

  it('type-hygiene rules: one finding per statement, naming every offending column', () => {
    const files = [{ path: 'migrations/V1__init.sql', text: 'CREATE TABLE tasks (\n  id serial PRIMARY KEY,\n  org_id integer,\n  project_id integer REFERENCES projects (id),\n  title varchar(200),\n  body varchar(5000)\n);\n' }];
    const by = (rule: string) => analyzeFiles(files).findings.filter((f) => f.rule === rule);
    const ints = by('prefer-bigint-over-int');
    assert.strictEqual(ints.length, 1);
    assert.match(ints[0].message, /^"tasks" columns "id", "org_id", "project_id" are 32-bit integer\/serial keys/);
    assert.strictEqual(ints[0].span?.line, 2);
    const texts = by('prefer-text-field');
    assert.strictEqual(texts.length, 1);
    assert.match(texts[0].message, /"title", "body" are varchar\(200\), varchar\(5000\)/);
    assert.strictEqual(texts[0].span?.line, 5);
  });

  it('require-concurrent-refresh: adds CONCURRENTLY in SQL and in op.execute', () => {
    assert.match(assertFixed([{ path: 'migrations/V1__mv.sql', text: 'REFRESH MATERIALIZED VIEW sales_summary;\n' }], 'require-concurrent-refresh'), /REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;/);
    assert.match(
      assertFixed([{ path: 'alembic/versions/a1_mv.py', text: alembic('a1', null, '    op.execute("REFRESH MATERIALIZED VIEW sales_summary")') }], 'require-concurrent-refresh'),
      /op\.execute\("REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary"\)/,
    );
  });

  it('timeouts configured in alembic/env.py satisfy both rules', () => {
    const env = { path: 'alembic/env.py', text: 'from sqlalchemy import text\n\nconnection.execute(text("SET lock_timeout = \'5s\'"))\nconnection.execute(text("SET statement_timeout = \'5s\'"))\n' };
    const rules = analyzeFiles([...withIndex, env]).findings.map((f) => f.rule);
    assert.ok(!rules.includes('require-lock-timeout') && !rules.includes('require-statement-timeout'));
  });

  it('ban-alter-enum-add-value-in-transaction: any in-transaction ADD VALUE before PostgreSQL 12', () => {
    const files = [{ path: 'migrations/V2__status.sql', text: "ALTER TYPE order_status ADD VALUE 'refunded';\n" }];
    const at = (pg: number) => analyzeFiles(files, { ...defaultSettings(), postgresVersion: pg }).findings.filter((f) => f.rule === 'ban-alter-enum-add-value-in-transaction').length;
    assert.strictEqual(at(11), 1);
    assert.strictEqual(at(15), 0);
    const own = [{ path: 'db/migrations/20240101_status.sql', text: "-- migrate:up transaction:false\nALTER TYPE order_status ADD VALUE 'refunded';\n" }];
    assert.strictEqual(analyzeFiles(own, { ...defaultSettings(), postgresVersion: 11 }).findings.filter((f) => f.rule === 'ban-alter-enum-add-value-in-transaction').length, 0);
  });

  it('require-concurrent-partition-detach: only from PostgreSQL 14', () => {
    const files = [{ path: 'migrations/V1__detach.sql', text: 'ALTER TABLE m DETACH PARTITION m_2020;\n' }];
    const at = (pg: number) => analyzeFiles(files, { ...defaultSettings(), postgresVersion: pg }).findings.filter((f) => f.rule === 'require-concurrent-partition-detach').length;
    assert.strictEqual(at(13), 0);
    assert.strictEqual(at(14), 1);
  });
});
