import * as assert from 'assert';
import * as path from 'path';
import { analyzeFiles, type AnalysisResult, type SourceFile } from '../../src/engine';
import { alembicHeads, indexMigration, indexSpecFromDdl, type IndexSpec } from '../../src/engine/fixes/index-migration';
import { pythonParser } from '../../src/engine/sources/python/parser';
import { parseSync } from '../../src/engine/sources/sql/parser';
import { ready$, readTree, ROOT } from '../helpers';

// "Write migration" for a suggested index: the new file's text in the project's dialect. Checked by parsing
// it (tree-sitter for Python, libpg-query for SQL) and by feeding it back to the engine: it must be read as
// a migration whose parent is the previous head, with a CONCURRENTLY build outside a transaction and no
// migration-safety findings of its own.

const NOW = new Date('2025-03-04T05:06:07Z');
const SAFETY = /concurrently|lock|transaction|downgrade|index/;

function withFiles(base: SourceFile[], files: { path: string; text: string }[]): AnalysisResult {
  return analyzeFiles([...base, ...files]);
}

describe('index migration (Write migration)', () => {
  before(ready$);

  const spec = (ddl: string): IndexSpec => {
    const s = indexSpecFromDdl(ddl);
    assert.ok(s, ddl);
    return s!;
  };

  it('reads the advice DDL: name, table, schema, columns, unique, method', () => {
    assert.deepStrictEqual(spec('CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);'), {
      name: 'ix_orders_total',
      table: 'orders',
      schema: undefined,
      columns: ['total'],
      unique: false,
      method: undefined,
      ddl: 'CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);',
    });
    const s = spec('CREATE UNIQUE INDEX ON app.users USING hash (lower(email))');
    assert.strictEqual(s.schema, 'app');
    assert.strictEqual(s.columns, undefined);
    assert.strictEqual(s.ddl, 'CREATE UNIQUE INDEX CONCURRENTLY ix_users_expr ON app.users USING hash (lower(email));');
    assert.strictEqual(indexSpecFromDdl('DROP TABLE x'), undefined);
  });

  it('Alembic: a revision after the current head, parsed by tree-sitter and read back by the engine', () => {
    const shop = readTree(path.join(ROOT, 'examples/fastapi-shop'));
    const before = analyzeFiles(shop);
    const heads = alembicHeads(before.facts.migrations);
    assert.deepStrictEqual(heads.map((h) => h.id), ['e63d1c8a7f05']);

    const r = indexMigration(before.facts.migrations, spec('CREATE INDEX CONCURRENTLY ix_job_applications_job_id ON job_applications (job_id);'), { now: NOW, why: 'Suggested by EXPLAIN: seq scan on job_applications.' });
    assert.ok(r.ok);
    assert.strictEqual(r.tool, 'alembic');
    assert.deepStrictEqual(r.parents, ['e63d1c8a7f05']);
    assert.match(r.id, /^[0-9a-f]{12}$/);
    const [file] = r.files;
    assert.strictEqual(file.path, `alembic/versions/${r.id}_add_ix_job_applications_job_id.py`);
    assert.match(file.text, new RegExp(`^revision = "${r.id}"$`, 'm'));
    assert.match(file.text, /^down_revision = "e63d1c8a7f05"$/m);
    assert.match(file.text, /with op\.get_context\(\)\.autocommit_block\(\):\n        op\.create_index\(\n            "ix_job_applications_job_id",\n            "job_applications",\n            \["job_id"\],/);
    assert.match(file.text, /op\.drop_index\("ix_job_applications_job_id", table_name="job_applications", postgresql_concurrently=True\)/);

    const tree = pythonParser().parse(file.text)!;
    assert.ok(!tree.rootNode.hasError, tree.rootNode.toString());

    const after = withFiles(shop, r.files);
    const m = after.facts.migrations.find((x) => x.file === file.path)!;
    assert.ok(m, 'the engine reads it as a migration');
    assert.strictEqual(m.tool, 'alembic');
    assert.strictEqual(m.id, r.id);
    assert.deepStrictEqual(m.parents, ['e63d1c8a7f05']);
    assert.deepStrictEqual(alembicHeads(after.facts.migrations).map((h) => h.id), [r.id]);
    assert.strictEqual(m.upgrade.length, 1);
    assert.strictEqual(m.upgrade[0].inTransaction, false);
    assert.ok(m.upgrade[0].ast?.IndexStmt?.concurrent, m.upgrade[0].sql);
    assert.strictEqual(m.downgrade?.empty, false);
    const own = after.findings.filter((f) => f.span?.file === file.path && SAFETY.test(f.rule));
    assert.deepStrictEqual(own.map((f) => `${f.rule}: ${f.message}`), []);
  });

  it('Alembic: an expression index goes through op.execute; two heads are merged', () => {
    const files = [
      { path: 'alembic/versions/a.py', text: 'from alembic import op\n\nrevision = "a"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute("CREATE TABLE users (id int, email text)")\n\n\ndef downgrade():\n    op.execute("DROP TABLE users")\n' },
      { path: 'alembic/versions/b.py', text: 'from alembic import op\n\nrevision = "b"\ndown_revision = "a"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n' },
      { path: 'alembic/versions/c.py', text: 'from alembic import op\n\nrevision = "c"\ndown_revision = "a"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n' },
    ];
    const before = analyzeFiles(files);
    const r = indexMigration(before.facts.migrations, spec('CREATE INDEX ix_users_lower_email ON users (lower(email))'), { now: NOW, revision: 'feedc0ffee01' });
    assert.ok(r.ok);
    assert.match(r.files[0].text, /^down_revision = \("b", "c"\)$/m);
    assert.match(r.files[0].text, /op\.execute\("CREATE INDEX CONCURRENTLY ix_users_lower_email ON users \(lower\(email\)\)"\)/);
    assert.ok(!pythonParser().parse(r.files[0].text)!.rootNode.hasError);
    const m = withFiles(files, r.files).facts.migrations.find((x) => x.id === 'feedc0ffee01')!;
    assert.deepStrictEqual(m.parents, ['b', 'c']);
    assert.strictEqual(m.upgrade[0].inTransaction, false);
    assert.match(r.notes[0], /2 Alembic heads/);
  });

  it('Flyway: the next version, next to the existing SQL migrations, parsed by libpg-query', () => {
    const project = readTree(path.join(ROOT, 'examples/sql-migrations'));
    const before = analyzeFiles(project);
    const r = indexMigration(before.facts.migrations, spec('CREATE INDEX CONCURRENTLY ix_orders_customer_id ON orders (customer_id);'), { now: NOW });
    assert.ok(r.ok);
    assert.strictEqual(r.tool, 'flyway');
    assert.deepStrictEqual(r.parents, ['V5']);
    assert.strictEqual(r.files[0].path, 'migrations/V6__add_ix_orders_customer_id.sql');
    const parsed = parseSync(r.files[0].text) as any;
    assert.deepStrictEqual(parsed.stmts.map((s: any) => Object.keys(s.stmt)[0]), ['IndexStmt']);
    assert.ok(parsed.stmts[0].stmt.IndexStmt.concurrent);
    const after = withFiles(project, r.files);
    const m = after.facts.migrations.find((x) => x.file === r.files[0].path)!;
    assert.strictEqual(m.id, 'V6');
    assert.strictEqual(m.upgrade[0].inTransaction, false);
    assert.deepStrictEqual(after.findings.filter((f) => f.span?.file === r.files[0].path && SAFETY.test(f.rule)).map((f) => f.rule), []);
  });

  it('plain folders, golang-migrate (up + down) and projects without migrations', () => {
    const ix = spec('CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total)');
    const plain = analyzeFiles(readTree(path.join(ROOT, 'test/db/fixtures/sql-project'))).facts.migrations;
    const p = indexMigration(plain, ix, { now: NOW });
    assert.ok(p.ok);
    assert.strictEqual(p.files[0].path, 'migrations/003_add_ix_orders_total.sql');
    assert.deepStrictEqual(p.parents, ['002_indexes']);
    for (const f of p.files) assert.ok((parseSync(f.text) as any).stmts.length >= 1);

    const go = analyzeFiles([
      { path: 'db/migrations/20240101120000_init.up.sql', text: 'CREATE TABLE orders (id int, total numeric);\n' },
      { path: 'db/migrations/20240101120000_init.down.sql', text: 'DROP TABLE orders;\n' },
    ]).facts.migrations;
    const g = indexMigration(go, ix, { now: NOW });
    assert.ok(g.ok);
    assert.deepStrictEqual(g.files.map((f) => f.path), ['db/migrations/20250304050607_add_ix_orders_total.up.sql', 'db/migrations/20250304050607_add_ix_orders_total.down.sql']);
    assert.match(g.files[1].text, /^DROP INDEX CONCURRENTLY IF EXISTS ix_orders_total;$/m);
    for (const f of g.files) parseSync(f.text);

    const none = indexMigration([], ix, { now: NOW });
    assert.ok(none.ok);
    assert.strictEqual(none.files[0].path, 'migrations/001_add_ix_orders_total.sql');
  });
});
