#!/usr/bin/env node
// Runs pgready's extension-host suites in code-server (test/vscode-host/run.js) on fresh copies of the
// fixture workspace: the trusted suite, then the untrusted one (--trusted=false). With --measure it also
// measures a copy of examples/fastapi-shop and a synthetic 1,000-file project and prints the numbers.
//   node test/vscode/run-host.mjs [--measure] [--verbose]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const hostDir = join(root, 'test', 'vscode-host');
const args = process.argv.slice(2);
const measure = args.includes('--measure');
const verbose = args.includes('--verbose');
const artifacts = join(root, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });
const metrics = join(artifacts, 'vscode-metrics.json');

function copy(src) {
  const dir = mkdtempSync(join(tmpdir(), 'pgready-ws-'));
  cpSync(src, dir, { recursive: true });
  return dir;
}

function run(name, workspace, suite, extra = [], env = {}) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(
    process.execPath,
    [join(hostDir, 'run.js'), '--ext', root, '--tests', join(hostDir, 'mocha-runner.js'), '--workspace', workspace, '--timeout', process.env.PGREADY_VSCODE_TIMEOUT || '600', ...extra, ...(verbose ? ['--verbose'] : [])],
    { stdio: 'inherit', env: { ...process.env, PGREADY_VSCODE_TESTS: suite.split(',').map((s) => join(hostDir, 'suite', s)).join(','), PGREADY_VSCODE_METRICS: metrics, ...env } },
  );
  rmSync(workspace, { recursive: true, force: true });
  return r.status ?? 1;
}

/** A synthetic project: n model/route modules plus migrations, each with something to find. */
function synthetic(n) {
  const dir = mkdtempSync(join(tmpdir(), 'pgready-synth-'));
  mkdirSync(join(dir, 'alembic', 'versions'), { recursive: true });
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'alembic.ini'), '[alembic]\nscript_location = alembic\n');
  const migrations = Math.floor(n / 4);
  for (let i = 0; i < migrations; i++) {
    const rev = `r${String(i).padStart(5, '0')}`;
    const down = i ? `"r${String(i - 1).padStart(5, '0')}"` : 'None';
    writeFileSync(
      join(dir, 'alembic', 'versions', `${rev}_t${i}.py`),
      `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "${rev}"\ndown_revision = ${down}\n\n\ndef upgrade():\n    op.create_table("t${i}", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("name", sa.String(100)))\n    op.create_index("ix_t${i}_name", "t${i}", ["name"])\n\n\ndef downgrade():\n    op.drop_table("t${i}")\n`,
    );
  }
  for (let i = migrations; i < n; i++) {
    const t = i % migrations;
    writeFileSync(
      join(dir, 'app', `m${i}.py`),
      `from sqlalchemy import BigInteger, String, select, text\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base${i}(DeclarativeBase):\n    pass\n\n\nclass T${i}(Base${i}):\n    __tablename__ = "t${t}"\n    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)\n    name: Mapped[str] = mapped_column(String(100))\n\n\ndef find_${i}(session, name):\n    return session.execute(text(f"SELECT id FROM t${t} WHERE name = '{name}'"))\n\n\ndef list_${i}(session):\n    return session.scalars(select(T${i}).where(T${i}.name == "x")).all()\n`,
    );
  }
  return dir;
}

let failed = 0;
// Suites run in this order in one host; live.test.js (PostgreSQL) restores the connection settings it sets.
failed += run('trusted workspace', copy(join(root, 'test', 'fixtures', 'vscode-workspace')), 'extension.test.js,explain.test.js,try-index.test.js,live.test.js') ? 1 : 0;
failed += run('untrusted workspace (--trusted=false)', copy(join(root, 'test', 'fixtures', 'vscode-workspace')), 'untrusted.test.js,live-untrusted.test.js', ['--trusted=false']) ? 1 : 0;
if (measure) {
  failed += run('measure: examples/fastapi-shop', copy(join(root, 'examples', 'fastapi-shop')), 'measure.test.js', [], { PGREADY_MEASURE_LABEL: 'fastapi-shop' }) ? 1 : 0;
  failed += run('measure: synthetic 1,000-file project', synthetic(1000), 'measure.test.js', [], { PGREADY_MEASURE_LABEL: 'synthetic-1000' }) ? 1 : 0;
  try {
    console.log(`\nmetrics (${metrics}):\n${readFileSync(metrics, 'utf8')}`);
  } catch {
    /* no metrics written */
  }
}
console.log(`\nvscode-host suites: ${failed ? `${failed} failed` : 'all passed'}`);
process.exit(failed ? 1 : 0);
