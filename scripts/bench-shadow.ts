// The embedded shadow database, each measurement in a fresh Node process (a second open in the same
// process reuses the compiled WebAssembly module and would flatter the cache). Run by hand:
//   npx tsx scripts/bench-shadow.ts [--runs 5] [--project examples/fastapi-shop] [--rows 0,10000]
// Per row count: N builds from scratch (each into an empty cache folder), then N opens from the cache.
// "ready" is openShadow() until the session answers; "first EXPLAIN" follows it; "process" is the child's
// whole life (Node start, tsx, engine, open, EXPLAIN, close).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Sample {
  ready: number;
  readyCpu: number;
  first: number;
  fromCache: boolean;
  tables: number;
  rss: number;
  cacheBytes: number;
}

async function child(): Promise<void> {
  const project = path.resolve(arg('project', 'examples/fastapi-shop'));
  const cacheDir = arg('cache-dir', '');
  const rows = Number(arg('rows', '0'));
  const { readProjectSteps } = await import('./bench-common');
  const { openShadow } = await import('../src/db/shadow');
  const { explain } = await import('../src/db/explain');
  const steps = await readProjectSteps(project);
  const t = now();
  const c = cpuMs();
  const db = await openShadow(steps, { cacheDir, rows });
  const ready = now() - t;
  const readyCpu = cpuMs() - c;
  const t2 = now();
  await explain(db, 'SELECT 1');
  const first = now() - t2;
  const rss = process.memoryUsage().rss;
  await db.close();
  const cacheBytes = db.cacheFile && fs.existsSync(db.cacheFile) ? fs.statSync(db.cacheFile).size : 0;
  const out: Sample = { ready, readyCpu, first, fromCache: db.fromCache, tables: db.tables.length, rss, cacheBytes };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function run(cacheDir: string, rows: number, project: string): Sample & { process: number } {
  const t = now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--child', '--cache-dir', cacheDir, '--rows', String(rows), '--project', project], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const process_ = now() - t;
  const line = out.trim().split('\n').pop()!;
  return { ...(JSON.parse(line) as Sample), process: process_ };
}

function main(): void {
  const runs = Number(arg('runs', '5'));
  const project = arg('project', 'examples/fastapi-shop');
  const rowsList = arg('rows', '0,10000').split(',').map(Number);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-bench-shadow-'));
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${runs} fresh processes per line`);
  console.log(`| ${project} | ready (median) | min–max | CPU (median) | first EXPLAIN | process | RSS | cache file |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  try {
    for (const rows of rowsList) {
      const label = rows ? `${rows.toLocaleString('en')} rows per table` : 'empty tables';
      const lines: [string, (Sample & { process: number })[]][] = [];
      const scratch: (Sample & { process: number })[] = [];
      for (let i = 0; i < runs; i++) {
        const dir = path.join(root, `scratch-${rows}-${i}`);
        scratch.push(run(dir, rows, project));
        if (scratch[i].fromCache) throw new Error('a build from scratch came from the cache');
      }
      lines.push([`from scratch, ${label}`, scratch]);
      const dir = path.join(root, `scratch-${rows}-0`); // built by the first run above
      const cached: (Sample & { process: number })[] = [];
      for (let i = 0; i < runs; i++) {
        cached.push(run(dir, rows, project));
        if (!cached[i].fromCache) throw new Error('an open from the cache was rebuilt');
      }
      lines.push([`from the cache, ${label}`, cached]);
      for (const [name, xs] of lines) {
        const r = xs.map((x) => x.ready);
        console.log(
          `| ${name} | ${sec(median(r))} | ${sec(Math.min(...r))}–${sec(Math.max(...r))} | ${sec(median(xs.map((x) => x.readyCpu)))} | ${median(xs.map((x) => x.first)).toFixed(0)} ms | ${sec(median(xs.map((x) => x.process)))} | ${(median(xs.map((x) => x.rss)) / 1e6).toFixed(0)} MB | ${(median(xs.map((x) => x.cacheBytes)) / 1e6).toFixed(1)} MB |`,
        );
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

if (process.argv.includes('--child')) {
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else main();
