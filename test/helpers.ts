import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, defaultSettings, initEngine, parseSettings, type AnalysisResult, type Settings, type SourceFile } from '../src/engine';

export const ROOT = path.resolve(__dirname, '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

let ready: Promise<void> | undefined;
export function ready$(): Promise<void> {
  ready ??= initEngine();
  return ready;
}

/** All files under `dir` as SourceFiles with paths relative to `dir`. */
export function readTree(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: path.relative(dir, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** A fixture case: a single file, or a folder that is a small project. */
export function readCase(casePath: string): SourceFile[] {
  return fs.statSync(casePath).isDirectory() ? readTree(casePath) : [{ path: path.basename(casePath), text: fs.readFileSync(casePath, 'utf8') }];
}

/** Analyses a case; a `.pgready.json` inside a case folder sets its settings (e.g. `postgresVersion`). */
export function analyzeCase(casePath: string, settings?: Settings): AnalysisResult {
  const config = path.join(casePath, '.pgready.json');
  const s = settings ?? (fs.existsSync(config) ? parseSettings(JSON.parse(fs.readFileSync(config, 'utf8'))) : defaultSettings());
  return analyzeFiles(readCase(casePath).filter((f) => f.path !== '.pgready.json'), s);
}

const MARKER = /\bexpect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;
const REPO_MARKER = /\bexpect-repo:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;

/**
 * Expected findings written in fixture files, Ruff style: `expect: rule-id` in a comment on the line where
 * the finding starts (several ids comma-separated); `expect-repo: rule-id` for a repository-level finding.
 * Returns "file:line rule" strings (line 0 for repository-level).
 */
export function expectedMarkers(files: SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    f.text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(MARKER)) for (const id of m[1].split(',')) out.push(`${f.path}:${i + 1} ${id.trim()}`);
      for (const m of line.matchAll(REPO_MARKER)) for (const id of m[1].split(',')) out.push(`(repository):0 ${id.trim()}`);
    });
  }
  return out.sort();
}

export function actualMarkers(result: AnalysisResult, rules: Set<string>): string[] {
  return result.findings
    .filter((f) => rules.has(f.rule) && !f.strength)
    .map((f) => (f.span ? `${f.span.file}:${f.span.line} ${f.rule}` : `(repository):0 ${f.rule}`))
    .sort();
}
