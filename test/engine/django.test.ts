import * as assert from 'assert';
import * as path from 'path';
import { analyzeFiles } from '../../src/engine';
import { ready$, readTree, ROOT } from '../helpers';

// The Django front end, asserted on its facts (not through rules).

describe('python Django front end', () => {
  before(ready$);

  it('reads models: default table names, FK columns with their index, reverse accessors, Meta indexes', () => {
    const r = analyzeFiles(readTree(path.join(ROOT, 'examples/django-library')));
    const book = r.facts.modelSchema.tables.get('library_book')!;
    assert.strictEqual(book.model, 'Book');
    assert.deepStrictEqual(book.primaryKey, ['id']);
    const author = book.columns.find((c) => c.name === 'author_id')!;
    assert.strictEqual(author.type, 'bigint');
    assert.strictEqual(author.attribute, 'author');
    assert.ok(book.indexes.some((i) => i.keys[0]?.column === 'author_id'), 'FK index Django creates');
    assert.ok(!book.indexes.some((i) => i.keys[0]?.column === 'publisher_id' && !i.unique), 'db_index=False');
    assert.ok(book.indexes.some((i) => i.name === 'book_available_idx' && i.where === `"status" = 'available'`));
    assert.ok(book.indexes.some((i) => i.name === 'book_isbn_uniq' && i.unique && i.constraint === 'unique'));
    assert.strictEqual(book.relationships.find((x) => x.name === 'author')?.lazy, 'select');
    const authorT = r.facts.modelSchema.tables.get('library_author')!;
    assert.ok(authorT.relationships.some((x) => x.name === 'books' && x.uselist));
    assert.ok(authorT.columns.some((c) => c.name === 'created_at'), 'abstract base fields');
    assert.ok(authorT.indexes.some((i) => i.method === 'gin' && i.keys[0]?.opclass === 'gin_trgm_ops' && i.keys[0]?.expression === 'upper("name")'));
    assert.ok(r.facts.modelSchema.tables.has('library_book_tags'), 'M2M through table');
    assert.ok(!r.facts.modelSchema.tables.has('book'), 'no Flask-style table for a Django model');
  });

  it('reads migrations: ids, parents, SQL per operation, atomic, irreversible RunPython', () => {
    const r = analyzeFiles(readTree(path.join(ROOT, 'examples/django-library')));
    const byId = new Map(r.facts.migrations.map((m) => [m.id, m]));
    const m2 = byId.get('library.0002_book_status')!;
    assert.strictEqual(m2.tool, 'django');
    assert.deepStrictEqual(m2.parents, ['library.0001_initial']);
    assert.deepStrictEqual(m2.upgrade.map((s) => s.sql), [
      `ALTER TABLE "library_book" ADD COLUMN "status" character varying(20) DEFAULT 'available' NOT NULL`,
      `ALTER TABLE "library_book" ALTER COLUMN "status" DROP DEFAULT`,
      `CREATE INDEX "book_title_idx" ON "library_book" ("title")`,
    ]);
    assert.ok(m2.upgrade.every((s) => s.inTransaction && s.ast));
    assert.strictEqual(m2.downgrade?.empty, false);
    assert.strictEqual(byId.get('library.0003_backfill_status')!.downgrade?.empty, true);
    const m4 = byId.get('library.0004_book_available_idx')!;
    assert.ok(m4.upgrade.every((s) => !s.inTransaction));
    assert.ok(m4.upgrade[1].ast?.IndexStmt?.concurrent);
    assert.deepStrictEqual(byId.get('accounts.0001_initial')!.parents, [], 'swappable_dependency is outside the project');
    // The replayed migration schema matches the models on the FK index Django creates.
    assert.ok(r.facts.migrationSchema.tables.get('library_loan')!.indexes.some((i) => i.keys[0]?.column === 'book_id'));
  });

  it('reads querysets: lookups, eager loads, uniqueness assumptions, serializer reads, settings', () => {
    const r = analyzeFiles(readTree(path.join(ROOT, 'examples/django-library')));
    const views = r.facts.files.get('library/views.py')!;
    const search = views.queries.find((q) => q.code.startsWith('Book.objects.filter(title__icontains'))!;
    assert.deepStrictEqual(search.predicates.map((p) => `${p.model}.${p.column}:${p.op}`), ['Book.title:ilike-contains']);
    assert.ok(search.limited && search.executes);
    const fast = views.queries.find((q) => q.code.includes('select_related("author")'))!;
    assert.deepStrictEqual(fast.eagerLoads, ['author']);
    assert.ok(views.uniquenessAssumptions.some((u) => u.kind === 'expects-one' && u.model === 'Member' && u.columns.join() === 'card_number'));
    const accounts = r.facts.files.get('accounts/models.py')!;
    assert.ok(accounts.uniquenessAssumptions.some((u) => u.kind === 'get-or-create' && u.columns.join() === 'user,label'));
    const api = r.facts.files.get('library/api.py')!;
    const reads = api.relationAccesses.map((a) => `${a.model}.${a.relationship}:${a.eagerLoaded}`).sort();
    assert.deepStrictEqual(reads, ['Book.author:false', 'Book.publisher:true', 'Loan.book:true', 'Loan.member:true']);
    const clients = r.facts.files.get('config/settings.py')!.clients;
    assert.deepStrictEqual(clients.map((c) => [c.kind, c.timeouts.statement_timeout, c.poolPrePing]), [['django', undefined, true], ['django', '30000', undefined]]);
  });

  it('leaves AlterField without SQL and marks RunSQL without reverse_sql irreversible', () => {
    const r = analyzeFiles([
      {
        path: 'shop/migrations/0002_x.py',
        text: 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n\n    operations = [\n        migrations.AlterField(model_name="item", name="name", field=models.CharField(max_length=300)),\n        migrations.RunSQL("UPDATE shop_item SET name = upper(name)"),\n        migrations.RemoveField(model_name="item", name="old"),\n    ]\n',
      },
    ]);
    const m = r.facts.migrations[0];
    assert.strictEqual(m.id, 'shop.0002_x');
    assert.ok(m.upgrade[0].parseError && !m.upgrade[0].ast);
    assert.strictEqual(m.upgrade[1].sql, 'UPDATE shop_item SET name = upper(name)');
    assert.strictEqual(m.upgrade[2].sql, 'ALTER TABLE "shop_item" DROP COLUMN "old" CASCADE');
    assert.strictEqual(m.downgrade?.empty, true);
  });
});
