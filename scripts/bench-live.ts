// Live readiness checks on a database with many tables, for the README. Run by hand:
// `npx tsx scripts/bench-live.ts [--tables 200] [--runs 5]`. Creates a scratch database (pgready_bench_live_<pid>)
// on the server at PGREADY_TEST_DATABASE_URL, fills it with N tables (a primary key, a foreign key to the
// previous table, two indexes, a few rows each), runs all live checks against the fastapi-shop analysis
// (median of the runs, connect + checks + close), and drops the database.
import * as fs from 'fs';
import * as path from 'path';
import { connect } from '../src/db/connection';
import { runLiveChecks } from '../src/db/live-report';
import { analyzeFiles, initEngine, type SourceFile } from '../src/engine';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const TABLES = Number(arg('tables', '200'));
const RUNS = Number(arg('runs', '5'));
const URL = process.env.PGREADY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function withDatabase(url: string, database: string): string {
  const u = new globalThis.URL(url.replace(/^postgres(ql)?(\+\w+)?:/, 'postgresql:'));
  u.pathname = `/${database}`;
  return u.toString();
}

/** Every file under `root` as engine source files (project-relative, `/`-separated). For benchmarks only. */
export function readProject(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.push({ path: path.relative(root, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}

async function main(): Promise<void> {
  await initEngine();
  const analysis = analyzeFiles(readProject(path.resolve(__dirname, '../examples/fastapi-shop')));
  const name = `pgready_bench_live_${process.pid}`;
  const admin = await connect({ url: withDatabase(URL, 'postgres'), readOnly: false });
  await admin.simple(`CREATE DATABASE ${name}`);
  try {
    const url = withDatabase(URL, name);
    const setup = await connect({ url, readOnly: false, statementTimeoutMs: 300_000 });
    let t = now();
    const ddl: string[] = [];
    for (let i = 1; i <= TABLES; i++) {
      const fk = i > 1 ? `, parent_id bigint REFERENCES t${i - 1} (id)` : '';
      ddl.push(`CREATE TABLE t${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()${fk});
        CREATE INDEX ix_t${i}_name ON t${i} (name); CREATE INDEX ix_t${i}_created_at ON t${i} (created_at);
        INSERT INTO t${i} (name) SELECT 'row ' || g FROM generate_series(1, 50) g;`);
    }
    await setup.simple(ddl.join('\n'));
    await setup.simple('ANALYZE');
    await setup.close();
    console.log(`setup: ${TABLES} tables (${TABLES * 3} indexes, ${TABLES - 1} foreign keys) in ${(now() - t).toFixed(0)} ms`);
    const times: number[] = [];
    const checkTimes = new Map<string, number[]>();
    for (let r = 0; r < RUNS; r++) {
      t = now();
      const db = await connect({ url });
      const live = await runLiveChecks(db, analysis);
      await db.close();
      times.push(now() - t);
      for (const c of live.checks) checkTimes.set(c.check, [...(checkTimes.get(c.check) ?? []), c.ms ?? 0]);
      if (r === 0) console.log(`findings: ${live.checks.reduce((s, c) => s + c.findings.length, 0)}; errors: ${live.checks.filter((c) => c.error).map((c) => `${c.check}: ${c.error}`).join('; ') || 'none'}`);
    }
    console.log(`live checks on ${TABLES} tables: median ${median(times).toFixed(0)} ms over ${RUNS} runs (connect + catalog + ${checkTimes.size} checks + close); min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
    for (const [id, ms] of checkTimes) console.log(`  ${id.padEnd(28)} ${median(ms).toFixed(1)} ms`);
  } finally {
    await admin.simple(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
