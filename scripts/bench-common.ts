// What the whole-project benchmarks (bench.ts, bench-django.ts) share: one full analysis of a folder,
// measured inside a fresh child process so peak RSS belongs to that run alone.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Engine, defaultSettings } from '../src/engine';
import { listFiles, readText } from '../src/cli/files';
import { initParsers } from '../src/cli/init';
import { projectSteps, type ShadowStep } from '../src/db/shadow';

export interface FullRun {
  files: number;
  bytes: number;
  findings: number;
  /** Non-strength findings per rule id. */
  byRule: Record<string, number>;
  parseMs: number;
  analyzeMs: number;
  totalMs: number;
  cpuMs: number;
  peakRssMb: number;
}

/** CPU time (user + system) since `since`: on a shared machine, the part of wall time that was ours. */
export function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/** Reads, parses and analyses every file under `root` once (the child's side of a --full run). */
export async function measureFullRun(root: string): Promise<FullRun> {
  await initParsers();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const settings = defaultSettings();
  const engine = new Engine(settings);
  const { candidates } = listFiles(root, settings);
  let bytes = 0;
  for (const c of candidates) {
    const r = readText(c);
    if ('text' in r) {
      engine.setFile(c.rel, r.text);
      bytes += c.size;
    }
  }
  const t1 = process.hrtime.bigint();
  const result = engine.analyze();
  const t2 = process.hrtime.bigint();
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
  const byRule: Record<string, number> = {};
  for (const f of result.findings) if (!f.strength) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return { files: candidates.length, bytes, findings: result.findings.length, byRule, parseMs: ms(t0, t1), analyzeMs: ms(t1, t2), totalMs: ms(t0, t2), cpuMs: cpuMs(cpu0), peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Runs `script mode root` in a fresh Node process (same exec args) and parses the JSON it prints. */
export function runChild<T>(script: string, mode: string, root: string): T {
  const out = execFileSync(process.execPath, [...process.execArgv, script, mode, root], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as T;
}

/** One Markdown table row: | run | total (wall) | CPU time | files/s | read+parse | merge+rules | peak RSS | findings | */
export function tableRow(r: FullRun, gen: { files: number; lines: number }): string {
  return `| ${r.files.toLocaleString('en')} files (${Math.round(gen.lines / gen.files)} lines/file, ${(r.bytes / 1e6).toFixed(1)} MB) | ${(r.totalMs / 1000).toFixed(2)} s | ${(r.cpuMs / 1000).toFixed(2)} s | ${Math.round((r.files / r.totalMs) * 1000).toLocaleString('en')} | ${(r.parseMs / 1000).toFixed(2)} s | ${(r.analyzeMs / 1000).toFixed(2)} s | ${Math.round(r.peakRssMb)} MB | ${r.findings.toLocaleString('en')} |`;
}

/** The shadow database's input for a project folder, read the way the CLI reads it. */
export async function readProjectSteps(root: string): Promise<ShadowStep[]> {
  await initParsers();
  const settings = defaultSettings();
  const engine = new Engine(settings);
  const files: { path: string; text: string }[] = [];
  for (const c of listFiles(root, settings).candidates) {
    const r = readText(c);
    if ('text' in r) {
      engine.setFile(c.rel, r.text);
      files.push({ path: c.rel, text: r.text });
    }
  }
  return projectSteps(engine.facts().migrations, files);
}

/** A synthetic project folder being written: `write(rel, text)` creates parents and counts files and lines. */
export function projectWriter(root: string): { write: (rel: string, text: string) => void; stats: () => { root: string; files: number; lines: number } } {
  fs.rmSync(root, { recursive: true, force: true });
  let files = 0;
  let lines = 0;
  return {
    write(rel, text) {
      const p = path.join(root, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
      files++;
      lines += text.split('\n').length;
    },
    stats: () => ({ root, files, lines }),
  };
}
