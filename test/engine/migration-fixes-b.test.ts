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

  for (const rule of ['require-lock-timeout', 'require-statement-timeout']) {
    const setting = rule === 'require-lock-timeout' ? 'lock_timeout' : 'statement_timeout';
    it(`${rule}: SET at the top of a SQL migration`, () => {
      const text = assertFixed(sqlProject, rule);
      assert.match(text, new RegExp(`-- add the email index\\nSET ${setting} = '5s';\\nCREATE INDEX`));
    });
    it(`${rule}: op.execute at the top of Alembic upgrade()`, () => {
      const text = assertFixed(alembicProject, rule);
      assert.match(text, new RegExp(`    op.execute\\("SET ${setting} = '5s'"\\)\\n    op.add_column`));
    });
  }

  it('require-concurrent-refresh: adds CONCURRENTLY in SQL and in op.execute', () => {
    assert.match(assertFixed([{ path: 'migrations/V1__mv.sql', text: 'REFRESH MATERIALIZED VIEW sales_summary;\n' }], 'require-concurrent-refresh'), /REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;/);
    assert.match(
      assertFixed([{ path: 'alembic/versions/a1_mv.py', text: alembic('a1', null, '    op.execute("REFRESH MATERIALIZED VIEW sales_summary")') }], 'require-concurrent-refresh'),
      /op\.execute\("REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary"\)/,
    );
  });

  it('timeouts configured in alembic/env.py satisfy both rules', () => {
    const env = { path: 'alembic/env.py', text: 'from sqlalchemy import text\n\nconnection.execute(text("SET lock_timeout = \'5s\'"))\nconnection.execute(text("SET statement_timeout = \'5s\'"))\n' };
    const rules = analyzeFiles([...alembicProject, env]).findings.map((f) => f.rule);
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
