// Benchmarks the TS/JS front end: files/s and peak RSS for 1,000 and 10,000 generated TS files (a child
// process per size, so RSS is not shared), and a one-file re-analysis of a 2,000-line TS file in a warm
// Engine (median of 20). Run: npx tsx scripts/bench-ts.ts
import { execFileSync } from 'child_process';
import { Engine, initEngine } from '../src/engine';

function service(i: number): string {
  return `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export async function list${i}(q: string, ids: number[]) {
  const rows = await prisma.post.findMany({ where: { status: 'open', title: { contains: q, mode: 'insensitive' } }, orderBy: { createdAt: 'desc' }, take: 20 });
  for (const r of rows) {
    await prisma.user.findUnique({ where: { id: r.authorId } });
  }
  await Promise.all(ids.map((id) => prisma.comment.count({ where: { postId: id } })));
  return prisma.$queryRaw\`SELECT id FROM posts WHERE author_id = \${ids[0]}\`;
}
`;
}

function bigFile(lines: number): string {
  let out = '';
  for (let i = 0; out.split('\n').length < lines; i++) out += service(i).replace(/^import[^\n]*\n(const prisma[^\n]*\n)?/, i === 0 ? '$&' : '');
  return out;
}

async function child(n: number): Promise<void> {
  await initEngine();
  const engine = new Engine();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) engine.setFile(`src/svc${i}.ts`, service(i));
  const r = engine.analyze();
  const ms = performance.now() - t0;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ n, ms: Math.round(ms), filesPerSec: Math.round((n / ms) * 1000), peakRssMb: Math.round(rss), findings: r.findings.length }));
}

async function warm(): Promise<void> {
  await initEngine();
  const engine = new Engine();
  for (let i = 0; i < 50; i++) engine.setFile(`src/svc${i}.ts`, service(i));
  const big = bigFile(2000);
  engine.setFile('src/big.ts', big);
  engine.analyze();
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    engine.setFile('src/big.ts', `${big}\n// edit ${i}\n`);
    engine.analyze();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ reanalysis2000LinesMedianMs: Math.round(times[10] * 10) / 10, lines: big.split('\n').length }));
}

(async () => {
  const mode = process.argv[2];
  if (mode === 'child') return child(Number(process.argv[3]));
  if (mode === 'warm') return warm();
  for (const n of [1000, 10000]) process.stdout.write(execFileSync(process.execPath, [...process.execArgv, __filename, 'child', String(n)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  process.stdout.write(execFileSync(process.execPath, [...process.execArgv, __filename, 'warm'], { encoding: 'utf8' }));
})();
