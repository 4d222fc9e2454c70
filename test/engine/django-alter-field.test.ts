import * as assert from 'assert';
import { analyzeFiles, Engine, type SourceFile } from '../../src/engine';
import { ready$ } from '../helpers';

// Django AlterField: the extractor leaves a placeholder, the project merge replays the model state across
// migration files and replaces it with the SQL Django's PostgreSQL schema editor runs.

const migration = (name: string, deps: string[], ops: string[], head = 'from django.db import migrations, models\n'): string =>
  `${head}\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps.map((d) => `("shop", "${d}")`).join(', ')}]\n\n    operations = [\n${ops.map((o) => `        ${o},\n`).join('')}    ]\n`;

const initial: SourceFile = {
  path: 'shop/migrations/0001_initial.py',
  text: migration('0001_initial', [], [
    `migrations.CreateModel(name="Item", fields=[("id", models.BigAutoField(primary_key=True)), ("name", models.CharField(max_length=100)), ("note", models.TextField(null=True)), ("qty", models.IntegerField(null=True))])`,
  ]),
};

/** The SQL of every statement of a migration, by id. */
const sqlOf = (files: SourceFile[], id: string): string[] => {
  const m = analyzeFiles(files).facts.migrations.find((x) => x.id === id)!;
  return m.upgrade.map((s) => (s.ast ? s.sql : `!! ${s.parseError}`));
};

describe('Django AlterField resolution', () => {
  before(ready$);

  it('diffs against the definition another file holds, after a model rename, a table change and a field rename', () => {
    const files = [
      initial,
      {
        path: 'shop/migrations/0002_rename.py',
        text: migration('0002_rename', ['0001_initial'], [
          'migrations.RenameModel(old_name="Item", new_name="Product")',
          'migrations.RenameField(model_name="product", old_name="name", new_name="title")',
        ]),
      },
      {
        path: 'shop/migrations/0003_alter.py',
        text: migration('0003_alter', ['0002_rename'], [
          'migrations.AlterField(model_name="product", name="title", field=models.CharField(max_length=50, db_index=True))',
          'migrations.AlterModelTable(name="product", table="catalog_product")',
          'migrations.AlterField(model_name="product", name="qty", field=models.IntegerField(default=0))',
        ]),
      },
    ];
    const sql = sqlOf(files, 'shop.0003_alter');
    assert.strictEqual(sql[0], 'ALTER TABLE "shop_product" ALTER COLUMN "title" TYPE character varying(50) USING "title"::character varying(50)');
    assert.match(sql[1], /^CREATE INDEX "shop_product_title_[0-9a-f]{8}" ON "shop_product" \("title"\)$/);
    assert.strictEqual(sql[2], 'ALTER TABLE "shop_product" RENAME TO "catalog_product"');
    // NULL -> NOT NULL with a default: Django's four steps, on the renamed table.
    assert.deepStrictEqual(sql.slice(3), [
      'ALTER TABLE "catalog_product" ALTER COLUMN "qty" SET DEFAULT 0',
      'UPDATE "catalog_product" SET "qty" = 0 WHERE "qty" IS NULL',
      'ALTER TABLE "catalog_product" ALTER COLUMN "qty" SET NOT NULL',
      'ALTER TABLE "catalog_product" ALTER COLUMN "qty" DROP DEFAULT',
    ]);
  });

  it('emits nothing for Python-only changes, and follows SeparateDatabaseAndState state operations', () => {
    const files = [
      initial,
      {
        path: 'shop/migrations/0002_state.py',
        text: migration('0002_state', ['0001_initial'], [
          'migrations.AlterField(model_name="item", name="name", field=models.CharField(max_length=100, help_text="shown in forms", default="x"))',
          // The column was made NOT NULL by hand; only Django's state learns about it.
          'migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("ALTER TABLE shop_item ALTER COLUMN note SET NOT NULL", migrations.RunSQL.noop)], state_operations=[migrations.AlterField(model_name="item", name="note", field=models.TextField())])',
          'migrations.AlterField(model_name="item", name="note", field=models.TextField(null=True))',
        ]),
      },
    ];
    assert.deepStrictEqual(sqlOf(files, 'shop.0002_state'), ['ALTER TABLE shop_item ALTER COLUMN note SET NOT NULL', 'ALTER TABLE "shop_item" ALTER COLUMN "note" DROP NOT NULL']);
  });

  it('keeps a parse note when no earlier migration defines the field', () => {
    const files = [{ path: 'shop/migrations/0002_x.py', text: migration('0002_x', ['0001_initial'], ['migrations.AlterField(model_name="item", name="name", field=models.CharField(max_length=300))']) }];
    const [note] = sqlOf(files, 'shop.0002_x');
    assert.match(note, /^!! AlterField: no earlier migration in the project defines "item.name"/);
  });

  it('re-resolves after the earlier file changes, without changing the cached per-file facts', () => {
    const engine = new Engine();
    const alter: SourceFile = {
      path: 'shop/migrations/0002_alter.py',
      text: migration('0002_alter', ['0001_initial'], ['migrations.AlterField(model_name="item", name="qty", field=models.IntegerField())']),
    };
    engine.setFile(initial.path, initial.text);
    engine.setFile(alter.path, alter.text);
    const sql = () => engine.facts().migrations.find((m) => m.id === 'shop.0002_alter')!.upgrade.map((s) => s.sql);
    assert.deepStrictEqual(sql(), ['ALTER TABLE "shop_item" ALTER COLUMN "qty" SET NOT NULL']);
    assert.ok(engine.analyze().findings.some((f) => f.rule === 'adding-not-nullable-field'));
    // qty becomes NOT NULL from the start: the same AlterField now changes nothing.
    engine.setFile(initial.path, initial.text.replace('models.IntegerField(null=True)', 'models.IntegerField()'));
    assert.deepStrictEqual(sql(), []);
    assert.ok(!engine.analyze().findings.some((f) => f.rule === 'adding-not-nullable-field'));
    engine.setFile(initial.path, initial.text);
    assert.deepStrictEqual(sql(), ['ALTER TABLE "shop_item" ALTER COLUMN "qty" SET NOT NULL']);
  });
});
