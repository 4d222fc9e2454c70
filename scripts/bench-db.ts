// Database-layer numbers for the README. Run by hand: `npx tsx scripts/bench-db.ts [--runs 50] [--project examples/fastapi-shop]`.
// 1. EXPLAIN round trip on the same server as `psql -c "EXPLAIN …"` (median of N): pgready on a warm
//    connection, and pgready including connect + session setup + close (what one CLI call pays, minus Node's start).
// 2. The embedded shadow database for a project: ready from scratch, and ready from the cache.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { connect } from '../src/db/connection';
import { explain } from '../src/db/explain';
import { openShadow } from '../src/db/shadow';
import { readProjectSteps } from './bench-common';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '50'));
const URL = process.env.PGREADY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PROJECT = path.resolve(arg('project', 'examples/fastapi-shop'));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function explainRoundTrip(): Promise<void> {
  const admin = await connect({ url: URL, readOnly: false, statementTimeoutMs: 60_000 });
  const schema = `pgready_bench_${process.pid}`;
  await admin.simple(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.posts (id int PRIMARY KEY, author_id int, title text);
    INSERT INTO ${schema}.posts SELECT g, g % 1000, 't' || g FROM generate_series(1, 100000) g; CREATE INDEX ON ${schema}.posts (author_id); ANALYZE ${schema}.posts;`);
  const sql = `SELECT * FROM ${schema}.posts WHERE author_id = 42 ORDER BY id LIMIT 20`;
  try {
    const warm: number[] = [];
    const cold: number[] = [];
    const psql: number[] = [];
    const db = await connect({ url: URL });
    for (let i = 0; i < 5; i++) await explain(db, sql); // warm up the parser and the plan cache
    for (let i = 0; i < RUNS; i++) {
      let t = now();
      await explain(db, sql);
      warm.push(now() - t);
      t = now();
      const c = await connect({ url: URL });
      await explain(c, sql);
      await c.close();
      cold.push(now() - t);
      t = now();
      execFileSync('psql', [URL, '-X', '-q', '-A', '-t', '-c', `EXPLAIN (FORMAT JSON) ${sql}`], { stdio: 'pipe' });
      psql.push(now() - t);
    }
    await db.close();
    console.log(`EXPLAIN round trip (${db.label}, median of ${RUNS})`);
    console.log(`| | median | vs psql |`);
    console.log(`|---|---|---|`);
    console.log(`| psql -c "EXPLAIN (FORMAT JSON) …" (process + connect + query) | ${ms(median(psql))} | 1.00× |`);
    console.log(`| pgready explain(), warm connection (incl. plan model + advice) | ${ms(median(warm))} | ${(median(warm) / median(psql)).toFixed(2)}× |`);
    console.log(`| pgready connect + explain() + close | ${ms(median(cold))} | ${(median(cold) / median(psql)).toFixed(2)}× |`);
  } finally {
    await admin.simple(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await admin.close();
  }
}

async function shadow(): Promise<void> {
  const steps = await readProjectSteps(PROJECT);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-bench-'));
  try {
    const row = async (label: string, rows: number, fromCache: boolean) => {
      const t = now();
      const db = await openShadow(steps, { cacheDir, rows });
      const ready = now() - t;
      const t2 = now();
      await explain(db, 'SELECT 1');
      const first = now() - t2;
      await db.close();
      if (db.fromCache !== fromCache) throw new Error(`expected fromCache=${fromCache}`);
      console.log(`| ${label} | ${ms(ready)} | ${ms(first)} | ${db.tables.length} tables, ${db.notes.filter((n) => n.sql).length} skipped statements |`);
    };
    console.log(`\nEmbedded shadow database for ${path.relative(process.cwd(), PROJECT) || '.'} (${steps.length} migration statements)`);
    console.log(`| | ready | first EXPLAIN | |`);
    console.log(`|---|---|---|---|`);
    await row('from scratch (empty tables)', 0, false);
    await row('from the cache (empty tables)', 0, true);
    await row('from the cache, again', 0, true);
    await row('from scratch, 10,000 generated rows per table', 10_000, false);
    await row('from the cache, 10,000 rows per table', 10_000, true);
    const sizes = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.shadow')).map((f) => `${(fs.statSync(path.join(cacheDir, f)).size / 1e6).toFixed(1)} MB`);
    console.log(`cache files: ${sizes.join(', ')}`);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

(async () => {
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (!process.argv.includes('--shadow-only')) await explainRoundTrip();
  if (!process.argv.includes('--explain-only')) await shadow();
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
