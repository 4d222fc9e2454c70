import * as assert from 'assert';
import * as path from 'path';
import { connect, type Db } from '../../src/db/connection';
import { adminOrSkip, TEST_DB_URL, withDatabase } from './server';
import { runLiveChecks } from '../../src/db/live-report';
import migrationsCheck from '../../src/db/live/migrations';
import { Engine, initEngine, type AnalysisResult } from '../../src/engine';
import type { LiveCheckResult } from '../../src/engine/live';
import { readTree } from '../helpers';

// The unapplied-migrations live check for Django, Prisma and Flyway (Alembic: live.test.ts), on the real
// PostgreSQL server. One scratch database; each case writes a tool's history table the way the tool does,
// then runs the check on a read-only session against a small fixture project's migration files.

const URL = TEST_DB_URL;
const SCRATCH = `pgready_livemig_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const FIXTURES = path.join(__dirname, 'fixtures');

function analyse(project: string): AnalysisResult {
  const engine = new Engine();
  for (const f of readTree(path.join(FIXTURES, project))) engine.setFile(f.path, f.text);
  return engine.analyze();
}

const DJANGO_TABLE = `CREATE TABLE django_migrations (id bigserial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL DEFAULT now());`;
const djangoRows = (rows: [string, string][]) => `${DJANGO_TABLE} INSERT INTO django_migrations (app, name) VALUES ${rows.map(([a, n]) => `('${a}', '${n}')`).join(', ')};`;
const DJANGO_CONTRIB: [string, string][] = [
  ['contenttypes', '0001_initial'],
  ['auth', '0001_initial'],
  ['auth', '0012_alter_user_first_name_max_length'],
  ['admin', '0001_initial'],
];
const INVENTORY_REPLACED: [string, string][] = [
  ['inventory', '0001_initial'],
  ['inventory', '0002_stock'],
  ['inventory', '0003_stock_level'],
];

// Prisma's own DDL for its table.
const PRISMA_TABLE = `CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY NOT NULL, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL,
  logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);`;
type PrismaRow = { name: string; finished?: boolean; rolledBack?: boolean; logs?: string; at?: string };
const prismaRows = (rows: PrismaRow[]) =>
  `${PRISMA_TABLE} INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs, applied_steps_count) VALUES ${rows
    .map(
      (r, i) =>
        `('${i}', 'c', '${r.name}', timestamptz '${r.at ?? '2024-06-01 10:00'}+00' + ${i} * interval '1 minute', ${r.finished === false ? 'NULL' : `timestamptz '${r.at ?? '2024-06-01 10:00'}+00' + ${i} * interval '1 minute' + interval '2 seconds'`}, ${r.rolledBack ? 'now()' : 'NULL'}, ${r.logs ? `'${r.logs.replace(/'/g, "''")}'` : 'NULL'}, ${r.finished === false ? 0 : 1})`,
    )
    .join(', ')};`;

// Flyway's own DDL for PostgreSQL.
const flywayTable = (name = 'flyway_schema_history') => `CREATE TABLE ${name} (installed_rank int NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL,
  script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL);`;
type FlywayRow = [version: string | null, type: string, script: string, success: boolean];
const flywayRows = (rows: FlywayRow[], name = 'flyway_schema_history') =>
  `${flywayTable(name)} INSERT INTO ${name} (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES ${rows
    .map(([v, t, s, ok], i) => `(${i + 1}, ${v === null ? 'NULL' : `'${v}'`}, 'd', '${t}', '${s}', 'deploy', 5, ${ok})`)
    .join(', ')};`;

describe('live: unapplied migrations for Django, Prisma and Flyway (PostgreSQL)', function () {
  this.timeout(120_000);
  let admin: Db | undefined;
  let setup: Db;
  let scratchUrl: string;
  const projects: Record<string, AnalysisResult> = {};

  before(async function () {
    admin = await adminOrSkip(this);
    await initEngine();
    for (const p of ['django-project', 'prisma-project', 'flyway-project']) projects[p] = analyse(p);
    await admin!.simple(`CREATE DATABASE ${SCRATCH}`);
    scratchUrl = withDatabase(URL, SCRATCH);
    setup = await connect({ url: scratchUrl, readOnly: false });
  });

  after(async () => {
    await setup?.close();
    if (admin) {
      await admin.simple(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`).catch((e) => console.log(`      could not drop ${SCRATCH}: ${e.message}`));
      await admin.close();
    }
  });

  /** Resets the history tables, runs `sql`, then the check (read-only session) for the project. */
  async function checkWith(project: string, sql: string): Promise<LiveCheckResult> {
    await setup.simple(`DROP TABLE IF EXISTS django_migrations, _prisma_migrations, flyway_schema_history, schema_version, alembic_version; DROP SCHEMA IF EXISTS deploy CASCADE; ${sql}`);
    const db = await connect({ url: scratchUrl });
    try {
      const live = await runLiveChecks(db, projects[project], {}, [migrationsCheck]);
      const c = live.checks[0];
      assert.strictEqual(c.error, undefined, c.error);
      return c;
    } finally {
      await db.close();
    }
  }
  const rulesOf = (c: LiveCheckResult) => c.findings.map((f) => `${f.rule} ${f.data?.revision}`).sort();

  describe('Django (django_migrations)', () => {
    it('fires for a migration not recorded and for an app with no rows; Django\'s own apps and a squash stay quiet', async () => {
      const c = await checkWith('django-project', djangoRows([...DJANGO_CONTRIB, ['shop', '0001_initial'], ['shop', '0002_product_sku'], ...INVENTORY_REPLACED]));
      assert.strictEqual(c.status, 'problem');
      assert.deepStrictEqual(rulesOf(c), ['live-unapplied-migration blog.0001_initial', 'live-unapplied-migration shop.0003_product_sku_idx']);
      const shop = c.findings.find((f) => f.data?.revision === 'shop.0003_product_sku_idx')!;
      assert.match(shop.message, /^Migration shop\.0003_product_sku_idx \(0003_product_sku_idx\.py\) is not applied: django_migrations has shop up to 0002_product_sku/);
      assert.match(shop.message, /CREATE INDEX/);
      assert.match(shop.help, /python manage\.py migrate/);
      assert.deepStrictEqual(shop.anchor, { migration: 'shop.0003_product_sku_idx' });
      assert.match(c.findings.find((f) => f.data?.revision === 'blog.0001_initial')!.message, /django_migrations has no migration of blog/);
      assert.match(c.summary, /^2 Django migrations of 5 not applied: blog\.0001_initial, shop\.0003_product_sku_idx$/);
    });

    it('stays silent when every migration is recorded, with rows of deleted old migrations and another app label', async () => {
      const all: [string, string][] = [...DJANGO_CONTRIB, ['shop', '0000_legacy_bootstrap'], ['shop', '0001_initial'], ['shop', '0002_product_sku'], ['shop', '0003_product_sku_idx'], ['blog', '0001_initial'], ...INVENTORY_REPLACED];
      let c = await checkWith('django-project', djangoRows(all));
      assert.deepStrictEqual([c.status, c.findings], ['ok', []]);
      assert.match(c.summary, /^all 5 Django migrations applied \(3 apps\)$/);
      // AppConfig.label = 'store' for the shop/ folder: its rows are found by their names.
      c = await checkWith('django-project', djangoRows(all.map(([a, n]) => [a === 'shop' ? 'store' : a, n])));
      assert.deepStrictEqual([c.status, c.findings], ['ok', []]);
    });

    it('warns when the database has a newer migration of an app than the repository', async () => {
      const c = await checkWith(
        'django-project',
        djangoRows([['shop', '0001_initial'], ['shop', '0002_product_sku'], ['shop', '0003_product_sku_idx'], ['shop', '0004_product_price'], ['blog', '0001_initial'], ['inventory', '0001_squashed_0003_stock_level']]),
      );
      assert.deepStrictEqual(rulesOf(c), ['live-unknown-migration-revision shop.0004_product_price']);
      assert.strictEqual(c.findings[0].severity, 'warning');
    });

    it('without django_migrations, every migration is unapplied', async () => {
      const c = await checkWith('django-project', '');
      assert.strictEqual(c.findings.length, 5);
      assert.ok(c.findings.every((f) => f.rule === 'live-unapplied-migration' && /no django_migrations table/.test(f.message)));
    });
  });

  describe('Prisma (_prisma_migrations)', () => {
    it('a started-but-unfinished migration is its own finding; the next one is unapplied', async () => {
      const c = await checkWith('prisma-project', prismaRows([{ name: '20240101000000_init' }, { name: '20240201000000_orders', finished: false, logs: 'Database error code: 42P07\nrelation "Order" already exists' }]));
      assert.strictEqual(c.status, 'problem');
      assert.deepStrictEqual(rulesOf(c), ['live-failed-migration 20240201000000_orders', 'live-unapplied-migration 20240301000000_orders_status_idx']);
      const failed = c.findings.find((f) => f.rule === 'live-failed-migration')!;
      assert.match(failed.message, /^Migration 20240201000000_orders started at 2024-06-01 10:01:00\+00 and never finished .*P3009.*Its log: Database error code: 42P07$/);
      assert.match(failed.help, /prisma migrate resolve --rolled-back 20240201000000_orders/);
      assert.deepStrictEqual(failed.anchor, { migration: '20240201000000_orders' });
      const pending = c.findings.find((f) => f.rule === 'live-unapplied-migration')!;
      assert.match(pending.message, /prisma\/migrations\/20240301000000_orders_status_idx\/migration\.sql\) is not applied: _prisma_migrations has up to 20240101000000_init/);
      assert.match(c.summary, /1 Prisma migration of 3 not applied: 20240301000000_orders_status_idx; 1 migration started and never finished: 20240201000000_orders/);
    });

    it('stays silent when all finished, after a rolled-back attempt and with an older squashed-away row', async () => {
      const c = await checkWith(
        'prisma-project',
        prismaRows([
          { name: '20231101000000_before_squash', at: '2023-11-01 09:00' },
          { name: '20240101000000_init' },
          { name: '20240201000000_orders', finished: false, rolledBack: true },
          { name: '20240201000000_orders' },
          { name: '20240301000000_orders_status_idx' },
        ]),
      );
      assert.deepStrictEqual([c.status, c.findings], ['ok', []]);
      assert.match(c.summary, /^all 3 Prisma migrations applied \(up to 20240301000000_orders_status_idx\)$/);
    });

    it('a migration only rolled back is unapplied; a newer unknown one warns', async () => {
      const c = await checkWith(
        'prisma-project',
        prismaRows([{ name: '20240101000000_init' }, { name: '20240201000000_orders', finished: false, rolledBack: true }, { name: '20240301000000_orders_status_idx' }, { name: '20240401000000_coupons' }]),
      );
      assert.deepStrictEqual(rulesOf(c), ['live-unapplied-migration 20240201000000_orders', 'live-unknown-migration-revision 20240401000000_coupons']);
    });
  });

  describe('Flyway (flyway_schema_history)', () => {
    it('fires for a skipped (out-of-order) version, a never-run repeatable and a failed run', async () => {
      const c = await checkWith(
        'flyway-project',
        flywayRows([
          ['1', 'SQL', 'V1__init.sql', true],
          ['2', 'SQL', 'V2__orders.sql', true],
          ['3', 'SQL', 'V3__orders_total.sql', false],
        ]),
      );
      assert.strictEqual(c.status, 'problem');
      assert.deepStrictEqual(rulesOf(c), ['live-failed-migration V3', 'live-unapplied-migration R__order_counts', 'live-unapplied-migration V1.1']);
      const skipped = c.findings.find((f) => f.data?.revision === 'V1.1')!;
      assert.match(skipped.message, /^Migration V1\.1 \(V1\.1__customers_name\.sql\) is not applied: flyway_schema_history is at version 2.*older than the database's newest version.*outOfOrder/);
      assert.match(c.findings.find((f) => f.rule === 'live-failed-migration')!.message, /^Flyway recorded migration V3 \(V3__orders_total\.sql\) as failed at \d{4}-.*"Detected failed migration"/);
    });

    it('stays silent when applied: a baseline, 2.0 for V2, the repeatable run, the schema-creation row', async () => {
      const c = await checkWith(
        'flyway-project',
        flywayRows([
          ['0', 'SCHEMA', '"public"', true],
          ['1.1', 'BASELINE', '<< Flyway Baseline >>', true],
          ['2.0', 'SQL', 'V2__orders.sql', true],
          [null, 'SQL', 'R__order_counts.sql', true],
        ]),
      );
      assert.deepStrictEqual([c.status, c.findings], ['ok', []]);
      assert.match(c.summary, /^all 4 Flyway migrations applied \(at version 2\)$/);
    });

    it('reads the pre-Flyway-5 schema_version table in another schema; an undo takes a version back', async () => {
      const c = await checkWith(
        'flyway-project',
        `CREATE SCHEMA deploy; SET search_path = deploy; ${flywayRows(
          [
            ['1', 'SQL', 'V1__init.sql', true],
            ['1.1', 'SQL', 'V1.1__customers_name.sql', true],
            ['2', 'SQL', 'V2__orders.sql', true],
            [null, 'SQL', 'R__order_counts.sql', true],
            ['2', 'UNDO_SQL', 'U2__orders.sql', true],
          ],
          'schema_version',
        )} RESET search_path;`,
      );
      assert.deepStrictEqual(rulesOf(c), ['live-unapplied-migration V2']);
      assert.match(c.findings[0].message, /schema_version is at version 1\.1/);
    });
  });
});
