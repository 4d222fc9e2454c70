// `npm run bench`: how fast pgready analyses a large synthetic backend, and how fast a warm Engine
// re-analyses one edited file. Each measurement runs in a fresh child process so peak RSS is per run.
// Not a test: it prints a Markdown table. Targets (2-core box): 10,000 files ≤ 20 s and ≤ 1 GB RSS;
// one-file re-analysis ≤ 50 ms.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, defaultSettings } from '../src/engine';
import { listFiles, readText } from '../src/cli/files';
import { initParsers } from '../src/cli/init';
import { cpuMs, measureFullRun, projectWriter, runChild, tableRow, type FullRun } from './bench-common';

const SIZES = (process.env.PGREADY_BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const EDITS = 20;

// ---------------------------------------------------------------------------------------------------
// The synthetic project: per domain, one models file, route and service modules that query in loops,
// and Alembic migrations chained by down_revision. Proportions: ~10% models, ~40% routes, ~30% services,
// ~15% migrations, ~5% SQL; ~100 lines per file on average.

function modelsFile(d: number, tables: number): string {
  const out = ['from sqlalchemy import Column, ForeignKey, Integer, String, DateTime, Boolean, Text', 'from sqlalchemy.orm import relationship', 'from app.db import Base', ''];
  for (let t = 0; t < tables; t++) {
    const name = `D${d}T${t}`;
    out.push(`class ${name}(Base):`, `    __tablename__ = "d${d}_t${t}"`, '    id = Column(Integer, primary_key=True)');
    if (t > 0) out.push(`    parent_id = Column(Integer, ForeignKey("d${d}_t${t - 1}.id"), nullable=False)`, `    parent = relationship("D${d}T${t - 1}")`);
    for (let c = 0; c < 8; c++) out.push(`    col_${c} = Column(${c % 3 === 0 ? 'String(200)' : c % 3 === 1 ? 'Integer' : 'DateTime'}, nullable=${c % 2 === 0 ? 'False' : 'True'})`);
    out.push('    is_active = Column(Boolean, default=True)', '    notes = Column(Text)', '');
  }
  return out.join('\n');
}

function routesFile(d: number, i: number, tables: number): string {
  const out = ['from fastapi import APIRouter, Depends', 'from sqlalchemy import text', 'from sqlalchemy.orm import Session', `from app.d${d}.models import *`, 'from app.db import get_session', '', 'router = APIRouter()', ''];
  for (let h = 0; h < 10; h++) {
    const t = (i + h) % tables;
    out.push(
      `@router.get("/d${d}/r${i}/h${h}")`,
      `def handler_${i}_${h}(status: str, limit: int = 50, session: Session = Depends(get_session)):`,
      `    rows = session.query(D${d}T${t}).filter(D${d}T${t}.col_0 == status).order_by(D${d}T${t}.col_2).limit(limit).all()`,
      '    out = []',
      '    for row in rows:',
      t > 0 ? `        parent = session.query(D${d}T${t - 1}).filter_by(id=row.parent_id).first()` : '        parent = None',
      '        out.append({"id": row.id, "parent": parent.id if parent else None})',
      `    total = session.execute(text("SELECT count(*) FROM d${d}_t${t} WHERE col_0 = :s"), {"s": status}).scalar()`,
      '    return {"items": out, "total": total}',
      '',
    );
  }
  return out.join('\n');
}

function serviceFile(d: number, i: number, tables: number): string {
  const out = ['import logging', 'from sqlalchemy.orm import Session', `from app.d${d}.models import *`, '', 'log = logging.getLogger(__name__)', ''];
  for (let f = 0; f < 10; f++) {
    const t = (i + f) % tables;
    out.push(
      `def service_${i}_${f}(session: Session, ids: list[int]) -> int:`,
      '    count = 0',
      '    for id_ in ids:',
      `        obj = session.get(D${d}T${t}, id_)`,
      '        if obj is None:',
      '            continue',
      '        obj.col_1 = (obj.col_1 or 0) + 1',
      '        count += 1',
      '    session.commit()',
      `    log.info("updated %s rows of d${d}_t${t}", count)`,
      '    return count',
      '',
    );
  }
  return out.join('\n');
}

function migrationFile(rev: string, down: string | null, d: number, t: number): string {
  const cols = Array.from({ length: 8 }, (_, c) => `        sa.Column("col_${c}", ${c % 3 === 0 ? 'sa.String(200)' : c % 3 === 1 ? 'sa.Integer()' : 'sa.DateTime()'}, nullable=${c % 2 === 0 ? 'False' : 'True'}),`);
  return [
    `"""d${d} t${t}"""`,
    'from alembic import op',
    'import sqlalchemy as sa',
    '',
    `revision = "${rev}"`,
    `down_revision = ${down ? `"${down}"` : 'None'}`,
    '',
    'def upgrade():',
    '    op.create_table(',
    `        "d${d}_t${t}",`,
    '        sa.Column("id", sa.Integer(), primary_key=True),',
    t > 0 ? `        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("d${d}_t${t - 1}.id"), nullable=False),` : '',
    ...cols,
    '        sa.Column("is_active", sa.Boolean()),',
    '        sa.Column("notes", sa.Text()),',
    '    )',
    `    op.create_index("ix_d${d}_t${t}_col_0", "d${d}_t${t}", ["col_0"])`,
    '',
    'def downgrade():',
    `    op.drop_index("ix_d${d}_t${t}_col_0")`,
    `    op.drop_table("d${d}_t${t}")`,
    '',
  ].join('\n');
}

function sqlFile(d: number, i: number): string {
  const out: string[] = [`-- reporting queries for domain ${d}`];
  for (let q = 0; q < 12; q++) out.push(`SELECT t.id, t.col_0, count(*) AS n`, `FROM d${d}_t${q % 4} t`, `WHERE t.col_2 > now() - interval '${q + 1} days'`, 'GROUP BY t.id, t.col_0', 'ORDER BY n DESC', 'LIMIT 100;', '');
  out.push(`CREATE INDEX IF NOT EXISTS ix_d${d}_r${i} ON d${d}_t0 (col_2);`);
  return out.join('\n');
}

/** Writes a project of about `n` files; returns its root. */
function generate(n: number, dir: string): { root: string; files: number; lines: number } {
  const { write, stats } = projectWriter(path.join(dir, `project-${n}`));
  write('app/db.py', 'from sqlalchemy import create_engine\nfrom sqlalchemy.orm import declarative_base, sessionmaker\n\nengine = create_engine("postgresql://app@db/app", pool_size=10)\nSessionLocal = sessionmaker(bind=engine)\nBase = declarative_base()\n\ndef get_session():\n    s = SessionLocal()\n    try:\n        yield s\n    finally:\n        s.close()\n');
  const perDomain = 20; // 2 models + 8 routes + 6 services + 3 migrations + 1 SQL
  const domains = Math.max(1, Math.round(n / perDomain));
  let prevRev: string | null = null;
  for (let d = 0; d < domains; d++) {
    const tables = 6;
    write(`app/d${d}/models.py`, modelsFile(d, tables));
    write(`app/d${d}/__init__.py`, '');
    for (let i = 0; i < 8; i++) write(`app/d${d}/routes_${i}.py`, routesFile(d, i, tables));
    for (let i = 0; i < 6; i++) write(`app/d${d}/service_${i}.py`, serviceFile(d, i, tables));
    for (let t = 0; t < 3; t++) {
      const rev = `${d.toString(16).padStart(6, '0')}${t}abc`;
      write(`alembic/versions/${rev}_d${d}_t${t}.py`, migrationFile(rev, prevRev, d, t));
      prevRev = rev;
    }
    write(`sql/reports_${d}.sql`, sqlFile(d, 0));
  }
  return stats();
}

/** A 2,000-line module for the warm re-analysis measurement. */
function bigFile(): string {
  const out: string[] = [];
  let d = 0;
  while (out.length < 2000) out.push(routesFile(0, d++, 4), serviceFile(0, d, 4));
  return out.join('\n').split('\n').slice(0, 2000).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Child processes.

async function childWarm(root: string): Promise<void> {
  await initParsers();
  const engine = new Engine();
  const { candidates } = listFiles(root, defaultSettings());
  for (const c of candidates) {
    const r = readText(c);
    if ('text' in r) engine.setFile(c.rel, r.text);
  }
  const big = bigFile();
  engine.setFile('app/big_module.py', big);
  engine.analyze();
  const samples: { total: number; cpu: number; setFile: number; merge: number; rules: number }[] = [];
  for (let i = 0; i < EDITS; i++) {
    // An edit in the middle of the file, as a keystroke would make.
    const at = big.indexOf('\n', Math.floor((big.length * (i + 1)) / (EDITS + 2)));
    const edited = big.slice(0, at) + `\n# edit ${i}` + big.slice(at);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    engine.setFile('app/big_module.py', edited);
    const t1 = performance.now();
    engine.facts();
    const t2 = performance.now();
    engine.analyze();
    const t3 = performance.now();
    samples.push({ total: t3 - t0, cpu: cpuMs(cpu0), setFile: t1 - t0, merge: t2 - t1, rules: t3 - t2 });
  }
  const median = (k: keyof (typeof samples)[number]) => [...samples].map((s) => s[k]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  process.stdout.write(JSON.stringify({ files: candidates.length + 1, total: median('total'), cpu: median('cpu'), setFile: median('setFile'), merge: median('merge'), rules: median('rules'), peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const [mode, root] = process.argv.slice(2);
  if (mode === '--full') return void process.stdout.write(JSON.stringify(await measureFullRun(root)));
  if (mode === '--warm') return childWarm(root);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-bench-'));
  try {
    const rows: string[] = [];
    let warmRoot = '';
    for (const n of SIZES) {
      const gen = generate(n, tmp);
      if (!warmRoot || n === 1000) warmRoot = gen.root;
      const r = runChild<FullRun>(__filename, '--full', gen.root);
      const target = n >= 10000 ? (r.totalMs <= 20000 && r.peakRssMb <= 1024 ? 'ok' : 'MISSED (≤ 20 s, ≤ 1 GB)') : '';
      rows.push(`${tableRow(r, gen)} ${target} |`);
    }
    const w = runChild<any>(__filename, '--warm', warmRoot);
    console.log(`## pgready benchmark (${os.cpus().length} CPUs, Node ${process.versions.node})\n`);
    console.log(`Load average at start: ${os.loadavg()[0].toFixed(1)} (wall times on a busy machine overstate; CPU time is what the run used).\n`);
    console.log('| run | total (wall) | CPU time | files/s | read+parse | merge+rules | peak RSS | findings | target |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rows) console.log(r);
    console.log(`\n| warm re-analysis of one edited 2,000-line file (${w.files.toLocaleString('en')}-file project, median of ${EDITS}) | ms |`);
    console.log('|---|---:|');
    console.log(`| total (setFile + analyze), wall | ${w.total.toFixed(1)} ${w.total <= 50 ? '(ok, ≤ 50 ms)' : '(MISSED, target ≤ 50 ms)'} |`);
    console.log(`| total, CPU time | ${w.cpu.toFixed(1)} |`);
    console.log(`| re-parse the file (setFile) | ${w.setFile.toFixed(1)} |`);
    console.log(`| re-merge project facts (facts) | ${w.merge.toFixed(1)} |`);
    console.log(`| run the rules + score (analyze) | ${w.rules.toFixed(1)} |`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
