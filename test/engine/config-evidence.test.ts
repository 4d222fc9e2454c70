import * as assert from 'assert';
import { analyzeFiles, isAnalysable } from '../../src/engine';
import { acceptsConfig, isEnvFile } from '../../src/engine/sources/config';
import { ready$ } from '../helpers';

// Operational evidence (backups, monitoring) and literal credentials found in infra and config files.

const run = (files: Record<string, string>) => analyzeFiles(Object.entries(files).map(([path, text]) => ({ path, text })));
const evidence = (files: Record<string, string>) => run(files).facts.evidence.map((e) => `${e.kind} ${e.span.file}:${e.span.line} ${e.what.replace(/ in \S+$/, '')}`);

describe('config front end: evidence', () => {
  before(ready$);

  it('accepts infra and config files, not lock files or docs', () => {
    for (const p of ['scripts/backup.sh', 'Dockerfile', 'deploy/Dockerfile.prod', 'docker-compose.override.yml', 'k8s/cron.yaml', 'infra/main.tf', 'postgresql.conf', 'config.ini', 'pyproject.toml', 'app.json', '.env', '.env.production', 'Procfile', 'etc/cron.d/pgbackup', 'crontab', 'app/tasks.py', 'src/backup.ts'])
      assert.ok(acceptsConfig(p), p);
    for (const p of ['package-lock.json', 'web/yarn.lock', 'README.md', 'logo.png', 'dist/app.min.js'])
      assert.ok(!acceptsConfig(p), p);
    assert.ok(isAnalysable('infra/main.tf'));
    assert.ok(isEnvFile('.env') && isEnvFile('.env.local') && isEnvFile('config/prod.env'));
    assert.ok(!isEnvFile('.env.example') && !isEnvFile('.env.sample') && !isEnvFile('.env.template'));
  });

  it('finds backup tools in scripts, cron, Kubernetes, compose and Python', () => {
    assert.deepStrictEqual(
      evidence({
        'scripts/backup.sh': '#!/bin/sh\n# nightly\npg_dump -Fc "$DATABASE_URL" > /backups/db.dump\n',
        'etc/crontab': '0 2 * * * postgres pg_dumpall > /backups/all.sql\n',
        'k8s/backup.yaml': 'kind: CronJob\nspec:\n  jobTemplate:\n    command: ["pg_dump", "-Fc"]\n',
        'pgbackrest.conf': '[global]\nrepo1-path=/var/lib/pgbackrest\n',
        'docker-compose.yml': 'services:\n  db:\n    command: postgres -c archive_mode=on -c archive_command="wal-g wal-push %p"\n',
        'ops/tasks.py': 'import subprocess\nsubprocess.run(["pg_basebackup", "-D", "/backup"])\n',
        'ops/barman.conf': '[pg]\nconninfo = host=db\n# barman is our tool\nbackup_method = postgres barman\n',
      }),
      [
        'backup docker-compose.yml:3 WAL-G',
        'backup etc/crontab:1 pg_dumpall (cron)',
        'backup k8s/backup.yaml:4 pg_dump (Kubernetes CronJob)',
        'backup ops/barman.conf:4 barman',
        'backup ops/tasks.py:2 pg_basebackup',
        'backup pgbackrest.conf:2 pgBackRest',
        'backup scripts/backup.sh:3 pg_dump',
      ],
    );
  });

  it('finds managed-database backup settings and rejects disabled ones', () => {
    assert.deepStrictEqual(
      evidence({
        'infra/rds.tf': 'resource "aws_db_instance" "db" {\n  backup_retention_period = 14\n  backup_window = "03:00-04:00"\n}\nresource "aws_db_instance" "tmp" {\n  backup_retention_period = 0\n}\n',
        'infra/gcp.tf': 'settings {\n  backup_configuration {\n    enabled = true\n    point_in_time_recovery_enabled = true\n  }\n}\n',
        'infra/gcp-off.tf': 'settings {\n  backup_configuration {\n    enabled = false\n  }\n}\n',
        'infra/azure.tf': 'resource "azurerm_postgresql_flexible_server" "s" {\n  backup_retention_days = 7\n}\n',
        'k8s/cluster.yaml': 'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nspec:\n  backup:\n    barmanObjectStore:\n      destinationPath: s3://b\n',
        'scripts/schema.sh': 'pg_dump --schema-only "$URL" > db/structure.sql\npg_dump -s "$URL"\n',
      }),
      [
        'backup infra/azure.tf:2 backup_retention_days = 7',
        'backup infra/gcp.tf:2 Cloud SQL backup_configuration',
        'backup infra/gcp.tf:4 point_in_time_recovery_enabled = true',
        'backup infra/rds.tf:2 backup_retention_period = 14',
        'backup infra/rds.tf:3 managed backup window',
        'backup k8s/cluster.yaml:4 CloudNativePG backup',
        'backup k8s/cluster.yaml:5 CloudNativePG barmanObjectStore',
      ],
    );
  });

  it('finds monitoring: pg_stat_statements, exporters, Performance Insights, Datadog', () => {
    assert.deepStrictEqual(
      evidence({
        'postgresql.conf': "# shared_preload_libraries = ''\nshared_preload_libraries = 'pg_stat_statements,auto_explain'\n",
        'docker-compose.yml': 'services:\n  exporter:\n    image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0\n',
        'infra/rds.tf': 'performance_insights_enabled = true\n',
        'infra/rds-off.tf': 'performance_insights_enabled = false\n',
        'datadog/conf.d/postgres.d/conf.yaml': 'init_config:\ninstances:\n  - host: db\n',
        'app/migrations/0003_stats.py': 'op.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")\n',
      }),
      [
        'monitoring app/migrations/0003_stats.py:1 CREATE EXTENSION pg_stat_statements',
        'monitoring datadog/conf.d/postgres.d/conf.yaml:1 Datadog postgres integration',
        'monitoring docker-compose.yml:3 postgres_exporter',
        'monitoring infra/rds.tf:1 RDS Performance Insights',
        'monitoring postgresql.conf:2 pg_stat_statements in shared_preload_libraries',
      ],
    );
  });

  it('spans the matching line without its indentation', () => {
    const text = 'spec:\n    command: ["pg_dump", "-Fc"]   \n';
    const [e] = run({ 'k8s/job.yaml': text }).facts.evidence;
    assert.strictEqual(text.slice(e.span.start, e.span.end), 'command: ["pg_dump", "-Fc"]');
    assert.deepStrictEqual([e.span.line, e.span.column], [2, 5]);
  });

  it('records literal passwords in .env and compose files, not in examples or references', () => {
    const env = 'DATABASE_URL=postgresql://app:s3cret@db:5432/app\nPOSTGRES_PASSWORD="hunter2"\nPGPASSWORD=${PGPASSWORD}\nOTHER_URL=postgres://app@db/app\n';
    const compose = 'services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: CHANGE_ME\n      - POSTGRES_PASSWORD=${DB_PASSWORD}\n  api:\n    environment:\n      DATABASE_URL: postgresql+asyncpg://app:CHANGE_ME@db/shop\n';
    const facts = run({ '.env': env, '.env.example': env, 'docker-compose.yml': compose, 'settings.yaml': 'POSTGRES_PASSWORD: x\n' }).facts;
    const texts: Record<string, string> = { '.env': env, 'docker-compose.yml': compose };
    assert.deepStrictEqual(
      facts.credentials.map((c) => [c.span.file, c.span.line, c.where, texts[c.span.file].slice(c.span.start, c.span.end)]),
      [
        ['.env', 1, 'DATABASE_URL in .env', 's3cret'],
        ['.env', 2, 'POSTGRES_PASSWORD in .env', 'hunter2'],
        ['docker-compose.yml', 4, 'POSTGRES_PASSWORD in docker-compose.yml', 'CHANGE_ME'],
        ['docker-compose.yml', 8, 'DATABASE_URL in docker-compose.yml', 'CHANGE_ME'],
      ],
    );
  });

  it('reports backup/monitoring strengths naming the evidence', () => {
    const result = run({
      'db/migration/V1__init.sql': 'CREATE TABLE t (id int PRIMARY KEY);\nCREATE EXTENSION pg_stat_statements;\n',
      'ops/backup.sh': 'pg_dump "$URL" > x.sql\n',
    });
    const strengths = result.findings.filter((f) => f.strength).map((f) => [f.rule, f.message, f.span?.file]);
    assert.deepStrictEqual(strengths, [
      ['missing-query-monitoring', 'Query monitoring is configured in the repository: CREATE EXTENSION pg_stat_statements in db/migration/V1__init.sql.', 'db/migration/V1__init.sql'],
      ['missing-backup-strategy', 'Backups are configured in the repository: pg_dump in ops/backup.sh.', 'ops/backup.sh'],
    ]);
    assert.ok(!result.findings.some((f) => (f.rule === 'missing-backup-strategy' || f.rule === 'missing-query-monitoring') && !f.strength));
  });

  it('stays fast on many files without evidence', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`cfg/f${i}.yaml`] = `name: svc-${i}\nreplicas: 3\n` + 'env:\n  - name: A\n    value: b\n'.repeat(30);
    const t0 = Date.now();
    const facts = run(files).facts;
    const ms = Date.now() - t0;
    assert.deepStrictEqual(facts.evidence, []);
    assert.ok(ms < 5000, `took ${ms} ms`);
  });
});
